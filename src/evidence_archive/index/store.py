"""The index's entry store: what a hit shows (text as printed, section, anchor, paragraph),
kept beside the Whoosh segments rather than in them.

Whoosh would store every entry's fields as its own pickle, uncompressed (a quarter of the index
when they were there). Here a document's entries are stored in chunks of CHUNK entries, each a
zlib-compressed JSON list (small enough that a hit costs one small read and inflate), the chunks
of a document one blob; `entries.bin` is the blobs one after another in document id order;
`archive.json` records where each blob is and its chunks' lengths (`store`), and `layout.json`
which index entries are whose (document id, first entry number, entry count, in entry order).
An incremental build copies the blobs of the documents it did not change, byte for byte.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

#: The file of the blobs, in the index folder.
STORE_FILE = "entries.bin"
#: Which entry numbers are whose: [document id, first entry, count], in entry order.
LAYOUT_FILE = "layout.json"
#: Entries per compressed chunk.
CHUNK = 8
#: One entry as stored: the part of its permanent id after '#', block kind, section, anchor,
#: paragraph number, text as printed.
ROW = ("pid", "block", "section", "anchor", "paragraph", "verbatim")


Blob = tuple[bytes, list[int]]
"""A document's stored entries: its chunks, one after another, and each chunk's length."""


def blob(rows: list[tuple[Any, ...]]) -> Blob:
    """One document's entries as stored: rows of ROW, the pid as its part after the '#'."""
    plain = [[r[0].partition("#")[2], *r[1:]] for r in rows]
    chunks = [
        zlib.compress(json.dumps(plain[i : i + CHUNK], ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8"), 9)
        for i in range(0, len(plain), CHUNK)
    ]  # fmt: skip
    return b"".join(chunks), [len(c) for c in chunks]


def write_store(dest: Path, blobs: dict[str, Blob]) -> dict[str, list[Any]]:
    """Write entries.bin from blobs (document id -> blob); return where each one is: its
    offset and its chunks' lengths."""
    where: dict[str, list[Any]] = {}
    offset = 0
    with open(dest / STORE_FILE, "wb") as f:
        for doc_id in sorted(blobs):
            data, lengths = blobs[doc_id]
            f.write(data)
            where[doc_id] = [offset, lengths]
            offset += len(data)
    return where


def read_blobs(folder: Path, where: dict[str, list[Any]], ids: set[str]) -> dict[str, Blob]:
    """The blobs of some documents from an existing store (for an incremental build)."""
    out: dict[str, Blob] = {}
    if not where or not (folder / STORE_FILE).exists():
        return out
    with open(folder / STORE_FILE, "rb") as f:
        for doc_id in sorted(ids & set(where)):
            offset, lengths = where[doc_id]
            f.seek(offset)
            out[doc_id] = (f.read(sum(lengths)), list(lengths))
    return out


class EntryStore:
    """Reads entries of one index folder by entry number (thread-safe)."""

    def __init__(self, folder: Path, where: dict[str, list[Any]], keep: int = 512) -> None:
        # Opened once: a build that swaps in a new index folder leaves this one readable to the
        # searches still running on it.
        self._fd = os.open(Path(folder) / STORE_FILE, os.O_RDONLY)
        self.where = where
        self._keep = keep
        self._lock = threading.Lock()
        self._chunks: OrderedDict[tuple[str, int], list[list[Any]]] = OrderedDict()

    def chunk(self, doc_id: str, n: int) -> list[list[Any]]:
        """The n-th chunk of a document's stored rows (recently read ones kept)."""
        key = (doc_id, n)
        with self._lock:
            if key in self._chunks:
                self._chunks.move_to_end(key)
                return self._chunks[key]
        offset, lengths = self.where[doc_id]
        start = offset + sum(lengths[:n])
        raw = os.pread(self._fd, lengths[n], start)
        rows: list[list[Any]] = json.loads(zlib.decompress(raw))
        with self._lock:
            self._chunks[key] = rows
            while len(self._chunks) > self._keep:
                self._chunks.popitem(last=False)
        return rows

    def close(self) -> None:
        os.close(self._fd)

    def entry(self, doc_id: str, place: int) -> dict[str, Any]:
        """The stored fields of a document's place-th entry, as Whoosh stored them before."""
        row = self.chunk(doc_id, place // CHUNK)[place % CHUNK]
        fields = dict(zip(ROW, row, strict=True))
        fields["pid"] = f"{doc_id}#{row[0]}"
        fields["doc_id"] = doc_id
        return fields
