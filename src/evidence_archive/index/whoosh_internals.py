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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb import filetables
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from evidence_archive.index.codec import column_bytes

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


def segment_postings(leaves: list[tuple[Any, int]], field: str, text: bytes) -> Iterator[Any]:
    """(matcher, offset) of a term's postings in each segment reader of leaves ((reader, the
    number its entries start at)) that holds the term, as SegmentReader.postings gives them.

    Found in each segment's term table directly: the key's hash worked out once for all the
    segments (Whoosh hashes it again in each, behind four layers of calls and a set of the
    segment's deleted entries made for every term). Ten terms in the real archive's 17
    segments: 0.7 ms, 1.4 through Whoosh; the cost grows with the segments (209 at 5,000
    reports). A segment with deletions (never written: every index is written whole) is read
    by Whoosh's own."""
    hashes: dict[tuple[Any, bytes], int] = {}
    for leaf, offset in leaves:
        if leaf.has_deletions():
            try:
                found = leaf.postings(field, text)
            except TermNotFound:
                continue
            yield found, offset
            continue
        if field not in leaf.schema:
            continue
        terms = leaf._terms
        table = terms._tindex
        key = terms._keycoder(field, text)
        keyhash = hashes.get((table.hashfn, key))
        if keyhash is None:
            keyhash = hashes[(table.hashfn, key)] = table.hashfn(key)
        data = _hash_value(table, key, keyhash)
        if data is not None:
            info = W3TermInfo.from_bytes(data)
            yield terms._codec.postings_reader(terms._postfile, info, leaf.schema[field].format,
                                               term=(field, text)), offset  # fmt: skip


def _hash_value(table: Any, key: bytes, keyhash: int) -> bytes | None:
    """The value of key in a Whoosh hash table (a segment's terms), its hash given; None if the
    key is not there. HashReader.ranges_for_key, which hashes the key itself."""
    tablestart, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    get = table.dbfile.get
    size = filetables._pointer.size
    end = tablestart + slots * size
    pos = tablestart + ((keyhash >> 8) % slots) * size
    for _ in range(slots):
        slothash, itempos = filetables._pointer.unpack(get(pos, size))
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = filetables._lengths.unpack(get(itempos, filetables._lengths.size))
            keystart = itempos + filetables._lengths.size
            if keylen == len(key) and get(keystart, keylen) == key:
                return bytes(get(keystart + keylen, datalen))
        pos += size
        if pos == end:
            pos = tablestart
    return None


LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
"""Whoosh stores a field's length in one byte, logarithmically: byte -> length."""


def length_bytes(leaf: Any, field: str) -> np.ndarray:
    """The one-byte lengths of field for every entry of one segment reader."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    col = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return column_bytes(col, leaf.doc_count_all())


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
