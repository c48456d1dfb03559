"""The document model passed forward from parse to render, site and index: frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field


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
class Dropped:
    """Source lines left off the page, and why."""

    reason: str
    """'contents', 'graphic', 'furniture' or 'layout'."""
    lines: tuple[int, int]


@dataclass(frozen=True)
class Document:
    """One parsed corpus document."""

    id: str
    meta: dict[str, object]
    """The corpus metadata, as validated."""
    sections: tuple[Section, ...]
    boilerplate: tuple[Block, ...]
    """Publishing boilerplate (copyright, addresses, complaints), set apart at the end."""
    judgements: tuple[Judgement, ...]
    dropped: tuple[Dropped, ...]
    line_count: int
    contents: tuple[str, ...] = field(default=())
    """Headings listed on the document's own contents page."""

    def blocks(self) -> list[Block]:
        """Every block of the body in order."""
        return [b for s in self.sections for b in s.blocks]

    def numbered(self) -> list[Block]:
        """The numbered paragraphs in order."""
        return [b for b in self.blocks() if b.number is not None]
