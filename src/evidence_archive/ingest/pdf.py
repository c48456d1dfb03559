"""PDF to text: pdfium's text runs, laid out by position, page furniture removed.

The text is rebuilt from pdfium's text rectangles (runs of text with their boxes), not from its
plain reading order, because reading order loses what a reader sees: a grade printed beside a
two-line label, a page footer printed in the middle of a paragraph. Steps:
1. runs on one visual line are joined (a wide gap is a table column, written as a tab; a small
   raised run is a superscript, written as <sup>..</sup>);
2. lines repeated at the top or bottom of many pages, and page numbers, are page furniture:
   removed and listed, so nothing else is lost;
3. lines are grouped into blocks by the space between them, one block per output line, with a
   blank line between blocks and between pages. Splitting a paragraph across a page is left for
   the parser to undo, as for every other corpus text.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from evidence_archive.errors import PdfError

log = logging.getLogger(__name__)

COLUMN_GAP = 14.0
"""Points of empty space between two runs on a line that make them two table cells."""
_BULLET_START = re.compile(r"^(?:[◼■•▪●◦▶➢✓-]|\d{1,3}\.\s|\d+\.\d+\s)")
_MARKS = set("0123456789*†‡")
_NUMBER_PREFIX = re.compile(r"^\d{1,3}(?:\.\d{1,2})*\.$")
"""A paragraph number at the start of a text line: '10.', '2.1.'."""
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?$", re.I)


@dataclass
class Line:
    """One visual line of a page."""

    top: float
    bottom: float
    cells: list[tuple[float, str]] = field(default_factory=list)
    """(x of the first run, text) per table cell; one cell for ordinary text."""

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def text(self) -> str:
        return "\t".join(t.strip() for _, t in self.cells)


@dataclass(frozen=True)
class Removed:
    """A line removed as page furniture."""

    page: int
    text: str
    reason: str


@dataclass(frozen=True)
class Extracted:
    """The text of a PDF, with what was removed and how it was read."""

    text: str
    pages: int
    removed: tuple[Removed, ...]
    raw_words: int
    """Words in pdfium's plain text of every page, for the keep-every-word check."""
    library: str


def _sniff(path: Path, data: bytes) -> None:
    if not data:
        raise PdfError(path, "is empty (0 bytes), not a PDF")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        raise PdfError(path, "is an HTML page saved with a .pdf name, not a PDF")
    if not data.lstrip()[:5] == b"%PDF-":
        raise PdfError(path, "is not a PDF (it does not start with %PDF-)")
    if b"%%EOF" not in data[-4096:]:
        raise PdfError(path, "is truncated or damaged (no %%EOF end marker): download it again")


