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

from pathlib import Path
from typing import Any

import numpy as np
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length

from evidence_archive.index.analysis import frequency

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

LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
"""Whoosh stores a field's length in one byte, logarithmically: byte -> length."""


def length_bytes(leaf: Any, field: str) -> np.ndarray:
    """The one-byte lengths of field for every entry of one segment reader."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    col = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return _column_bytes(col, leaf.doc_count_all())


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


def read_postings(
    m: Any,
    offset: int,
    positional: bool,
    ids: list[np.ndarray],
    weights: list[np.ndarray],
    values: list[bytes],
    counts: list[np.ndarray],
) -> None:
    """Append a term's postings from matcher m (entry numbers shifted by offset, weights and,
    when positional, the positions' varint deltas and each posting's count of them) to ids,
    weights, values and counts."""
    while m.is_active():
        if hasattr(m, "read_all"):  # the index's codec (codec.py): the whole term at once
            term_ids, term_weights, term_values, term_counts = m.read_all()
            ids.append(term_ids + offset)
            weights.append(term_weights)
            if positional:
                values.extend(term_values)
                counts.append(term_counts)
        else:  # any other matcher: one posting at a time
            ids.append(np.array([m.id() + offset], dtype=_INT))
            weights.append(np.array([m.weight()], dtype=np.float64))
            if positional:
                value = m.value()
                values.append(value)
                counts.append(np.array([frequency(value)], dtype=_INT))
            m.next()


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
