"""Parse corpus text into the document model, undoing what the text extractors did.

The steps, in order (each a function below):
1. mark the lines that are layout, not text: contents pages, graphic remains, rules;
2. mark the publishing boilerplate (copyright, addresses, complaints) to set apart;
3. read every other line as a unit: heading, table row, footnote, numbered paragraph,
   list item, figure caption or plain paragraph;
4. join paragraphs that a page break split (mid-sentence, or with a stray '- ');
5. group units into blocks (tables across their page breaks) and sections under headings.
No word is added, dropped or changed: blocks hold the source text, markup parsed to runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from evidence_archive.model import Block, Cell, Document, Dropped, Inline, Metadata, Section, plain
from evidence_archive.parse.inline import parse_inline, strip_markup
from evidence_archive.parse.judgements import extract_judgements

# --- what lines look like -------------------------------------------------------------------

_HASH_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_CONTENTS = re.compile(
    r"^(?:#+\s*)?(?:\*\*|<b>)?\s*(?:table of )?contents\s*(?:\*\*|</b>)?\s*$", re.I
)
_RULE = re.compile(r"^\s*(?:-{2,}|\*{3,}|_{3,})\s*(?:\t\s*-{2,}\s*)*$")
_FOOTNOTE = re.compile(
    r"^(?:<sup>&</sup>lt;sup>|<sup>)(?P<label>[0-9*†‡]{1,3})</sup>\s*(?P<text>\S.*)$"
    r"|^(?P<slabel>[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s+(?P<stext>\S.*)$"
)
_NUMBERED = re.compile(r"^(?:[-■•▪●]\s+)?(?P<num>\d{1,3})\.\s+(?P<text>\S.*)$")
_BULLET = re.compile(r"^(?P<bullet>[-■◼•▪●◦▶➢✓–]|\*(?=\s))\s+(?P<text>\S.*)$")
_FIGURE = re.compile(r"^(?:\*\*|<b>)?\s*(?:Figure|Chart|Graph)\s+\d+[.:]", re.I)
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]*]*$")
_SCALE_WORDS = {"inadequate", "adequate", "good", "outstanding", "requires", "improvement"}
_FUNCTION_WORDS = {
    "a", "an", "the", "of", "in", "to", "and", "or", "for", "with", "by", "on", "at", "from",
    "their", "its", "is", "are", "was", "were", "be", "that", "which", "as", "this", "these",
    "who", "whom", "has", "have", "not", "but", "into", "than", "such", "our", "we", "they",
}  # fmt: skip

#: Lines that open a run of publishing boilerplate, kept but set apart at the end of the page.
BOILERPLATE_STARTS = tuple(
    re.compile(p, re.I)
    for p in (
        r"^©\s*crown copyright",
        r"^(?:this|the) (?:document|publication|report) may be (?:reproduced|copied|re-?used)",
        r"^you may (?:copy|re-?use)",
        r"^any complaints about the inspection",
        r"^if you would like (?:a copy|more information|ofsted to)",
        r"^the office for standards in education, children['’]s services and skills \(ofsted\) "
        r"regulates",
        r"^to receive regular email alerts",
        r"^further copies of this report",
    )
)

#: Headings every framework prints that may stand as plain lines (lowercase).
KNOWN_HEADINGS: dict[str, int] = {
    "introduction": 2,
    "context": 2,
    "main findings": 2,
    "grades": 2,
    "recommendations": 2,
    "for immediate action": 3,
    "for action over the next six months": 3,
    "for action in the longer term": 3,
    "equality and diversity": 2,
    "summary": 3,
    "glossary": 2,
    "areas for improvement": 3,
    "what needs to improve": 3,
    "key findings": 2,
    "executive summary": 2,
    "information about this inspection": 2,
    "information about this local authority area": 2,
    "summary of key findings": 2,
    "what does the local authority need to improve?": 3,
    "what needs to improve in this local authority?": 3,
}


@dataclass
class _Unit:
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

    def last_text(self) -> str:
        """The text of the last line of the unit."""
        return self.parts[-1] if self.parts else self.text


def _norm(text: str) -> str:
    """A heading or contents entry, normalised for comparison."""
    s = strip_markup(text).lower().replace("’", "'")
    s = re.sub(r"^(?:section \d+:|annex [a-z]:|\d+\.)\s*", "", s)
    s = re.sub(r"[\s:]+$", "", s)
    return " ".join(s.split())


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", strip_markup(text))


def _cells(line: str) -> list[str]:
    return line.rstrip("\n").split("\t")


_NUMBERED_PROSE = re.compile(r"^\s*\d{1,3}\.\s+(?:\S+\s+){12}")
"""A numbered paragraph's opening: a tab later in it is a wide gap of justified text."""


