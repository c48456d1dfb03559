"""Parse a corpus text into the document model: units of lines (parse/units.py) are joined across
page breaks and recognised as headings, then made blocks (paragraphs, numbered paragraphs, list
items, tables, footnotes) and sections nested by heading level; judgements from the framework's
tables. Lines that are layout are marked first (parse/layout.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from evidence_archive.frameworks import is_judgement_heading, variant_for
from evidence_archive.model import Block, Cell, Document, Inline, Metadata, Section, plain
from evidence_archive.parse.inline import parse_inline, strip_markup
from evidence_archive.parse.judgements import extract_judgements
from evidence_archive.parse.layout import (
    KNOWN_HEADINGS,
    dropped_spans,
    mark_boilerplate,
    mark_contents,
    mark_graphics,
    mark_running_headers,
    norm,
    split_cells,
)
from evidence_archive.parse.recommendations import find_recommendations
from evidence_archive.parse.units import Unit, read_units

_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]*]*$")


_FUNCTION_WORDS = {
    "a", "an", "the", "of", "in", "to", "and", "or", "for", "with", "by", "on", "at", "from",
    "their", "its", "is", "are", "was", "were", "be", "that", "which", "as", "this", "these",
    "who", "whom", "has", "have", "not", "but", "into", "than", "such", "our", "we", "they",
}  # fmt: skip


def _is_heading(
    unit: Unit,
    nxt: Unit | None,
    hints: set[str],
    after: Unit | None = None,
    cover_end: int = 0,
    by_shape: bool = True,
) -> int:
    """The heading level of a plain line, or 0 when it is not a heading. by_shape is False for
    a text whose headings are marked ('#' lines): its judgement headings are marked too."""
    if unit.kind != "plain" or unit.parts:
        return 0
    key = norm(unit.text)
    if key in hints or _prefix_hint(key, unit.text, hints):
        return 2
    if key in KNOWN_HEADINGS:
        return KNOWN_HEADINGS[key]
    text = strip_markup(unit.text).strip()
    if by_shape and unit.gap and is_judgement_heading(text) and (nxt is None or nxt.gap):
        return 3  # a judgement's section, headed by its grade (SIF, ILACS)
    words = text.split()
    if not (1 <= len(words) <= 12) or not unit.gap or text[-1] in ".,;:!\"”'’)":
        return 0
    if not (text[0].isupper() or text[0].isdigit()) or words[-1] in _FUNCTION_WORDS:
        return 0
    if text.startswith(('"', "“", "(", "www.", "http")) or ";" in text or re.match(r"\d+:", text):
        return 0
    label, colon, value = text.partition(":")
    if colon and len(label.split()) <= 3 and len(value.split()) <= 8:
        return 0  # 'Reference no: 850', 'Lead inspector: ...': a label and its value
    if unit.start < cover_end:
        return 0  # the cover: title lines, inspectorates, dates
    # A heading introduces text: it is followed by a paragraph, list or table, not another
    # short line (signatures, addresses and cover lines are runs of short lines).
    if nxt is None or not nxt.gap:
        return 0
    if nxt.kind == "plain":
        nwords = strip_markup(nxt.text).split()
        if len(nwords) <= 12 and not _TERMINAL.search(nxt.text.strip()):
            # Two heading-like lines: the first is a heading only if the second is one.
            return (
                2
                if after is not None and _is_heading(nxt, after, hints, None, cover_end, by_shape)
                else 0
            )
    return 3


def _prefix_hint(key: str, text: str, hints: set[str]) -> bool:
    """A long heading printed with small differences from its contents entry (first 8 words)."""
    words = key.split()
    if len(words) < 8 or len(words) > 40 or _TERMINAL.search(strip_markup(text).strip()):
        return False
    return any(h.split()[:8] == words[:8] for h in hints)


def _continues(prev: Unit, unit: Unit) -> bool:
    """True when `unit` is the rest of `prev`, split off by a page break."""
    if prev.kind not in ("plain", "numbered", "list", "footnote"):
        return False
    if unit.kind not in ("plain", "list") or (prev.kind == "footnote" and unit.kind != "plain"):
        return False
    if prev.kind == "list" and (unit.kind == "list" or not unit.gap):
        return False  # a new item of the same list, or a line under it
    if unit.kind == "list" and unit.bullet != "-":
        return False  # a printed bullet starts an item; only a stray '- ' is a continuation
    body = strip_markup(prev.last_text()).rstrip()
    if not body or _TERMINAL.search(body):
        return False
    nxt = strip_markup(unit.text).lstrip()
    if not nxt:
        return False
    if nxt[0].islower():
        return True
    last = re.findall(r"[A-Za-z]+$", body)
    return bool(last) and last[0].lower() in _FUNCTION_WORDS and unit.kind == "plain"


def _join(units: list[Unit], hints: set[str], cover_end: int) -> list[Unit]:
    out: list[Unit] = []
    by_shape = not any(u.kind == "heading" for u in units)
    for k, unit in enumerate(units):
        nxt = units[k + 1] if k + 1 < len(units) else None
        if (
            unit.kind == "plain"
            and nxt is not None
            and nxt.kind == "plain"
            and unit.text.rstrip().endswith(":")
            and len(unit.text.split()) <= 3
            and (
                norm(unit.text + " " + nxt.text) in hints
                or _prefix_hint(norm(unit.text + " " + nxt.text), nxt.text, hints)
            )
        ):
            # 'Priority 1:' over its title on the next line: one heading, as the contents has it.
            nxt.text, nxt.start, nxt.gap = unit.text.rstrip() + " " + nxt.text, unit.start, unit.gap
            continue
        if unit.kind == "plain":
            after = units[k + 2] if k + 2 < len(units) else None
            level = _is_heading(unit, nxt, hints, after, cover_end, by_shape)
            if level:
                unit.kind, unit.level = "heading", level
        prev = out[-1] if out else None
        if prev is not None and unit.kind in ("plain", "list") and _continues(prev, unit):
            # The stray '- ' of a continuation line is not a word: the text joins without it.
            if prev.parts:
                prev.parts[-1] = prev.parts[-1].rstrip() + " " + unit.text.strip()
            else:
                prev.text = prev.text.rstrip() + " " + unit.text.strip()
            prev.parts += unit.parts
            prev.end = unit.end
            continue
        if unit.kind == "tabbed":
            in_table = prev is not None and prev.kind == "row"
            unit.kind = "row" if in_table else "plain"
        out.append(unit)
    return out


def _cell(raw: str) -> Cell:
    """A table cell: paragraphs split at <p> tags, <li> items and '•' bullets."""
    text = re.sub(r"<ul[^>]*>|</ul>|<li>|</li>", " • ", raw)
    pieces = re.split(r"</p>\s*(?:<p>)?|<p>|\s+•\s+|^\s*•\s+", text)
    paras = [parse_inline(p) for p in pieces if p and strip_markup(p).strip()]
    return tuple(p for p in paras if p)


def _table(rows: list[Unit]) -> Block:
    cells = [split_cells(r.text) for r in rows]
    width = max(len(c) for c in cells)
    while width > 1 and all(len(c) < width or not c[width - 1].strip() for c in cells):
        width -= 1
    grid = [[*c[:width], *[""] * (width - len(c))] for c in cells]
    if any(len(c) > width and any(x.strip() for x in c[width:]) for c in cells):
        raise AssertionError("table trimming dropped text")  # guarded by the loop above
    parsed = tuple(tuple(_cell(x) for x in row) for row in grid)
    return Block(
        "table",
        (),
        (rows[0].start, rows[-1].end),
        rows=parsed,
        header=_looks_like_header(grid),
    )


def _looks_like_header(grid: list[list[str]]) -> bool:
    if len(grid) < 2:
        return False
    first = [strip_markup(c).strip() for c in grid[0]]
    filled = [c for c in first if c]
    if not filled or any(
        len(c.split()) > 8 or (c.endswith(".") and len(c.split()) > 3) for c in filled
    ):
        return False
    if re.match(r"\d+(?:\.\d+)*\.?\s", first[0]):
        return False  # a numbered row ('1. Children who need help ...') is data
    second = strip_markup(grid[1][0]).strip()
    return not (re.fullmatch(r"\d+\.?", first[0] or "x") and re.fullmatch(r"\d+\.?", second or "x"))


def _inlines(unit: Unit) -> tuple[Inline, ...]:
    runs = list(parse_inline(unit.text))
    for part in unit.parts:
        runs.append(Inline("\n", "br"))
        runs += parse_inline(part)
    return tuple(runs)


def _block(unit: Unit) -> Block:
    lines = (unit.start, unit.end)
    if unit.kind == "numbered":
        return Block("paragraph", _inlines(unit), lines, number=unit.number)
    if unit.kind == "list":
        return Block("list-item", _inlines(unit), lines, level=unit.level)
    if unit.kind == "footnote":
        return Block("footnote", _inlines(unit), lines, label=unit.label)
    if unit.kind == "figure":
        return Block("figure", _inlines(unit), lines)
    inl = _inlines(unit)
    if plain(inl)[:1] in ('"', "“"):
        return Block("quote", inl, lines)
    return Block("paragraph", inl, lines)


def _blocks(units: list[Unit]) -> list[tuple[Unit | None, Block | None]]:
    """Headings (unit, None) and blocks (None, block) in order, table rows grouped."""
    out: list[tuple[Unit | None, Block | None]] = []
    k = 0
    while k < len(units):
        unit = units[k]
        if unit.kind == "heading":
            out.append((unit, None))
            k += 1
            continue
        if unit.kind == "row":
            rows = [unit]
            k += 1
            while k < len(units) and units[k].kind == "row":
                rows.append(units[k])
                k += 1
            out.append((None, _table(rows)))
            continue
        out.append((None, _block(unit)))
        k += 1
    return out


def slugify(text: str, limit: int = 60) -> str:
    """A URL-safe anchor from heading text."""
    s = strip_markup(text).lower().replace("&", "and")
    s = re.sub(r"[’'`]", "", s)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:limit].rstrip("-") or "section"


def text_anchor(text: str) -> str:
    """The stable anchor of an unnumbered block: derived from its words, not its position."""
    words = " ".join(re.findall(r"[^\W_]+", text.lower()))
    return "p-" + hashlib.sha1(words.encode("utf-8")).hexdigest()[:10]


def _anchor(block: Block, section_anchor: str, used: set[str]) -> str:
    if block.number is not None:
        candidates = [f"para-{block.number}", f"{section_anchor}-para-{block.number}"]
    elif block.kind == "footnote":
        candidates = [f"note-{slugify(block.label or 'x')}"]
    else:
        candidates = [text_anchor(block.text)]
    for c in candidates:
        if c not in used:
            used.add(c)
            return c
    base, n = candidates[-1], 2
    while f"{base}-{n}" in used:
        n += 1
    used.add(f"{base}-{n}")
    return f"{base}-{n}"


def _sections(items: list[tuple[Unit | None, Block | None]]) -> tuple[Section, ...]:
    used: set[str] = set()
    sections: list[Section] = []
    head: Unit | None = None
    blocks: list[Block] = []

    def close() -> None:
        if head is None and not blocks:
            return
        if head is None:
            anchor, level, lines = "start", 0, (blocks[0].lines[0], blocks[0].lines[0])
            heading: tuple[Inline, ...] = ()
            used.add(anchor)
        else:
            base = slugify(head.text)
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            level, heading, lines = head.level, parse_inline(head.text), (head.start, head.end)
        placed = tuple(
            Block(
                b.kind,
                b.inlines,
                b.lines,
                _anchor(b, anchor, used),
                b.number,
                b.level,
                b.rows,
                b.header,
                b.role,
                b.label,
            )
            for b in blocks
        )
        end = placed[-1].lines[1] if placed else lines[1]
        sections.append(Section(level, heading, anchor, (lines[0], end), placed))

    for unit, block in items:
        if unit is not None:
            close()
            head, blocks = unit, []
        elif block is not None:
            blocks.append(block)
    close()
    return tuple(sections)


def _boilerplate(lines: list[str], status: list[str | None]) -> tuple[Block, ...]:
    marks: list[str | None] = [None if s == "boilerplate" else "skip" for s in status]
    units = read_units(lines, marks)
    used: set[str] = set()
    out = []
    for u in units:
        b = _block(u if u.kind != "heading" else Unit("plain", u.text, u.start, u.end))
        if b.kind == "table":  # pragma: no cover - rows are read as paragraphs here
            continue
        if u.kind == "row":
            b = Block("paragraph", parse_inline(u.text.replace("\t", " ")), b.lines)
        out.append(
            Block(b.kind, b.inlines, b.lines, _anchor(b, "publication", used), b.number,
                  label=b.label)
        )  # fmt: skip
    return tuple(out)


_PART = re.compile(r"^section \d+\s*[:.–-]", re.I)
"""A heading that opens a part of the report ('Section 1: the local authority')."""


def _nest(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """Heading levels as the report nests them. A report in parts ('Section 1: ...',
    'Section 2: ...') has its parts at level 2 and the headings of each part below it. Within
    a part (or the whole report), the levels its headings use are closed up from the top
    (levels 2 and 4 become 2 and 3, or 3 and 4 inside a part): headings that are siblings as
    printed stay siblings, and none sits two levels below the one it follows."""
    groups: list[list[int]] = [[]]  # indexes of the headings of each part (the first: before)
    parts: set[int] = set()
    for i, sec in enumerate(sections):
        if not sec.level:
            continue
        if _PART.match(sec.title.strip("* ")):
            parts.add(i)
            groups.append([])
        else:
            groups[-1].append(i)
    levels = {i: 2 for i in parts}
    for n, group in enumerate(groups):
        base = 2 if n == 0 else 3
        used = sorted({sections[i].level for i in group})
        ladder = {old: min(6, base + k) for k, old in enumerate(used)}
        levels.update({i: ladder[sections[i].level] for i in group})
    return tuple(
        replace(sec, level=levels[i]) if i in levels and levels[i] != sec.level else sec
        for i, sec in enumerate(sections)
    )


def parse(text: str, meta: Mapping[str, Any]) -> Document:
    """Parse one corpus text (already decoded, LF line ends) into a Document."""
    lines = text.split("\n")
    status: list[str | None] = [None] * len(lines)
    contents = mark_contents(lines, status)
    hints = {norm(e) for e in contents if norm(e)}
    mark_graphics(lines, status)
    mark_boilerplate(lines, status, hints)
    cover_end = next((i + 1 for i, st in enumerate(status) if st == "contents"), 0)
    mark_running_headers(lines, status, hints)
    units = _join(read_units(lines, status), hints, cover_end)
    sections = _nest(_sections(_blocks(units)))
    framework = str(meta.get("framework", "none"))
    sections, judgements = extract_judgements(sections, framework)
    metadata = Metadata.from_mapping(meta)
    variant = variant_for(metadata)
    return Document(
        id=str(meta["id"]),
        meta=metadata,
        sections=sections,
        boilerplate=_boilerplate(lines, status),
        judgements=judgements,
        dropped=dropped_spans(status),
        line_count=len(lines),
        contents=tuple(contents),
        recommendations=(
            find_recommendations(sections, board_only=variant.areas == ("lscb",))
            if variant and variant.recommends
            else ()
        ),
    )
