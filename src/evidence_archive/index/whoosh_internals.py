"""Every place the archive reads Whoosh's private structures, and nothing else.

The engine (index/engine.py) reads postings a block at a time, field lengths as one array and
positions straight from their stored bytes: ten to a hundred times faster than Whoosh's public
readers, but through attributes that are not Whoosh's API. They are all here, against the one
pinned version of whoosh-reloaded (pyproject.toml); tests/test_engine.py checks the engine's
answers against Whoosh's own on every query, so a change of version that moves any of them
fails there, not in front of a user. The index writer's segment handling (TOC, SegmentReader,
which the public API does not offer) is here too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.filedb import filetables
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length

from evidence_archive.index.analysis import frequency
from evidence_archive.index.codec import Blocks, CompactLeafMatcher

_INT = np.int64
_EMPTY = np.zeros(0, dtype=_INT)


class _ViewFile:
    """A read-only stream over a memoryview (read, seek, tell) that copies only what is read."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(start + n, len(self._buf))
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = base + pos
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readline(self, n: int | None = -1) -> bytes:
        end = len(self._buf) if n is None or n < 0 else min(self._pos + n, len(self._buf))
        pos = self._pos
        while pos < end:
            chunk = bytes(self._buf[pos : min(pos + 256, end)])
            found = chunk.find(b"\n")
            if found >= 0:
                return self.read(pos + found + 1 - self._pos)
            pos += len(chunk)
        return self.read(end - self._pos)

    def readinto(self, into: Any) -> int:
        data = self.read(len(into))
        into[: len(data)] = data
        return len(data)

    def close(self) -> None:
        pass


def _buffer_file_init(self: Any, buf: Any, name: Any = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


# Whoosh's BufferFile (each file of a memory-mapped segment) copies the whole file into a
# BytesIO when it is opened, though its reads (get, get_int, ...) go to the memory map: opening
# the index copied every segment (40 of the 50 ms of opening it, and as much memory as the
# index in every server process). The same object, its stream reading the memory map in place.
BufferFile.__init__ = _buffer_file_init


def _hash_reader_init(
    self: Any, dbfile: Any, length: int | None = None, magic: bytes = b"HSH3", startoffset: int = 0
) -> None:
    """HashReader.__init__ as Whoosh writes it, but for its directory of 256 hash tables, read
    in one piece where Whoosh makes 256 reads (9 of the 22 ms of opening the real archive's
    index, most of a new `evidence search` process's open)."""
    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, 2)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints kept for future use
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - filetables._INT_SIZE
    expos = exptr - dbfile.get_int(exptr)  # the extras' length is at the end of the file
    dbfile.seek(expos)
    self._read_extras()
    dbfile.seek(expos - filetables._directory_size)
    raw = dbfile.read(filetables._directory_size)
    self.tables = list(filetables._dir_entry.iter_unpack(raw))  # (position, number of slots)
    self.endofdata = self.tables[0][0]


filetables.HashReader.__init__ = _hash_reader_init

LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
"""Whoosh stores a field's length in one byte, logarithmically: byte -> length."""


def length_bytes(leaf: Any, field: str) -> np.ndarray:
    """The one-byte lengths of field for every entry of one segment reader."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    col = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return _column_bytes(col, leaf.doc_count_all())


class FieldLengths:
    """A new segment's field lengths, as its per-document reader gives them to the postings
    writer (`doc_field_length`), each field's read once, whole: Whoosh's reader reads the column
    once for every posting (a sixth of writing a segment)."""

    def __init__(self, perdoc: Any) -> None:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        self._perdoc = perdoc
        self._lenfield: Callable[[str], str] = _lenfield
        self._lengths_column = LENGTHS_COLUMN
        self._count = perdoc.doc_count_all()
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if not 0 <= docnum < self._count:  # never asked: every posting is of an entry
            raise IndexError(f"Asked for docnum {docnum!r} of {self._count}")
        if fieldname not in self._fields:
            col = self._perdoc._cached_reader(self._lenfield(fieldname), self._lengths_column)
            # None for a length of 0, as Whoosh's reader answers.
            self._fields[fieldname] = None if col is None else [
                byte_to_length(b) if b else None for b in _column_bytes(col, self._count).tolist()
            ]  # fmt: skip
        table = self._fields[fieldname]
        return default if table is None else table[docnum]


def _column_bytes(col: Any, n: int) -> np.ndarray:
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
    weights, the positions' varint deltas, each posting's count of them). The index's codec
    (codec.py) gives its blocks, decoded together at the end; any other matcher one posting at
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


def whoosh_matches(reader: Any, node: Any, B: float, K1: float) -> tuple[np.ndarray, np.ndarray]:
    """(entries, BM25F scores) of a query as Whoosh's own matcher finds them, in its order."""
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher as WhooshSearcher

    searcher = WhooshSearcher(reader, weighting=BM25F(B=B, K1=K1), closereader=False)
    docs, scores = [], []
    try:
        m = node.matcher(searcher, searcher.context())
        while m.is_active():
            docs.append(m.id())
            scores.append(m.score())
            m.next()
    finally:
        searcher.close()
    return np.asarray(docs, dtype=_INT), np.asarray(scores, dtype=np.float64)


def segments(folder: Path) -> list[Any]:
    """The segments an index folder's table of contents names."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    return list(TOC.read(FileStorage(str(folder)), "MAIN").segments)


def segment_files(folder: Path, segment: Any) -> list[str]:
    """The file names of one segment in an index folder."""
    from whoosh.filedb.filestore import FileStorage

    return list(segment.list_files(FileStorage(str(folder))))


def segment_terms(folder: Path, schema: Any, segment: Any, field: str) -> list[Any]:
    """Every term of field in one segment."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader

    reader = SegmentReader(FileStorage(str(folder)), schema, segment)
    try:
        return list(reader.lexicon(field))
    finally:
        reader.close()


def write_contents(folder: Path, schema: Any, segs: list[Any]) -> None:
    """Write the table of contents of an index folder naming segs (generation 1)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    TOC(schema, segs, 1).write(FileStorage(str(folder)), "MAIN")