def _is_row(line: str) -> bool:
    cells = _cells(line)
    if _NUMBERED_PROSE.match(cells[0]):
        return False
    filled = [c for c in cells if c.strip()]
    return len(cells) > 1 and (len(filled) >= 2 or (not cells[0].strip() and len(filled) >= 1))


# --- step 1 and 2: layout and boilerplate ---------------------------------------------------


def _mark_contents(lines: list[str], status: list[str | None]) -> list[str]:
    """Mark contents pages; return their entries (headings the document lists)."""
    entries: list[str] = []
    i = 0
    while i < len(lines):
        if not _CONTENTS.match(lines[i].strip()):
            i += 1
            continue
        j, last = i + 1, i
        found: list[tuple[int, str]] = []
        while j < len(lines):
            s = lines[j].strip()
            if not s or _RULE.match(s):
                j += 1
                continue
            cells = [c for c in _cells(lines[j]) if c.strip()]
            numbered_end = re.match(r"^(.*\S)\s+\.*\s*(\d{1,3})$", s)
            if "\t" in lines[j] or (numbered_end and len(s.split()) <= 16):
                text = cells[0] if "\t" in lines[j] else numbered_end.group(1)  # type: ignore[union-attr]
                text = re.sub(r"[\s.]+\d{1,3}$", "", strip_markup(text)).strip()
                if found and text[:1].islower() and not re.search(r"\d$", found[-1][1]):
                    found[-1] = (found[-1][0], found[-1][1] + " " + text)
                else:
                    found.append((j, text))
                last = j
                j += 1
                continue
            break
        if len(found) >= 2:
            for k in range(i, last + 1):
                status[k] = "contents"
            entries += [t for _, t in found]
            i = last + 1
        else:
            i += 1
    return entries


def _mark_graphics(lines: list[str], status: list[str | None]) -> None:
    """Mark graphic remains (a bare grade scale) and rules as layout."""
    run: list[int] = []

    def close() -> None:
        if len(run) >= 3:
            for k in run:
                status[k] = "graphic"
        run.clear()

    for i, line in enumerate(lines):
        if status[i]:
            continue
        s = line.strip()
        if not s:
            continue
        if _RULE.match(s) or ("\t" in line and not _words(s)):
            status[i] = "layout"  # rules and table rows with no words: drawing, not text
            continue
        words = [w.lower() for w in _words(s)]
        if len(words) >= 3 and set(words) <= _SCALE_WORDS and s == strip_markup(s).strip():
            status[i] = "graphic"
            continue
        if len(words) == 1 and words[0] in _SCALE_WORDS and "\t" not in line:
            run.append(i)
            continue
        close()
    close()


def _mark_running_headers(lines: list[str], status: list[str | None], hints: set[str]) -> None:
    """A heading line printed again before any other heading is a running header: furniture."""
    last_heading: str | None = None
    for i, line in enumerate(lines):
        if status[i] or not line.strip():
            continue
        m = _HASH_HEADING.match(line.strip())
        key = _norm(m.group(2) if m else line)
        if not (m or key in hints or key in KNOWN_HEADINGS):
            continue
        if key == last_heading:
            status[i] = "furniture"
        else:
            last_heading = key


