"""Search quality and latency: our index beside a SQLite FTS5 (bm25) table of the same entries.

Usage: python bench/search_eval.py [--runs 5]
Builds the archive's corpus (405 documents: the seeds and the real reports) and its index in a
temporary folder, and an FTS5 table of exactly the same entries; runs tests/data/relevance.json
through both; prints recall@10 and MRR, then latency p50/p95 (warm and cold; library, CLI and
API) and the index size. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from evidence_archive.dates import doc_date
from evidence_archive.index.writer import entries
from evidence_archive.pipeline import build
from evidence_archive.search.api import make_app
from evidence_archive.search.contract import Filters
from evidence_archive.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
RELEVANCE = json.loads((ROOT / "tests" / "data" / "relevance.json").read_text())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def make_corpus(tmp: Path) -> tuple[Path, list]:
    """The archive's own corpus (the seeds and the 400 real reports, the shared PDFs among
    them), built with its index into tmp."""
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    built = build([corpus], tmp / "out", site=False, index=True)
    return tmp / "out", built


def fts_table(built: list, path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE p USING fts5(pid UNINDEXED, doc UNINDEXED, authority UNINDEXED,"
        " kind UNINDEXED, year UNINDEXED, text, tokenize='porter unicode61')"
    )
    for b in built:
        m = b.doc.meta
        date = doc_date(b.doc)
        for e in entries(b.doc):
            db.execute(
                "INSERT INTO p VALUES (?,?,?,?,?,?)",
                (e.pid, b.doc.id, m.authority, m.kind, int(date[:4] or 0), e.text),
            )
    db.commit()
    return db


def fts_search(db: sqlite3.Connection, item: dict) -> list[tuple[str, str]]:
    words = re.findall(r"\w+", item["q"])
    match = " ".join(f'"{w}"' for w in words)
    sql, args = "SELECT doc, text FROM p WHERE p MATCH ?", [match]
    if item.get("authority"):
        sql += f" AND authority IN ({','.join('?' * len(item['authority']))})"
        args += item["authority"]
    if item.get("kind"):
        sql += " AND kind = ?"
        args.append(item["kind"])
    if item.get("from"):
        sql += " AND year >= ?"
        args.append(item["from"])
    if item.get("to"):
        sql += " AND year <= ?"
        args.append(item["to"])
    sql += " ORDER BY bm25(p) LIMIT 10"
    return list(db.execute(sql, args))


def filters(item: dict) -> Filters:
    return Filters.from_mapping(item)


def rank_of(hits: list[tuple[str, str]], item: dict) -> int | None:
    return next(
        (n for n, (doc, text) in enumerate(hits, 1) if doc == item["doc"] and item["has"] in text),
        None,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    items = list(RELEVANCE)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        out, built = make_corpus(tmp)
        db = fts_table(built, tmp / "fts.db")
        searcher = Searcher(out / "index")
        ours = [
            rank_of(
                [
                    (h["id"], h["text"])
                    for h in searcher.search(i["q"], filters(i), limit=10)["hits"]
                ],
                i,
            )
            for i in items
        ]
        base = [rank_of(fts_search(db, i), i) for i in items]

        def quality(ranks: list) -> tuple[float, float]:
            return (
                sum(1 for r in ranks if r) / len(ranks),
                sum(1 / r for r in ranks if r) / len(ranks),
            )

        print(f"{len(built)} documents, {len(items)} evaluation queries\n")
        print("| search | recall@10 | MRR |")
        print("| --- | ---: | ---: |")
        for name, ranks in (
            ("evidence (Whoosh BM25F, expansions)", ours),
            ("SQLite FTS5 bm25", base),
        ):
            r, m = quality(ranks)
            print(f"| {name} | {r:.2f} | {m:.2f} |")

        def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
            out_ms = []
            for i in items:
                start = time.perf_counter()
                fn(i)
                out_ms.append((time.perf_counter() - start) * 1000)
            return out_ms

        rows = []
        cold = timed(lambda i: Searcher(out / "index").search(i["q"], filters(i), limit=10))
        rows.append(("library, cold (index opened per query)", cold))
        warm: list[float] = []
        for _ in range(args.runs):
            warm += timed(lambda i: searcher.search(i["q"], filters(i), limit=10))
        rows.append(("library, warm", warm))
        fts: list[float] = []
        for _ in range(args.runs):
            fts += timed(lambda i: fts_search(db, i))
        rows.append(("SQLite FTS5, warm", fts))
        client = TestClient(make_app(out))

        def api(i: dict) -> None:
            params = [("q", i["q"]), ("limit", "10")] + [
                ("authority", a) for a in i.get("authority", [])
            ]
            for key in ("kind", "from", "to"):
                if i.get(key):
                    params.append((key, str(i[key])))
            assert client.get("/api/search", params=params).status_code == 200

        api(items[0])
        api_ms: list[float] = []
        for _ in range(args.runs):
            api_ms += timed(api)
        rows.append(("API (in-process HTTP), warm", api_ms))

        def cli(i: dict) -> None:
            cmd = [
                sys.executable,
                "-m",
                "evidence_archive.cli",
                "search",
                i["q"],
                "--index",
                str(out / "index"),
                "--format",
                "json",
            ]
            for a in i.get("authority", []):
                cmd += ["--authority", a]
            subprocess.run(cmd, check=True, capture_output=True)

        rows.append(("CLI (a new process per query: cold)", timed(cli)))
        print("\n| latency | p50 ms | p95 ms |")
        print("| --- | ---: | ---: |")
        for name, ms in rows:
            print(f"| {name} | {statistics.median(ms):.1f} | {pct(ms, 95):.1f} |")
        size = sum(p.stat().st_size for p in (out / "index").iterdir())
        print(f"\nindex: {size / 1e6:.1f} MB for {sum(len(entries(b.doc)) for b in built)} entries")


if __name__ == "__main__":
    main()
