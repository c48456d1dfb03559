"""Every generated page of the site, docs path -> Markdown, made once per build."""

from __future__ import annotations

from evidence_archive import urls
from evidence_archive.build.cache import Built
from evidence_archive.dates import doc_date, human_date
from evidence_archive.opendata.national import group_by_authority
from evidence_archive.opendata.subjects import subjects
from evidence_archive.registry import load_registry
from evidence_archive.site.councils import authorities_index, authority_page, mentions
from evidence_archive.site.html import md_text
from evidence_archive.site.national import comparison_page, grades_page
from evidence_archive.site.reports import Moved, moved_page, report_page
from evidence_archive.site.tracker import (
    DATA_DOC,
    dictionary_pages,
    open_data_page,
    subjects_pages,
)


def generated_pages(
    built: list[Built], moved: Moved | None = None, data: dict[str, str | bytes] | None = None
) -> dict[str, str]:
    """Every generated page: docs path -> Markdown (the Open data page when data is given)."""
    reg = load_registry()
    by_auth = group_by_authority(built)
    named = mentions(built)
    pages = {urls.doc_of(b.doc): report_page(b, moved) for b in built}
    for old_id, (council, target) in sorted((moved.pages if moved else {}).items()):
        pages[urls.report_doc(council, old_id)] = moved_page(old_id, target, moved)  # type: ignore[arg-type]
    # A page for every council with documents, or named in another document.
    newest = max((doc_date(b.doc) for b in built), default="")
    for slug in sorted(set(by_auth) | set(named)):
        a = reg.get(slug)
        if a is not None:
            docs = by_auth.get(slug, [])
            pages[urls.council_doc(slug)] = authority_page(
                a, docs, by_auth, named.get(slug, []), newest
            )
    pages[urls.COUNCILS_DOC] = authorities_index(by_auth, set(named))
    pages[urls.COMPARISON_DOC] = comparison_page(by_auth)
    pages[urls.GRADES_DOC] = grades_page()
    national = by_auth.get("england", [])
    lines = ["# National documents", ""]
    lines += [
        f"- [{md_text(str(d.meta.title))}]({urls.report_doc('england', d.id)}) "
        f"({md_text(human_date(doc_date(d)))})"
        for d in sorted(national, key=doc_date)
    ]
    pages[urls.NATIONAL_DOC] = "\n".join(lines) + "\n"
    pages.update(subjects_pages(subjects([b.doc for b in built])))
    if data is not None:
        pages[DATA_DOC] = open_data_page(data)
        pages.update(dictionary_pages())
    return pages