def _mark_boilerplate(lines: list[str], status: list[str | None], hints: set[str]) -> None:
    i = 0
    while i < len(lines):
        s = strip_markup(lines[i]).strip()
        if status[i] or not any(p.match(s) for p in BOILERPLATE_STARTS):
            i += 1
            continue
        j = i
        while j < len(lines) and status[j] != "contents":
            t = lines[j].strip()
            if j > i and (_HASH_HEADING.match(t) or (t and _norm(t) in hints)):
                break
            if not status[j]:
                status[j] = "boilerplate"
            j += 1
        i = j


# --- step 3: units --------------------------------------------------------------------------


def _read_units(lines: list[str], status: list[str | None]) -> list[_Unit]:
    units: list[_Unit] = []
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
        row = "\t" in lines[i].strip(" ") or bool(_HASH_HEADING.match(lines[i].strip()))
        while (
            not row
            and lines[i].endswith("  ")
            and i + 1 < len(lines)
            and lines[i + 1].strip()
            and (status[i + 1] is None)
        ):
            i += 1
            parts.append(lines[i].rstrip(" "))
        unit = _classify(parts[0], start + 1, i + 1)
        unit.parts = parts[1:]
        unit.gap = gap
        units.append(unit)
        gap = False
        i += 1
    return units


def _classify(line: str, start: int, end: int) -> _Unit:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    if m := _HASH_HEADING.match(stripped):
        return _Unit("heading", m.group(2), start, end, level=max(2, len(m.group(1))))
    if "\t" in stripped.strip(" "):
        if _is_row(stripped):
            return _Unit("row", stripped, start, end)
        if m := _NUMBERED_PROSE.match(stripped) and _NUMBERED.match(stripped):
            return _Unit("numbered", m.group("text"), start, end, indent, number=m.group("num"))
        return _Unit("tabbed", stripped, start, end)
    if m := _FOOTNOTE.match(stripped):
        label = m.group("label") or m.group("slabel").translate(
            str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")
        )
        return _Unit("footnote", m.group("text") or m.group("stext"), start, end, label=label)
    if _FIGURE.match(stripped):
        return _Unit("figure", stripped, start, end)
    if m := _NUMBERED.match(stripped):
        return _Unit("numbered", m.group("text"), start, end, indent, number=m.group("num"))
    if m := _BULLET.match(stripped):
        level = 0 if indent <= 1 else 1 if indent <= 3 else 2
        return _Unit("list", m.group("text"), start, end, indent, level=level)
    return _Unit("plain", stripped, start, end, indent)


# --- step 4: headings and split paragraphs ---------------------------------------------------


def _is_heading(
    unit: _Unit,
    nxt: _Unit | None,
    hints: set[str],
    after: _Unit | None = None,
    cover_end: int = 0,
) -> int:
    """The heading level of a plain line, or 0 when it is not a heading."""
    if unit.kind != "plain" or unit.parts:
        return 0
    key = _norm(unit.text)
    if key in hints or _prefix_hint(key, unit.text, hints):
        return 2
    if key in KNOWN_HEADINGS:
        return KNOWN_HEADINGS[key]
    text = strip_markup(unit.text).strip()
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
            return 2 if after is not None and _is_heading(nxt, after, hints, None, cover_end) else 0
    return 3


def _prefix_hint(key: str, text: str, hints: set[str]) -> bool:
    """A long heading printed with small differences from its contents entry (first 8 words)."""
    words = key.split()
    if len(words) < 8 or len(words) > 40 or _TERMINAL.search(strip_markup(text).strip()):
        return False
    return any(h.split()[:8] == words[:8] for h in hints)


def _continues(prev: _Unit, unit: _Unit) -> bool:
    """True when `unit` is the rest of `prev`, split off by a page break."""
    if prev.kind not in ("plain", "numbered", "list") or unit.kind not in ("plain", "list"):
        return False
    if prev.kind == "list" and (unit.kind == "list" or not unit.gap):
        return False  # a new item of the same list, or a line under it
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


