"""The index's schema: which fields each entry has and how each is analysed (terms.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, SchemaClass
from whoosh.formats import Positions

from evidence_archive.terms import exact_analyzer, stemming_analyzer, term_positions

_INT = np.int64


#: Each analyzer's term_positions (by id; the analyzer kept, so that the id stays its own).
_POSITIONS: dict[int, tuple[Any, Callable[[str], list[tuple[int, str]]] | None]] = {}


class CompactPositions(Positions):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh's Positions, each posting's positions written as varint deltas (one byte for most)
    instead of a count and a pickled list: the postings are 13% smaller and decode in NumPy.

    A text's terms and positions, for the analyzers made here, are worked out word by word
    (terms.term_positions) instead of through the analyzer's chain of generators: the same
    values (tests/test_engine.py compares them on the corpus), a third of the time of indexing a
    report."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        held = _POSITIONS.get(id(analyzer))
        if held is None or held[0] is not analyzer:
            held = (analyzer, term_positions(analyzer))
            _POSITIONS[id(analyzer)] = held
        positions = held[1]
        if positions is None or not isinstance(value, str) or set(kwargs) - {"mode"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        poses: dict[str, list[int]] = {}
        for pos, term in positions(value):
            poses.setdefault(term, []).append(pos)
        fb = self.field_boost
        for term, poslist in poses.items():  # in the order of their first places, as Whoosh's
            yield (term, len(poslist), float(len(poslist)) * fb, self.encode(poslist))

    def encode(self, poslist: list[int]) -> bytes:
        out, base = bytearray(), 0
        for pos in poslist:
            v, base = pos - base, pos
            while v >= 0x80:
                out.append((v & 0x7F) | 0x80)
                v >>= 7
            out.append(v)
        return bytes(out)

    def decode_positions(self, value: bytes) -> list[int]:
        flat, _ = decode_varints([value])
        return [int(p) for p in np.cumsum(flat)]

    def decode_frequency(self, value: bytes) -> int:
        return frequency(value)


def frequency(value: bytes) -> int:
    """How many positions a CompactPositions value holds (one varint end byte each)."""
    return sum(1 for b in value if b < 0x80)


def decode_varints(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """CompactPositions values -> (every position delta, in order; how many each value holds)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=_INT), np.zeros(0, dtype=_INT)
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    ends = buf < 0x80
    lens = np.fromiter(map(len, values), dtype=_INT, count=n)
    counts = np.bincount(np.repeat(np.arange(n), lens)[ends], minlength=n).astype(_INT)
    if ends.all():
        return buf.astype(_INT), counts
    group: np.ndarray = np.cumsum(ends) - ends  # which varint each byte belongs to
    first = np.flatnonzero(np.r_[True, ends[:-1]])
    shift = (np.arange(len(buf)) - first[group]) * 7
    parts = (buf & 0x7F).astype(_INT) << shift
    return np.bincount(group, weights=parts.astype(np.float64)).astype(_INT), counts


def _text(analyzer: Any) -> Any:
    """A text field with positions (for phrases), written compactly."""
    field = TEXT(analyzer=analyzer, phrase=True)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


class ParagraphSchema(SchemaClass):  # type: ignore[misc]
    """One indexed paragraph, list item, table row or heading.

    Nothing is stored in Whoosh: what a hit shows is in the index's entry store (store.py);
    what a document's entries share (title, council, dates, grades) is in the index's documents
    table (archive.json), and the document-level query fields and filters are answered from that
    table (searcher.py).
    """

    doc_id = ID()  # which segment holds which documents (incremental builds)
    content = _text(stemming_analyzer())
    exact = _text(exact_analyzer())
    section = _text(None)
    block = ID()
    # Document-level fields: declared so that queries naming them parse; never indexed per entry.
    title = TEXT()
    authority = ID()
    region = ID()
    kind = ID()
    framework = ID()
    year = NUMERIC(bits=32)
    grades = KEYWORD(lowercase=True, commas=False)


def long_forms(abbreviations: dict[str, list[str]], analyzer: Any) -> list[list[Any]]:
    """[the field's terms of a long form, its abbreviations] for every long form that analyses
    to two or more terms (a phrase a search for it is: searcher.py finds its abbreviations too),
    in a stable order. Worked out once when the index is written (archive.json)."""
    table: dict[tuple[str, ...], list[str]] = {}
    for abbr, longs in sorted(abbreviations.items()):
        for long in longs:
            terms = tuple(t.text for t in analyzer(long))
            if len(terms) > 1:
                table.setdefault(terms, []).append(abbr)
    return [[list(terms), abbrs] for terms, abbrs in sorted(table.items())]


#: Query fields answered from the documents table rather than from the entries.
DOCUMENT_FIELDS = ("title", "authority", "region", "kind", "framework", "year", "grades")
