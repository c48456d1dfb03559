"""The document model passed forward from parse to render, site and index: frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Inline:
    """A run of source text with one style. Concatenated runs give the block's words verbatim."""

    text: str
    style: str = ""
    """'' plain, 'strong', 'em', 'strong-em', 'sup' (raised text), 'link', 'noteref' (footnote
    mark), 'br' (line break)."""
    target: str | None = None
    """The URL of a link, or the label of the footnote a noteref points to."""


Cell = tuple[tuple[Inline, ...], ...]
"""A table cell: one or more paragraphs of inline runs."""


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, table, footnote, quotation or figure caption."""

    kind: str
    """'paragraph', 'list-item', 'table', 'footnote', 'quote', 'figure'."""
    inlines: tuple[Inline, ...]
    lines: tuple[int, int]
    """First and last source line (1-based, inclusive)."""
    anchor: str = ""
    number: str | None = None
    """The paragraph number as printed ('27'), for numbered paragraphs."""
    level: int = 0
    """Nesting depth of a list item (0 = top level)."""
    rows: tuple[tuple[Cell, ...], ...] = ()
    """Table rows, the header first when header is True."""
    header: bool = False
    role: str = ""
    """'judgements' for a grade table; '' otherwise."""
    label: str | None = None
    """The footnote label, for footnotes."""

    @property
    def text(self) -> str:
        """The block's words as plain text (table cells separated by ' | ')."""
        if self.kind == "table":
            return "\n".join(
                " | ".join(" ".join(plain(p) for p in cell) for cell in row) for row in self.rows
            )
        return plain(self.inlines)


def plain(inlines: tuple[Inline, ...]) -> str:
    """The text of inline runs, line breaks as spaces."""
    return "".join(" " if i.style == "br" else i.text for i in inlines).strip()


@dataclass(frozen=True)
class Section:
    """A heading and the blocks under it (up to the next heading)."""

    level: int
    """Heading level 1-6; 0 for the untitled part before the first heading."""
    heading: tuple[Inline, ...]
    anchor: str
    lines: tuple[int, int]
    blocks: tuple[Block, ...] = ()

    @property
    def title(self) -> str:
        """The heading as plain text."""
        return plain(self.heading)


@dataclass(frozen=True)
class Judgement:
    """A grade exactly as printed."""

    label: str
    scope: str
    """Which column or body the grade is for: 'local services overall', 'LSCB', ..."""
    grade: str
    """The grade word, lowercase: 'good', 'requires improvement to be good', ..."""
    score: int | None
    """The number printed, where the framework prints numbers."""
    area: str | None
    """Key of the judgement area compared across frameworks (frameworks.AREAS)."""
    lines: tuple[int, int]


@dataclass(frozen=True)
class Recommendation:
    """One thing a report says must improve, as printed: a numbered paragraph or a list item
    (with the items under it) of a section that frameworks.RECOMMENDATION_HEADINGS names."""

    anchor: str
    """The anchor of its (first) block: its permanent id is '<document id>#<anchor>'."""
    order: int
    """Its place among the report's recommendations, from 1."""
    section: str
    """The heading it sits under, as printed (with a lead-in such as 'Immediately:')."""
    text: str
    """Its words as printed, its sub-items after it."""
    number: str | None
    """The paragraph number as printed, where it is a numbered paragraph."""
    area: str | None
    """The judgement area it belongs to (frameworks.AREA_TERMS), None when no words tie it."""
    lines: tuple[int, int]


@dataclass(frozen=True)
class Dropped:
    """Source lines left off the page, and why."""

    reason: str
    """'contents', 'graphic', 'furniture' or 'layout'."""
    lines: tuple[int, int]


@dataclass(frozen=True)
class Metadata:
    """A document's metadata, typed: one attribute per field of the corpus schema
    (corpus.store.SCHEMA documents each; tests/test_corpus.py checks the two agree). Dates are
    ISO strings at the precision printed; a field the metadata file does not give is None."""

    id: str
    source_file: str
    sha256: str
    title: str
    authority: str
    kind: str
    framework: str
    publisher: str
    published: str | None
    licence: str | None
    inspection_type: str | None = None
    inspection_start: str | None = None
    inspection_end: str | None = None
    plan_start: int | None = None
    plan_end: int | None = None
    reference: str | None = None
    source_url: str | None = None
    dates_note: str | None = None
    listing_date: str | None = None
    listing_urn: str | None = None
    audit_notes: tuple[str, ...] = ()
    source_pdf_sha256: str | None = None
    pages: int | None = None
    extraction: str | None = None

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> Metadata:
        """From a validated metadata mapping (corpus.store.load_corpus)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in m.items() if k in known}
        values["audit_notes"] = tuple(values.get("audit_notes") or ())
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The fields a metadata file gives, in the schema's order: the required ones always,
        the others when set (the mapping from_mapping was made from)."""
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if name in REQUIRED or (value is not None and value != ()):
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


#: The order of the schema's fields (corpus.store.SCHEMA), for metadata files and front matter.
FIELD_ORDER = (
    "id", "source_file", "sha256", "title", "authority", "kind", "framework", "inspection_type",
    "publisher", "published", "inspection_start", "inspection_end", "plan_start", "plan_end",
    "reference", "source_url", "licence", "dates_note", "listing_date", "listing_urn",
    "audit_notes", "source_pdf_sha256", "pages", "extraction",
)  # fmt: skip
REQUIRED = frozenset(
    ("id", "source_file", "sha256", "title", "authority", "kind", "framework", "publisher",
     "published", "licence")
)  # fmt: skip


@dataclass(frozen=True)
class Document:
    """One parsed corpus document."""

    id: str
    meta: Metadata
    """The corpus metadata, as validated."""
    sections: tuple[Section, ...]
    boilerplate: tuple[Block, ...]
    """Publishing boilerplate (copyright, addresses, complaints), set apart at the end."""
    judgements: tuple[Judgement, ...]
    dropped: tuple[Dropped, ...]
    line_count: int
    contents: tuple[str, ...] = field(default=())
    """Headings listed on the document's own contents page."""
    recommendations: tuple[Recommendation, ...] = ()
    """What the report says must improve, in order (parse/recommendations.py)."""

    def blocks(self) -> list[Block]:
        """Every block of the body in order."""
        return [b for s in self.sections for b in s.blocks]

    def numbered(self) -> list[Block]:
        """The numbered paragraphs in order."""
        return [b for b in self.blocks() if b.number is not None]