def _join(units: list[_Unit], hints: set[str], cover_end: int) -> list[_Unit]:
    out: list[_Unit] = []
    for k, unit in enumerate(units):
        nxt = units[k + 1] if k + 1 < len(units) else None
        if (
            unit.kind == "plain"
            and nxt is not None
            and nxt.kind == "plain"
            and unit.text.rstrip().endswith(":")
            and len(unit.text.split()) <= 3
            and (
                _norm(unit.text + " " + nxt.text) in hints
                or _prefix_hint(_norm(unit.text + " " + nxt.text), nxt.text, hints)
            )
        ):
            # 'Priority 1:' over its title on the next line: one heading, as the contents has it.
            nxt.text, nxt.start, nxt.gap = unit.text.rstrip() + " " + nxt.text, unit.start, unit.gap
            continue
        if unit.kind == "plain":
            after = units[k + 2] if k + 2 < len(units) else None
            level = _is_heading(unit, nxt, hints, after, cover_end)
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


# --- step 5: blocks and sections -------------------------------------------------------------


def _cell(raw: str) -> Cell:
    """A table cell: paragraphs split at <p> tags, <li> items and '•' bullets."""
    text = re.sub(r"<ul[^>]*>|</ul>|<li>|</li>", " • ", raw)
    pieces = re.split(r"</p>\s*(?:<p>)?|<p>|\s+•\s+|^\s*•\s+", text)
    paras = [parse_inline(p) for p in pieces if p and strip_markup(p).strip()]
    return tuple(p for p in paras if p)


def _table(rows: list[_Unit]) -> Block:
    cells = [_cells(r.text) for r in rows]
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


def _inlines(unit: _Unit) -> tuple[Inline, ...]:
    runs = list(parse_inline(unit.text))
    for part in unit.parts:
        runs.append(Inline("\n", "br"))
        runs += parse_inline(part)
    return tuple(runs)


def _block(unit: _Unit) -> Block:
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


def _blocks(units: list[_Unit]) -> list[tuple[_Unit | None, Block | None]]:
    """Headings (unit, None) and blocks (None, block) in order, table rows grouped."""
    out: list[tuple[_Unit | None, Block | None]] = []
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


def _sections(items: list[tuple[_Unit | None, Block | None]]) -> tuple[Section, ...]:
    used: set[str] = set()
    sections: list[Section] = []
    head: _Unit | None = None
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
    units = _read_units(lines, marks)
    used: set[str] = set()
    out = []
    for u in units:
        b = _block(u if u.kind != "heading" else _Unit("plain", u.text, u.start, u.end))
        if b.kind == "table":  # pragma: no cover - rows are read as paragraphs here
            continue
        if u.kind == "row":
            b = Block("paragraph", parse_inline(u.text.replace("\t", " ")), b.lines)
        out.append(
            Block(b.kind, b.inlines, b.lines, _anchor(b, "publication", used), b.number,
                  label=b.label)
        )  # fmt: skip
    return tuple(out)


def _dropped(status: list[str | None]) -> tuple[Dropped, ...]:
    out: list[Dropped] = []
    for i, s in enumerate(status):
        if s in (None, "boilerplate"):
            continue
        if out and out[-1].reason == s and out[-1].lines[1] == i:
            out[-1] = Dropped(s, (out[-1].lines[0], i + 1))
        else:
            out.append(Dropped(s, (i + 1, i + 1)))
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
    contents = _mark_contents(lines, status)
    hints = {_norm(e) for e in contents if _norm(e)}
    _mark_graphics(lines, status)
    _mark_boilerplate(lines, status, hints)
    cover_end = next((i + 1 for i, st in enumerate(status) if st == "contents"), 0)
    _mark_running_headers(lines, status, hints)
    units = _join(_read_units(lines, status), hints, cover_end)
    sections = _nest(_sections(_blocks(units)))
    framework = str(meta.get("framework", "none"))
    sections, judgements = extract_judgements(sections, framework)
    return Document(
        id=str(meta["id"]),
        meta=Metadata.from_mapping(meta),
        sections=sections,
        boilerplate=_boilerplate(lines, status),
        judgements=judgements,
        dropped=_dropped(status),
        line_count=len(lines),
        contents=tuple(contents),
    )
