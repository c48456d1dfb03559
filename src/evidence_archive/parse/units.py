"""The first reading of a text: each line (or run of lines joined by a hard break) that is not
layout becomes a unit, classified by its shape: heading, table row, numbered paragraph, list
item (with its bullet), footnote, figure, or plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evidence_archive.parse.layout import (
    HASH_HEADING,
    split_cells,
)

FOOTNOTE = re.compile(
    r"^(?:<sup>&</sup>lt;sup>|<sup>)(?P<label>[0-9*†‡]{1,3})</sup>\s*(?P<text>\S.*)$"
    r"|^(?P<slabel>[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s+(?P<stext>\S.*)$"
)


NUMBERED = re.compile(r"^(?:[-■•▪●]\s+)?(?P<num>\d{1,3})\.\s+(?P<text>\S.*)$")


#: Printed bullets: bullet characters and the private-use characters of symbol fonts, which the
#: PDF names by their font position (Wingdings "n" U+F06E is a square, Symbol U+F02D a dash,
#: U+F0A7 and U+F0B7 dots).
GLYPHS = "■◼•▪●◦▶➢✓\ue000-\uf8ff"

#: A printed bullet that the extractor set off with a tab.
GLYPH_TAB = re.compile(rf"^[{GLYPHS}]\t+\S")


SCALE_ROW = re.compile(
    r"^((?:Outstanding|Good|Adequate|Satisfactory|Inadequate|Requires improvement)"
    r" \(Grade [1-4]\)) +(\S.*)$"
)


#: A bullet as extracted: a printed bullet, a dash or '*', then space.
BULLET = re.compile(rf"^(?P<bullet>[-–{GLYPHS}]|\*(?=\s))\s+(?P<text>\S.*)$")


FIGURE = re.compile(r"^(?:\*\*|<b>)?\s*(?:Figure|Chart|Graph)\s+\d+[.:]", re.I)


@dataclass
class Unit:
    kind: str
    """'heading', 'row', 'tabbed', 'footnote', 'numbered', 'list', 'figure', 'plain'."""
    text: str
    start: int
    end: int
    indent: int = 0
    number: str | None = None
    level: int = 0
    label: str | None = None
    gap: bool = False
    """True when blank or dropped lines stand between this unit and the one before."""
    parts: list[str] = field(default_factory=list)
    """Lines after a hard line break (two trailing spaces), each a further part."""
    bullet: str = ""
    """The bullet of a list item as extracted ('-', '■', a symbol font's private-use glyph)."""

    def last_text(self) -> str:
        """The text of the last line of the unit."""
        return self.parts[-1] if self.parts else self.text


NUMBERED_PROSE = re.compile(r"^\s*\d{1,3}\.\s+(?:\S+\s+){12}")
"""A numbered paragraph's opening: a tab later in it is a wide gap of justified text."""


def is_row(line: str) -> bool:
    cells = split_cells(line)
    if NUMBERED_PROSE.match(cells[0]):
        return False
    filled = [c for c in cells if c.strip()]
    return len(cells) > 1 and (len(filled) >= 2 or (not cells[0].strip() and len(filled) >= 1))


def read_units(lines: list[str], status: list[str | None]) -> list[Unit]:
    units: list[Unit] = []
    gap = True
    i = 0
    while i < len(lines):
        if status[i] is not None or not lines[i].strip():
            gap = True
            i += 1
            continue
        start = i
        # A line ending in two spaces is a hard line break inside the same block.
        parts = [lines[i].rstrip(" ")]
        # A table row or a '#' heading never runs on into the next line.
        row = "\t" in lines[i].strip(" ") or bool(HASH_HEADING.match(lines[i].strip()))
        while (
            not row
            and lines[i].endswith("  ")
            and i + 1 < len(lines)
            and lines[i + 1].strip()
            and (status[i + 1] is None)
        ):
            i += 1
            parts.append(lines[i].rstrip(" "))
        unit = classify(parts[0], start + 1, i + 1)
        unit.parts = parts[1:]
        unit.gap = gap
        units.append(unit)
        units.extend(_run_on_items(unit))
        units.extend(_run_on_heading(unit))
        gap = False
        i += 1
    return units


_RUN_ON = re.compile(r"\s+([\ue000-\uf8ff])\s+(?=\S)")  # symbol-font glyphs only


def _run_on_items(unit: Unit) -> list[Unit]:
    """List items the extractor ran on into one line ('... area \uf0a7 22 live in ...'): a
    symbol font's bullet glyph inside a line starts a new item. unit keeps the text before it;
    the items after it are returned, in order."""
    if unit.kind not in ("list", "plain") or unit.parts or not _RUN_ON.search(unit.text):
        return []
    pieces = _RUN_ON.split(unit.text)
    unit.text = pieces[0]
    return [
        Unit("list", text, unit.start, unit.end, unit.indent, level=unit.level, bullet=glyph)
        for glyph, text in zip(pieces[1::2], pieces[2::2], strict=True)
    ]


_HEADING_RUN_ON = re.compile(
    r"^(.*\S[.!?])\s+(Recommendations|What needs to improve\??|Areas for improvement)$"
)


def _run_on_heading(unit: Unit) -> list[Unit]:
    """A heading the extractor ran on to the end of the line before ('... occupation.
    Recommendations'): unit keeps the sentence; the heading is returned as a line of its own."""
    if unit.kind not in ("list", "plain", "numbered") or unit.parts:
        return []
    m = _HEADING_RUN_ON.match(unit.text)
    if m is None:
        return []
    unit.text = m.group(1)
    return [Unit("plain", m.group(2), unit.start, unit.end, gap=True)]


def classify(line: str, start: int, end: int) -> Unit:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if m := HASH_HEADING.match(stripped):
        return Unit("heading", m.group(2), start, end, level=max(2, len(m.group(1))))
    if GLYPH_TAB.match(stripped):
        # '■<tab>text': a printed bullet that the extractor set off with a tab, not a table row.
        return Unit("list", stripped[1:].strip(), start, end, indent, bullet=stripped[0])
    if m := SCALE_ROW.match(stripped):
        # 'Outstanding (Grade 1) A service that ...': a row of the grade scale's table whose
        # cells the extractor did not set apart; a tab between them, no word changed.
        return Unit("row", f"{m.group(1)}\t{m.group(2)}", start, end)
    if "\t" in stripped.strip(" "):
        if is_row(stripped):
            return Unit("row", stripped, start, end)
        if m := NUMBERED_PROSE.match(stripped) and NUMBERED.match(stripped):
            return Unit("numbered", m.group("text"), start, end, indent, number=m.group("num"))
        return Unit("tabbed", stripped, start, end)
    if m := FOOTNOTE.match(stripped):
        label = m.group("label") or m.group("slabel").translate(
            str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
        )
        return Unit("footnote", m.group("text") or m.group("stext"), start, end, label=label)
    if FIGURE.match(stripped):
        return Unit("figure", stripped, start, end)
    if m := NUMBERED.match(stripped):
        return Unit("numbered", m.group("text"), start, end, indent, number=m.group("num"))
    if m := BULLET.match(stripped):
        level = 0 if indent <= 1 else 1 if indent <= 3 else 2
        return Unit("list", m.group("text"), start, end, indent, level=level,
                     bullet=m.group("bullet"))  # fmt: skip
    return Unit("plain", stripped, start, end, indent)
