"""The index's entry store: what a hit shows (text as printed, section, anchor, paragraph),
kept beside the Whoosh segments rather than in them.

Whoosh would store every entry's fields as its own pickle, uncompressed (a quarter of the index
when they were there). Here each document's entries are one zlib-compressed JSON list, and
`entries.bin` is those blobs one after another in document id order; `archive.json` records
where each blob is (`store`), and `layout.json` which index entries are whose (document id,
first entry number, entry count, in entry order). A search reads the blob of a hit's document
once and keeps a few recently read documents. An incremental build copies the blobs of the
documents it did not change, byte for byte.
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
#: One entry as stored: the part of its permanent id after '#', block kind, section, anchor,
#: paragraph number, text as printed.
ROW = ("pid", "block", "section", "anchor", "paragraph", "verbatim")


def blob(rows: list[tuple[Any, ...]]) -> bytes:
    """One document's entries as stored: rows of ROW, the pid as its part after the '#'."""
    plain = [[r[0].partition("#")[2], *r[1:]] for r in rows]
    data = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return zlib.compress(data, 9)


def write_store(dest: Path, blobs: dict[str, bytes]) -> dict[str, list[int]]:
    """Write entries.bin from blobs (document id -> blob); return where each one is."""
    where: dict[str, list[int]] = {}
    offset = 0
    with open(dest / STORE_FILE, "wb") as f:
        for doc_id in sorted(blobs):
            data = blobs[doc_id]
            f.write(data)
            where[doc_id] = [offset, len(data)]
            offset += len(data)
    return where


def read_blobs(folder: Path, where: dict[str, list[int]], ids: set[str]) -> dict[str, bytes]:
    """The blobs of some documents from an existing store (for an incremental build)."""
    out: dict[str, bytes] = {}
    if not where or not (folder / STORE_FILE).exists():
        return out
    with open(folder / STORE_FILE, "rb") as f:
        for doc_id in sorted(ids & set(where)):
            offset, length = where[doc_id]
            f.seek(offset)
            out[doc_id] = f.read(length)
    return out


class EntryStore:
    """Reads entries of one index folder by entry number (thread-safe)."""

    def __init__(self, folder: Path, where: dict[str, list[int]], keep: int = 64) -> None:
        # Opened once: a build that swaps in a new index folder leaves this one readable to the
        # searches still running on it.
        self._fd = os.open(Path(folder) / STORE_FILE, os.O_RDONLY)
        self.where = where
        self._keep = keep
        self._lock = threading.Lock()
        self._docs: OrderedDict[str, list[list[Any]]] = OrderedDict()

    def rows(self, doc_id: str) -> list[list[Any]]:
        """Every stored row of one document (recently read ones kept)."""
        with self._lock:
            if doc_id in self._docs:
                self._docs.move_to_end(doc_id)
                return self._docs[doc_id]
        offset, length = self.where[doc_id]
        rows: list[list[Any]] = json.loads(zlib.decompress(os.pread(self._fd, length, offset)))
        with self._lock:
            self._docs[doc_id] = rows
            while len(self._docs) > self._keep:
                self._docs.popitem(last=False)
        return rows

    def close(self) -> None:
        os.close(self._fd)

    def entry(self, doc_id: str, place: int) -> dict[str, Any]:
        """The stored fields of a document's place-th entry, as Whoosh stored them before."""
        row = self.rows(doc_id)[place]
        fields = dict(zip(ROW, row, strict=True))
        fields["pid"] = f"{doc_id}#{row[0]}"
        fields["doc_id"] = doc_id
        return fields
