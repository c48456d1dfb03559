"""The index's postings codec: Whoosh 3's, each block of postings written compactly.

Whoosh 3 writes a block (up to 128 postings of one term) as a pickled tuple of entry-number
deltas, a float weight for each posting and each posting's value bytes, zlib'd, behind a pickled
header and a 4-byte tag per term: about 14 bytes a posting for the archive's text, three times
the text for the whole index. Here a block is

    header   <HIfBBBH: postings, last entry number, largest weight, layout flags, shortest
             and longest field length (Whoosh's one-byte lengths), bytes of the head
    body     (zlib'd when that is smaller) explicit float32 weights if any; the head, varints:
             the entry-number deltas (the first from 0), then for positional fields each
             posting's frequency, for other values each value's length; then the values: for
             positional fields the positions' deltas one after another (CompactPositions'
             bytes as they are)

A positional posting's weight is its frequency (Whoosh's Positions format with no field boost)
and is not written again; when a block's weights are anything else they are written out. The
matcher gives Whoosh the same (ids, weights, values) it would have read from a Whoosh 3 block,
so Whoosh's own searcher reads these segments unchanged (tests/test_engine.py compares the
engine's answers with it), and gives the engine all of a term's postings in a segment as arrays
(`read_all`), its blocks' heads decoded in one pass.
Segments name their codec in the index's table of contents, so an index written with this codec
is read with it. Term vectors (not used here) keep Whoosh's layout, which their reader expects.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.util.numeric import byte_to_length, length_to_byte

from evidence_archive.index.analysis import CompactPositions, decode_varints, frequency

_HEADER = struct.Struct("<HIfBBBH")
_INT = np.int64
_NONE = np.zeros(0, dtype=_INT)

# Layout flags: how a block's body is compressed, what its values are and where weights come from.
ZLIB = 1
VALUES_NONE, VALUES_POSITIONS, VALUES_BYTES = 0, 2, 4
_VALUES = 6
WEIGHTS_FREQUENCY, WEIGHTS_ONE, WEIGHTS_EXPLICIT = 0, 8, 16
_WEIGHTS = 24


def varints(values: Any) -> bytes:
    """Non-negative integers as little-endian base-128 varints (one byte each below 128)."""
    values = [int(v) for v in values]
    if not values or max(values) < 0x80:
        return bytes(values)
    out = bytearray()
    for v in values:
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
    return bytes(out)


class CompactCodec(W3Codec):  # type: ignore[misc]  # Whoosh is untyped
    """Whoosh 3's codec with CompactPostingsWriter and CompactLeafMatcher for the postings."""

    def __init__(self, blocklimit: int = 1024, compression: int = 9) -> None:
        # Blocks of 1,024 postings, not Whoosh's 128: the engine reads a term's postings whole,
        # never skipping, and each block costs a header and an inflate (a common word's blocks
        # in each of hundreds of segments, at 5,000 documents).
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=1)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return CompactFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors: Whoosh's own reader of them expects Whoosh's blocks
            return super().postings_writer(dbfile, byteids=True)
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit,
                                     compression=self._compression, inlinelimit=1)  # fmt: skip

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class CompactFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """Whoosh 3's field writer, the new segment's field lengths read once per field
    (FieldLengths, below), not once per posting."""

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        super().add_postings(schema, FieldLengths(lengths) if lengths else lengths, items)


class CompactPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Writes each block of a term's postings in the compact layout (module docstring)."""

    def _write_block(self, last: bool = False) -> None:
        self._terminfo.add_block(self)
        ids, weights, values = list(self._ids), list(self._weights), self._values
        n = len(ids)
        fixed = self._format.fixed_value_size()
        parts: list[bytes] = []
        deltas = varints(np.diff(ids, prepend=0))
        if fixed == 0 or not values:  # no values (Whoosh keeps no empty ones)
            flags, head, implied = VALUES_NONE, deltas, None
        elif len(values) != n:
            raise ValueError(f"{n} postings but {len(values)} values")
        elif isinstance(self._format, CompactPositions):
            implied = [frequency(v) for v in values]
            flags, head = VALUES_POSITIONS, deltas + varints(implied)
        else:
            flags, head, implied = VALUES_BYTES, deltas + varints(map(len, values)), None
        body = [head, *values]
        if implied is not None and all(w == f for w, f in zip(weights, implied, strict=True)):
            flags |= WEIGHTS_FREQUENCY
        elif all(w == 1.0 for w in weights):
            flags |= WEIGHTS_ONE
        else:
            flags |= WEIGHTS_EXPLICIT
            parts.append(np.asarray(weights, dtype="<f4").tobytes())
        data = b"".join(parts + body)
        packed = zlib.compress(data, self._compression) if self._compression else data
        if len(packed) < len(data):
            flags, data = flags | ZLIB, packed
        shortest, longest = length_to_byte(self._minlength), length_to_byte(self._maxlength)
        header = _HEADER.pack(n, ids[-1], float(self._maxweight), flags, shortest, longest,
                              len(head))  # fmt: skip
        length = len(header) + len(data)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(header)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class CompactLeafMatcher(W3LeafMatcher):  # type: ignore[misc]
    """Reads blocks in the compact layout; to Whoosh, the same as its own matcher."""

    def _read_header(self) -> None:
        self._baseoffset = self._startoffset  # no tag before the first block

    def _goto(self, position: int) -> None:
        postfile = self._postfile
        self._data: Any = None
        self._ids = self._weights = self._values = None
        self._i = 0
        length = postfile.get_int(position)
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        self._dataoffset = position + 4 + _HEADER.size
        info = _HEADER.unpack(postfile.get(position + 4, _HEADER.size))
        self._blocklength, self._maxid, self._maxweight, self._compression, mn, mx = info[:6]
        self._headlength = info[6]
        self._minlength = byte_to_length(mn)
        self._maxlength = byte_to_length(mx)

    def _parts(self) -> tuple[np.ndarray | None, bytes, bytes]:
        """This block's (explicit weights or None, head, values), inflated."""
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression & ZLIB:
            raw = zlib.decompress(raw)
        weights = None
        if self._compression & _WEIGHTS == WEIGHTS_EXPLICIT:
            n = self._blocklength
            weights = np.frombuffer(raw, dtype="<f4", count=n).astype(np.float64)
            raw = raw[4 * n :]
        return weights, raw[: self._headlength], raw[self._headlength :]

    def read_all(self) -> tuple[np.ndarray, np.ndarray, list[bytes], np.ndarray]:
        """Every posting from here to the end of the term, the matcher used up: (entry numbers,
        weights, the values of each block, and each posting's count of positions, or value
        length for fields whose values are not positions; empty for fields without values)."""
        blocks = Blocks()
        blocks.add(self, 0)
        return blocks.decode()

    def _read_data(self) -> None:
        """The block as Whoosh 3's matcher holds it: (entry deltas, weights, values)."""
        weights, head, rest = self._parts()
        n = self._blocklength
        kind = self._compression & _VALUES
        flat, _ = decode_varints([head])
        deltas, counts = flat[:n], flat[n:]
        if weights is None:
            weights = (counts.astype(np.float64)
                       if self._compression & _WEIGHTS == WEIGHTS_FREQUENCY
                       else np.ones(n, dtype=np.float64))  # fmt: skip
        values: Any = (b"",) * n
        if kind != VALUES_NONE:
            if kind == VALUES_POSITIONS:  # counts are position counts: cut after varint ends
                ends = np.flatnonzero(np.frombuffer(rest, dtype=np.uint8) < 0x80) + 1
                bounds = np.r_[0, ends[np.cumsum(counts) - 1]]
            else:  # counts are byte lengths
                bounds = np.r_[0, np.cumsum(counts)]
            values = tuple(rest[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
        if self._fixedsize:  # Whoosh reads fixed-size values from one string
            values = b"".join(values)
        self._data = ([int(d) for d in deltas], [float(w) for w in weights], values)


class Blocks:
    """One term's blocks of postings, gathered from the matchers of any number of segments
    (each with the number its segment's entries start at), then decoded together, as
    `read_all` reads one segment's: all the blocks' heads in one pass of NumPy. A term is in
    every segment, a block or two in each: decoding each segment apart was 80 % of reading
    the postings of a new process's search."""

    __slots__ = ("heads", "values", "sizes", "last", "starts", "modes", "explicit", "kind")

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self.values: list[bytes] = []
        self.sizes: list[int] = []
        self.last: list[int] = []
        """Each block's last entry number, and the number its segment's entries start at."""
        self.starts: list[int] = []
        self.modes: list[int] = []
        self.explicit: dict[int, np.ndarray] = {}
        self.kind = VALUES_NONE

    def __len__(self) -> int:
        return len(self.sizes)

    def add(self, m: CompactLeafMatcher, offset: int) -> None:
        """Every block of m from here to the end of the term (m used up); its entry numbers
        are offset's plus the segment's own."""
        while m.is_active():
            weights, head, rest = m._parts()
            if weights is not None:
                self.explicit[len(self.sizes)] = weights
            self.heads.append(head)
            self.values.append(rest)
            self.sizes.append(m._blocklength)
            self.last.append(m._maxid + offset)
            self.starts.append(offset)
            self.modes.append(m._compression & _WEIGHTS)
            self.kind = m._compression & _VALUES
            m._next_block()

    def decode(self) -> tuple[np.ndarray, np.ndarray, list[bytes], np.ndarray]:
        """(entry numbers, weights, the values of each block, counts), as read_all gives."""
        sizes = self.sizes
        if not sizes:
            return _NONE, _NONE.astype(np.float64), [], _NONE
        flat, _ = decode_varints(self.heads)
        n = np.asarray(sizes, dtype=_INT)
        if self.kind == VALUES_NONE:
            deltas, counts = flat, _NONE
        else:  # each head: its postings' entry deltas, then as many counts
            is_delta = np.repeat(np.tile([True, False], len(sizes)), np.repeat(n, 2))
            deltas, counts = flat[is_delta], flat[~is_delta]
        starts = np.cumsum(n) - n
        # Each block's first delta counts from its segment's start; every other from the last.
        deltas[starts] += np.asarray(self.starts, dtype=_INT)
        deltas[starts[1:]] -= np.asarray(self.last[:-1], dtype=_INT)
        ids = np.cumsum(deltas)
        modes = self.modes
        if all(m == WEIGHTS_FREQUENCY for m in modes):
            weights = counts.astype(np.float64)
        else:
            weights = np.ones(len(ids), dtype=np.float64)
            for b, (m, at, size) in enumerate(zip(modes, starts.tolist(), sizes, strict=True)):
                if m == WEIGHTS_FREQUENCY:
                    weights[at : at + size] = counts[at : at + size]
                elif m == WEIGHTS_EXPLICIT:
                    weights[at : at + size] = self.explicit[b]
        return ids, weights, self.values, counts


class FieldLengths:
    """A new segment's field lengths, as its per-document reader gives them to the postings
    writer (`doc_field_length`), each field's read once, whole: Whoosh's reader reads the column
    once for every posting (a sixth of writing a segment)."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._count = perdoc.doc_count_all()
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if not 0 <= docnum < self._count:  # never asked: every posting is of an entry
            raise IndexError(f"Asked for docnum {docnum!r} of {self._count}")
        if fieldname not in self._fields:
            col = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            # None for a length of 0, as Whoosh's reader answers.
            self._fields[fieldname] = None if col is None else [
                byte_to_length(b) if b else None for b in column_bytes(col, self._count).tolist()
            ]  # fmt: skip
        table = self._fields[fieldname]
        return default if table is None else table[docnum]


def column_bytes(col: Any, n: int) -> np.ndarray:
    """The one-byte field lengths of a segment's n entries, read in one piece from the column
    (Whoosh's own reader unpacks them one entry at a time)."""
    if col is None:
        return np.zeros(n, dtype=np.intp)
    try:
        if col._typecode != "B" or col._fixedlen != 1:
            raise AttributeError
        count = min(col._count, n)
        raw = np.frombuffer(col._dbfile.get(col._basepos, count), dtype=np.uint8)
        default = col._unpack(col._defaultbytes)[0]
        return np.concatenate([raw, np.full(n - count, default, dtype=np.uint8)]).astype(np.intp)
    except AttributeError:  # another column layout: Whoosh's reader
        return np.asarray(col.load(), dtype=np.intp)[:n]


class TermPostings:
    """One term's postings, gathered segment by segment from Whoosh's matchers: (entry numbers,
    weights, the positions' varint deltas, each posting's count of them). This codec's matchers
    give their blocks, decoded together at the end (Blocks); any other matcher one posting at
    a time."""

    def __init__(self, positional: bool) -> None:
        self.positional = positional
        self._blocks = Blocks()
        self._parts: list[tuple[np.ndarray, np.ndarray, list[bytes], np.ndarray]] = []

    def add(self, m: Any, offset: int) -> None:
        """The postings of matcher m (used up), entry numbers shifted by offset."""
        if isinstance(m, CompactLeafMatcher):
            self._blocks.add(m, offset)
            return
        self._flush()
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        while m.is_active():
            ids.append(m.id() + offset)
            weights.append(m.weight())
            if self.positional:
                values.append(m.value())
            m.next()
        counts = np.array([frequency(v) for v in values], dtype=_INT)
        self._parts.append((np.array(ids, dtype=_INT), np.array(weights, dtype=np.float64),
                            values, counts))  # fmt: skip

    def _flush(self) -> None:
        if self._blocks:
            self._parts.append(self._blocks.decode())
            self._blocks = Blocks()

    def arrays(self) -> tuple[np.ndarray, np.ndarray, list[bytes], np.ndarray] | None:
        """(entry numbers, weights, values, counts) of every posting gathered, None if none."""
        self._flush()
        parts = [p for p in self._parts if len(p[0])]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        values = [v for p in parts for v in p[2]]
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                values, np.concatenate([p[3] for p in parts]))  # fmt: skip