def _open(path: Path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    data = path.read_bytes()
    _sniff(path, data)
    if b"/Encrypt" in data:
        try:
            pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            raise PdfError(path, "is encrypted (password protected); decrypt it first") from err
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise PdfError(path, "is encrypted (password protected); decrypt it first") from err
        raise PdfError(path, f"is not a readable PDF (truncated or damaged: {err})") from err


@functools.cache
def _char_box():  # type: ignore[no-untyped-def]
    """PDFium's FPDFText_GetCharBox called with plain addresses: the same function without
    ctypes checking the pointer types on each of the page's 2,500 calls (40 % of their cost)."""
    import pypdfium2.raw as pdfium_c

    address = ctypes.cast(pdfium_c.FPDFText_GetCharBox, ctypes.c_void_p).value
    assert address is not None, "PDFium has no FPDFText_GetCharBox"
    v = ctypes.c_void_p
    return ctypes.CFUNCTYPE(ctypes.c_int, v, ctypes.c_int, v, v, v, v)(address)


def _runs(textpage, text: str) -> list[tuple[float, float, float, float, str]]:  # type: ignore[no-untyped-def]
    """Runs of characters on one baseline with no wide gap, from pdfium's character boxes.

    The hot loop of extraction (one pass per character, about 2,500 a page): the run's extent
    is kept as it grows and a run's characters are only looked at again when it holds a
    possible footnote mark."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    font_size = pdfium_c.FPDFText_GetFontSize
    runs: list[tuple[float, float, float, float, str]] = []
    chars: list[str] = []  # the run's characters, spaces included
    index: list[int] = []  # their places in the page's text
    bottoms: list[float] = []  # their bottoms (0 for spaces)
    marks = False
    top_max = bottom_min = left_min = right_max = 0.0
    printed = 0

    def close() -> None:
        out = chars
        if marks:
            out = list(chars)
            letters = [n for n, c in enumerate(chars) if c.isalpha() and c not in "gjpqy"]
            if letters:
                base = statistics.median(bottoms[n] for n in letters)
                font = statistics.median(float(font_size(raw, index[n])) for n in letters[:5])
                for n, c in enumerate(chars):
                    if (
                        c in _MARKS
                        and float(font_size(raw, index[n])) < 0.8 * font
                        and bottoms[n] > base + 0.2 * font
                    ):
                        out[n] = f"<sup>{c}</sup>"
        runs.append(
            (top_max, bottom_min, left_min, right_max, "".join(out).replace("</sup><sup>", ""))
        )

    box = [ctypes.c_double() for _ in range(4)]
    b0, b1, b2, b3 = box
    r0, r1, r2, r3 = (ctypes.addressof(b) for b in box)
    get_box = _char_box()
    page = ctypes.cast(raw, ctypes.c_void_p).value
    line_start = True  # no character of this text line yet
    prefix = ""  # the characters of this text line so far, while they may be a number
    last_top = last_bottom = last_left = last_right = 0.0
    have_last = False
    for i, ch in enumerate(text):
        if ch == "\r" or ch == "\n":
            if printed:
                close()
            chars, index, bottoms, marks, printed = [], [], [], False, 0
            line_start, prefix, have_last = True, "", False
            continue
        if ch.isspace():
            # A space has no box worth reading: only printed characters set a run's extent.
            chars.append(ch)
            index.append(i)
            bottoms.append(0.0)
            if prefix and not line_start:
                prefix = ""
            continue
        get_box(page, i, r0, r1, r2, r3)  # left, right, bottom, top
        left, right, bottom, top = b0.value, b1.value, b2.value, b3.value
        if have_last:
            if (
                left - last_right >= COLUMN_GAP
                or left < last_left - 1
                or bottom > last_top  # no vertical overlap: a new line
                or top < last_bottom
            ):
                if printed:
                    close()
                chars, index, bottoms, marks, printed = [], [], [], False, 0
                prefix = ""
            elif (
                prefix
                and ch.isalpha()
                and _NUMBER_PREFIX.match(prefix)
                and left - last_right >= 0.15 * float(font_size(raw, i))
            ):
                # '10.Neglect': a paragraph number set apart by a visible gap but no space
                # character. The gap is the space a reader sees.
                chars.append(" ")
                index.append(i)
                bottoms.append(0.0)
        if line_start or prefix:
            prefix = prefix + ch if len(prefix) < 8 else ""
        line_start = False
        have_last = True
        last_top, last_bottom, last_left, last_right = top, bottom, left, right
        if printed:
            if top > top_max:
                top_max = top
            if bottom < bottom_min:
                bottom_min = bottom
            if left < left_min:
                left_min = left
            if right > right_max:
                right_max = right
        else:
            top_max, bottom_min, left_min, right_max = top, bottom, left, right
        printed += 1
        if ch in _MARKS:
            marks = True
        chars.append(ch)
        index.append(i)
        bottoms.append(bottom)
    if printed:
        close()
    return runs


def _lines(runs: list[tuple[float, float, float, float, str]]) -> list[Line]:
    """Group runs into visual lines by vertical overlap, then join each line's runs."""
    groups: list[list[tuple[float, float, float, float, str]]] = []
    for run in sorted(runs, key=lambda r: (-r[0], r[2])):
        top, bottom = run[0], run[1]
        best, best_overlap = None, 0.0
        for g in groups[-4:]:
            g_top = max(r[0] for r in g)
            g_bottom = min(r[1] for r in g)
            overlap = min(top, g_top) - max(bottom, g_bottom)
            ratio = overlap / max(0.1, min(top - bottom, g_top - g_bottom))
            if ratio > 0.3 and overlap > best_overlap:
                best, best_overlap = g, overlap
        if best is None:
            groups.append([run])
        else:
            best.append(run)
    lines = []
    for g in groups:
        # Left to right; runs stacked in one column ('Requires' over 'Improvement') top first.
        g.sort(key=lambda r: (round(r[2] / 6), -r[0]))
        heights = sorted(r[0] - r[1] for r in g)
        body = heights[len(heights) // 2]
        base = statistics.median(r[1] for r in g)
        # The first cell sets the line's extent: a grade printed beside a two-line label
        # spans both lines and must not make this one look tall.
        first = [r for r in g if r[2] < g[0][3] + COLUMN_GAP] or g
        line = Line(max(r[0] for r in first), min(r[1] for r in first))
        prev_right: float | None = None
        for top, bottom, left, right, text in g:
            mark = text.strip()
            raised = (
                (top - bottom) < 0.8 * body
                and bottom > base + 1.5
                and re.fullmatch(r"[0-9*†‡]{1,3}", mark) is not None
            )
            piece = f"<sup>{mark}</sup>" if raised else text
            if prev_right is None or left - prev_right >= COLUMN_GAP:
                line.cells.append((left, piece))
            else:
                x, cur = line.cells[-1]
                # Runs are separate words unless one is a raised mark or a space is there.
                sep = "" if (cur.endswith(" ") or piece.startswith(" ") or raised) else " "
                line.cells[-1] = (x, cur + sep + piece)
            prev_right = right
        line.cells = [(x, re.sub(r"[ \t]+", " ", t)) for x, t in line.cells]
        lines.append(line)
    return lines


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _furniture(pages: list[list[Line]], heights: list[float]) -> list[set[int]]:
    """Indexes of the furniture lines of each page: page numbers, repeated headers/footers."""
    counts: dict[str, int] = {}
    for page, height in zip(pages, heights, strict=True):
        seen = set()
        for line in page:
            if line.top > 0.88 * height or line.bottom < 0.12 * height:
                seen.add(_furniture_key(line.text))
        for key in seen:
            counts[key] = counts.get(key, 0) + 1
    need = max(3, int(0.3 * len(pages)))
    out: list[set[int]] = []
    for page, height in zip(pages, heights, strict=True):
        marked = set()
        for i, line in enumerate(page):
            edge = line.top > 0.88 * height or line.bottom < 0.12 * height
            if not edge:
                continue
            text = line.text.strip()
            if _PAGE_NUMBER.match(text) or counts.get(_furniture_key(text), 0) >= need:
                marked.add(i)
        out.append(marked)
    return out


_RUNS_ON = re.compile(r"(?:[a-z,–\ufffe-]|\b(?:aged|age|over|under|of|to|and|from|by|at|in))$")
_NUMBER_START = re.compile(r"^\d{1,3}\.\s")
"""The end of a line whose sentence goes on to the next line."""
_SHORT_CELL = 5
"""Words at most in a table cell that wrapped onto a line of its own (a grade)."""


def _mend_rows(lines: list[Line]) -> list[Line]:
    """Put table cells that were printed a little above or below their row back into it.

    A grade cell is often set at the top of a tall row while its label is centred, or wraps
    round it ('Requires' above, 'improvement' beside the label). Such a cell comes out as a line
    of its own, in a right-hand column only, touching the row's line. It joins that line: as the
    start of the cell in the same column, or as the row's last cell when the row has none there.
    """
    if not lines:
        return lines
    margin = min(line.cells[0][0] for line in lines)
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if (
            nxt is not None
            and len(line.cells) == 1
            and line.cells[0][0] > margin + 150
            and len(line.cells[0][1].split()) <= _SHORT_CELL
            and line.bottom - nxt.top < 1.0  # touching or overlapping the next line
        ):
            x, text = line.cells[0]
            same = [k for k, (cx, _) in enumerate(nxt.cells) if abs(cx - x) < 6]
            if same and same[0] > 0:
                k = same[0]
                cells = list(nxt.cells)
                cells[k] = (x, text.rstrip() + " " + cells[k][1].lstrip())
                out.append(Line(max(line.top, nxt.top), nxt.bottom, cells))
                i += 2
                continue
            if all(cx < x - 6 for cx, _ in nxt.cells) and nxt.cells[-1][0] < margin + 150:
                out.append(Line(nxt.top, nxt.bottom, [*nxt.cells, (x, text)]))
                i += 2
                continue
        out.append(line)
        i += 1
    return out


def _number(text: str) -> int | None:
    m = _NUMBER_START.match(text)
    return int(text[: text.index(".")]) if m else None


def _blocks(lines: list[Line], state: dict[str, int] | None = None) -> list[list[Line]]:
    """Group a page's lines into blocks (paragraphs, list items, table rows).

    state["last"] is the last paragraph number seen so far in the document: a line starting
    with the next number starts a paragraph even after a line that runs on."""
    state = state if state is not None else {"last": 0}
    if not lines:
        return []
    if (first := _number(lines[0].text.strip())) is not None and first == state["last"] + 1:
        state["last"] = first
    gaps = [a.bottom - b.top for a, b in zip(lines, lines[1:], strict=False)]
    small = [g for g in gaps if -2 < g < 8]
    usual = statistics.median(small) if small else 3.0
    blocks: list[list[Line]] = [[lines[0]]]
    for prev, line in zip(lines, lines[1:], strict=False):
        gap = prev.bottom - line.top
        size_change = abs(line.height - prev.height) > 0.3 * max(line.height, prev.height)
        starts = bool(_BULLET_START.match(line.text.strip()))
        number = _number(line.text.strip())
        if (
            number is not None
            and number != state["last"] + 1
            and _RUNS_ON.search(prev.text.strip())
        ):
            # '... working with those over' / '18. The quality ...': a number that a wrapped
            # sentence put at the start of a line, not the next paragraph's number.
            starts = False
        elif number is not None and starts:
            state["last"] = number
        # Two table rows in a row: each line with cells in two columns that starts a new
        # label (capital or number) is a row of its own, however close the rows are printed.
        if len(prev.cells) > 1 and len(line.cells) > 1 and line.cells[0][1][:1].isupper():
            starts = True
        if len(prev.cells) > 1 and len(line.cells) > 1 and line.cells[0][1][:1].isdigit():
            starts = True
        if gap > usual + 0.35 * min(prev.height, line.height) or starts or size_change:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _join_text(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out.endswith("\ufffe"):
            out = out[:-1] + "-" + part
        elif out:
            out += " " + part
        else:
            out = part
    return out.replace("\ufffe", "-")


_MARKER = re.compile(r"^(?:\d{1,3}\.(?:\d{1,2}\.?)?|[◼■•▪●◦▶➢✓–-])$")


def _block_text(block: list[Line]) -> str:
    first = block[0].cells
    if len(first) > 1 and _MARKER.match(first[0][1].strip()):
        # A paragraph number or bullet set apart by an indent is a marker, not a column.
        block[0].cells = [(first[0][0], first[0][1].strip() + " " + first[1][1]), *first[2:]]
    if all(len(line.cells) == 1 for line in block):
        return _join_text([line.cells[0][1] for line in block])
    # The first column starts at the block's left edge; the others where a line's later cells do.
    starts: list[float] = [min(line.cells[0][0] for line in block)]
    for line in block:
        for x, _ in line.cells[1:]:
            if not any(abs(x - s) < 12 for s in starts):
                starts.append(x)
    starts.sort()
    columns: list[list[str]] = [[] for _ in starts]
    for line in block:
        for x, text in line.cells:
            col = max([i for i, s in enumerate(starts) if s <= x + 12] or [0])
            columns[col].append(text)
    return "\t".join(_join_text(c) for c in columns)


def extract(path: Path) -> Extracted:
    """Extract a PDF's text as a corpus text, or raise PdfError naming the file."""
    import pypdfium2 as pdfium

    pdf = _open(path)
    pages: list[list[Line]] = []
    heights: list[float] = []
    raw_words = 0
    chars = 0
    for page in pdf:
        textpage = page.get_textpage()
        plain = textpage.get_text_range()
        chars += len(plain.strip())
        raw_words += len(re.findall(r"[^\W_]+", plain.replace("\ufffe", "")))
        heights.append(page.get_height())
        pages.append(_mend_rows(_lines(_runs(textpage, plain))))
    if len(pdf) == 0:
        raise PdfError(path, "has no pages")
    if chars < 40 * len(pdf):
        raise PdfError(path, "has no text layer (scanned pages?): it needs OCR before ingesting")
    furniture = _furniture(pages, heights)
    removed: list[Removed] = []
    page_texts: list[list[str]] = []
    state = {"last": 0}
    for number, (lines, marked) in enumerate(zip(pages, furniture, strict=True), start=1):
        kept = []
        for i, line in enumerate(lines):
            if i in marked:
                removed.append(Removed(number, line.text, "page furniture"))
            else:
                kept.append(line)
        before = dict(state)
        blocks = [_block_text(b) for b in _blocks(kept, state)]
        previous = next((t for t in reversed(page_texts) if t), None)
        first = _number(blocks[0]) if blocks else None
        if (
            previous
            and first is not None
            and first != before["last"] + 1
            and _RUNS_ON.search(previous[-1].rstrip())
        ):
            # A sentence that runs over the page and puts a number ('... those aged' / '18.
            # They ...') at the top of the next page: the number is not a paragraph's.
            previous[-1] = previous[-1].rstrip() + " " + blocks.pop(0)
        page_texts.append(blocks)
    text = "\n\n\n".join("\n\n".join(t) for t in page_texts if t and "".join(t).strip()) + "\n"
    version = getattr(pdfium, "PYPDFIUM_INFO", None) or getattr(pdfium, "V_PYPDFIUM2", "")
    library = f"pypdfium2 {version} (PDFium {getattr(pdfium, 'PDFIUM_INFO', '')})".replace(
        " ()", ""
    )
    return Extracted(text, len(pdf), tuple(removed), raw_words, library.strip())
