"""Index size on the real archive: the index as written (the compact postings codec,
index/codec.py) beside the same index written with Whoosh's own codec and SQLite FTS5 of the
same entries, in the same run; and the proof that the compact codec changes no answer.

Usage: python bench/index_size.py
Builds the archive's corpus (pages and index, no site) in a temporary folder, then the index
again with Whoosh 3's codec from the same parsed documents. Every staff query of
tests/data/staff-queries.json, over the whole archive and filtered to its council, with facets,
with and without folding, must give equal answers (hits, scores, totals, facets) from both
indexes; the script exits non-zero if any differs. Prints Markdown tables.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3Codec

from evidence_archive.index import writer
from evidence_archive.index.writer import build_index, entries
from evidence_archive.pipeline import build
from evidence_archive.search.contract import Filters
from evidence_archive.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
STAFF: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "staff-queries.json").read_text()
)


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fts5(built: list[Any], path: Path) -> float:
    """SQLite FTS5 of the same entries, text stored (the reference); seconds to build."""
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE p USING fts5(pid UNINDEXED, text, tokenize='porter unicode61')"
    )
    for b in built:
        db.executemany("INSERT INTO p VALUES (?,?)", [(e.pid, e.text) for e in entries(b.doc)])
    db.commit()
    db.execute("INSERT INTO p(p) VALUES('optimize')")
    db.commit()
    db.execute("VACUUM")
    db.close()
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        shutil.copytree(ROOT / "corpus", tmp / "corpus")
        start = time.perf_counter()
        built = build([tmp / "corpus"], tmp / "out", site=False, index=True)
        first = time.perf_counter() - start
        compact = tmp / "out" / "index"
        timings: dict[str, list[float]] = {"compact": [], "whoosh": []}
        for codec, name in ((writer.CompactCodec, "compact"), (W3Codec, "whoosh")):
            for run in range(2):
                dest = tmp / f"{name}-{run}"
                old = writer.CODEC
                writer.CODEC = codec
                try:
                    start = time.perf_counter()
                    build_index(built, dest, procs=2)
                    timings[name].append(time.perf_counter() - start)
                finally:
                    writer.CODEC = old
        w3 = tmp / "whoosh-0"
        fts_seconds = fts5(built, tmp / "fts.db")
        text = sum(p.stat().st_size for p in (ROOT / "corpus").rglob("*.txt"))

        ours, theirs = Searcher(compact), Searcher(w3)
        compared = differ = 0
        for item in STAFF:
            for council in (None, item.get("council")):
                f = Filters(authority=[council]) if council else Filters()
                for fold in (True, False):
                    a = ours.search(item["q"], f, limit=50, facets=True, fold=fold)
                    b = theirs.search(item["q"], f, limit=50, facets=True, fold=fold)
                    compared += 1
                    if a != b:
                        differ += 1
                        print(f"DIFFERENT: {item['q']!r} council={council} fold={fold}")

        print(f"Real archive: {len(built)} documents, {text / 1e6:.1f} MB of text "
              f"(pages and index built in {first:.1f} s)\n")  # fmt: skip
        print("| index | MB | x corpus text | write s (2 runs, 2 processes) |")
        print("| --- | ---: | ---: | ---: |")
        rows = (
            ("evidence index, compact postings (as built)", compact, timings["compact"]),
            ("the same, Whoosh 3's own codec", w3, timings["whoosh"]),
            ("SQLite FTS5, same entries, text stored", tmp / "fts.db", [fts_seconds]),
        )
        for name, path, secs in rows:
            size = folder_bytes(path)
            spent = " / ".join(f"{s:.1f}" for s in secs)
            print(f"| {name} | {size / 1e6:.1f} | {size / text:.2f} | {spent} |")
        print(f"| corpus text (corpus/**/*.txt) | {text / 1e6:.1f} | 1.00 | |")
        parts: dict[str, int] = {}
        for p in compact.iterdir():
            key = "segments (.seg)" if p.suffix == ".seg" else p.name
            parts[key] = parts.get(key, 0) + p.stat().st_size
        print("\n| part of the index | MB |")
        print("| --- | ---: |")
        for key, size in sorted(parts.items(), key=lambda kv: -kv[1]):
            if size > 50_000:
                print(f"| {key} | {size / 1e6:.1f} |")
        print(f"\nAnswers compared (staff queries x whole/council x fold on/off, 50 hits with "
              f"facets): {compared}; different: {differ}")  # fmt: skip
        med = statistics.median
        print(f"Index write, compact vs Whoosh's codec: {med(timings['compact']):.1f} s vs "
              f"{med(timings['whoosh']):.1f} s")  # fmt: skip
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
