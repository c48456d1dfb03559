"""The index's schema: which fields each entry has and how each is analysed (terms.py)."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, SchemaClass

from evidence_archive.terms import exact_analyzer, stemming_analyzer


class ParagraphSchema(SchemaClass):  # type: ignore[misc]
    """One indexed paragraph, list item, table row or heading.

    Only what differs from entry to entry is stored per entry; what a document's entries share
    (title, council, dates, grades) is in the index's documents table (archive.json), and the
    document-level query fields and filters are answered from that table (search.py).
    """

    pid = ID(stored=True, unique=True)
    doc_id = ID(stored=True, sortable=True)
    content = TEXT(analyzer=stemming_analyzer(), phrase=True)
    exact = TEXT(analyzer=exact_analyzer(), phrase=True)
    verbatim = STORED()
    section = TEXT(stored=True)
    paragraph = STORED()
    anchor = STORED()
    block = ID(stored=True)
    # Document-level fields: declared so that queries naming them parse; never indexed per entry.
    title = TEXT()
    authority = ID()
    region = ID()
    kind = ID()
    framework = ID()
    year = NUMERIC(bits=32)
    grades = KEYWORD(lowercase=True, commas=False)


#: Query fields answered from the documents table rather than from the entries.
DOCUMENT_FIELDS = ("title", "authority", "region", "kind", "framework", "year", "grades")
