"""Search quality and latency on the real archive: evidence search beside SQLite FTS5 and
Tantivy (BM25, words ANDed and ORed), on the same entries, in the same run.

Usage: python bench/search_eval.py [--runs 3]
Builds the archive's corpus (the seeds and the real reports) and its index in a temporary
folder, an FTS5 table and a Tantivy index of exactly the same entries; runs the staff queries of
tests/data/staff-queries.json (each written from one real paragraph, in a staff member's words;
a third held out as the test part, never tuned on) through all five, over the whole archive and
filtered to the paragraph's council. Relevance is graded: 2 for the paragraph a query was written
from, 1 for each other paragraph that answers it as well, found by pooling (the first three of
every system here, whole archive and filtered) and judged by reading each against the query.
Prints recall@10 (any relevant paragraph in the first ten), source recall@10 (the paragraph the
query was written from), MRR and nDCG@10 per part, then latency
p50/p95 (library warm and cold, the peers, the API in-process, a new CLI process per query) and
the index sizes beside the corpus text. Prints Markdown tables. Needs `pip install tantivy`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from evidence_archive.index.writer import entries
from evidence_archive.pipeline import build
from evidence_archive.search.api import make_app
from evidence_archive.search.contract import Filters
from evidence_archive.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
RELEVANCE = json.loads((ROOT / "tests" / "data" / "relevance.json").read_text())
STAFF: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "staff-queries.json").read_text()
)
WORDS = re.compile(r"\w+")
K = 10


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def make_corpus(tmp: Path) -> tuple[Path, list[Any]]:
    """The archive's own corpus, built with its index into tmp."""
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    built = build([corpus], tmp / "out", site=False, index=True)
    return tmp / "out", built


def fts_table(built: list[Any], path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE p USING fts5(pid UNINDEXED, doc UNINDEXED, authority UNINDEXED,"
        " kind UNINDEXED, year UNINDEXED, text, tokenize='porter unicode61')"
    )
    for b in built:
        m = b.doc.meta
        year = int(str(m.published or m.inspection_end or m.plan_start or "0")[:4] or 0)
        db.executemany(
            "INSERT INTO p VALUES (?,?,?,?,?,?)",
            [(e.pid, b.doc.id, str(m.authority), str(m.kind), year, e.text)
             for e in entries(b.doc)],
        )  # fmt: skip
    db.commit()
    return db


def fts_search(
    db: sqlite3.Connection, item: dict[str, Any], council: str | None = None, mode: str = "AND"
) -> list[str]:
    """The pids FTS5 ranks first (bm25) for the query's words, ANDed or ORed."""
    words = WORDS.findall(item["q"])
    match = f" {mode} ".join(f'"{w}"' for w in words)
    sql, args = "SELECT pid FROM p WHERE p MATCH ?", [match]
    if council:
        sql += " AND authority = ?"
        args.append(council)
    sql += f" ORDER BY bm25(p) LIMIT {K}"
    return [r[0] for r in db.execute(sql, args)]


def tantivy_index(built: list[Any], path: Path) -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("pid", stored=True, tokenizer_name="raw")
    sb.add_text_field("authority", stored=False, tokenizer_name="raw")
    sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
    path.mkdir()
    ix = tantivy.Index(sb.build(), path=str(path))
    w = ix.writer(heap_size=256_000_000, num_threads=1)
    for b in built:
        for e in entries(b.doc):
            w.add_document(tantivy.Document(pid=e.pid, authority=str(b.doc.meta.authority),
                                            text=e.text))  # fmt: skip
    w.commit()
    w.wait_merging_threads()
    ix.reload()
    return ix


def tantivy_search(
    ix: Any, item: dict[str, Any], council: str | None = None, mode: str = "AND"
) -> list[str]:
    """The pids Tantivy ranks first (BM25) for the query's words, ANDed or ORed."""
    import tantivy

    words = [w.lower() for w in WORDS.findall(item["q"])]
    text = " ".join(("+" if mode == "AND" else "") + w for w in words)
    query = ix.parse_query(text, ["text"])
    if council:
        only = tantivy.Query.term_query(ix.schema, "authority", council)
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)]
        )
    searcher = ix.searcher()
    return [searcher.doc(a)["pid"][0] for _, a in searcher.search(query, K).hits]


def ours(searcher: Searcher, item: dict[str, Any], council: str | None = None) -> list[str]:
    f = Filters(authority=[council]) if council else Filters()
    return [f"{h['id']}#{h['anchor']}" for h in searcher.search(item["q"], f, limit=K)["hits"]]


def scores(
    ranked: list[list[str]], items: list[dict[str, Any]]
) -> tuple[float, float, float, float]:
    """recall@10 (a relevant paragraph in the first ten), source recall@10 (the paragraph the
    query was written from, graded 2, in the first ten), MRR and nDCG@10 (graded)."""
    recall = source = mrr = ndcg = 0.0
    for pids, item in zip(ranked, items, strict=True):
        grades: dict[str, int] = item["relevant"]
        ranks = [n for n, pid in enumerate(pids[:K], 1) if pid in grades]
        recall += bool(ranks)
        source += any(grades.get(pid) == 2 for pid in pids[:K])
        mrr += 1 / ranks[0] if ranks else 0.0
        dcg = sum((2 ** grades[pid] - 1) / math.log2(n + 1)
                  for n, pid in enumerate(pids[:K], 1) if pid in grades)  # fmt: skip
        ideal = sorted(grades.values(), reverse=True)[:K]
        idcg = sum((2**g - 1) / math.log2(n + 1) for n, g in enumerate(ideal, 1))
        ndcg += dcg / idcg if idcg else 0.0
    n = len(items) or 1
    return recall / n, source / n, mrr / n, ndcg / n


def quality(systems: dict[str, Callable[[dict[str, Any], str | None], list[str]]]) -> None:
    """Tables of recall@10 / MRR / nDCG@10, whole archive and filtered to the council."""
    parts = {"tune": [i for i in STAFF if i["part"] == "tune"],
             "test": [i for i in STAFF if i["part"] == "test"]}  # fmt: skip
    councils = len({i["council"] for i in STAFF})
    print(f"{len(STAFF)} staff queries from {councils} councils "
          f"({len(parts['tune'])} tuning, {len(parts['test'])} held out)\n")  # fmt: skip
    for scope in ("whole archive", "filtered to the council"):
        print(
            f"| {scope} | tune R@10 | source R@10 | MRR | nDCG@10 "
            "| test R@10 | source R@10 | MRR | nDCG@10 |"
        )
        print("| --- |" + " ---: |" * 8)
        for name, run in systems.items():
            cells = []
            for items in parts.values():
                ranked = [run(i, i["council"] if scope != "whole archive" else None)
                          for i in items]  # fmt: skip
                cells += [f"{x:.2f}" for x in scores(ranked, items)]
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()


def timed(fn: Callable[[dict[str, Any]], Any], items: list[dict[str, Any]]) -> list[float]:
    out_ms = []
    for i in items:
        start = time.perf_counter()
        fn(i)
        out_ms.append((time.perf_counter() - start) * 1000)
    return out_ms


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    items = STAFF
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        out, built = make_corpus(tmp)
        db = fts_table(built, tmp / "fts.db")
        tix = tantivy_index(built, tmp / "tantivy")
        searcher = Searcher(out / "index")
        print(f"{len(built)} documents, {sum(len(entries(b.doc)) for b in built)} entries\n")
        quality({
            "evidence search": lambda i, c: ours(searcher, i, c),
            "SQLite FTS5 bm25, words ANDed": lambda i, c: fts_search(db, i, c, "AND"),
            "SQLite FTS5 bm25, words ORed": lambda i, c: fts_search(db, i, c, "OR"),
            "Tantivy BM25, words ANDed": lambda i, c: tantivy_search(tix, i, c, "AND"),
            "Tantivy BM25, words ORed": lambda i, c: tantivy_search(tix, i, c, "OR"),
        })  # fmt: skip

        rows = []
        rows.append(("library, cold (index opened per query)",
                     timed(lambda i: Searcher(out / "index").search(i["q"], limit=K),
                           items[:30])))  # fmt: skip
        for name, fn in (
            ("library, warm", lambda i: searcher.search(i["q"], limit=K)),
            ("library, warm, filtered to the council",
             lambda i: searcher.search(i["q"], Filters(authority=[i["council"]]), limit=K)),
            ("SQLite FTS5, warm (AND)", lambda i: fts_search(db, i)),
            ("Tantivy, warm (AND)", lambda i: tantivy_search(tix, i)),
        ):  # fmt: skip
            fn(items[0])
            ms: list[float] = []
            for _ in range(args.runs):
                ms += timed(fn, items)
            rows.append((name, ms))
        client = TestClient(make_app(out, kept=0))

        def api(i: dict[str, Any]) -> None:
            assert client.get("/api/search", params={"q": i["q"]}).status_code == 200

        api(items[0])
        api_ms: list[float] = []
        for _ in range(args.runs):
            api_ms += timed(api, items)
        rows.append(("API (in-process HTTP, 20 hits and facets), warm", api_ms))

        def cli(i: dict[str, Any]) -> None:
            cmd = [sys.executable, "-m", "evidence_archive.cli", "search", i["q"],
                   "--index", str(out / "index"), "--format", "json"]  # fmt: skip
            subprocess.run(cmd, check=True, capture_output=True)

        # The reference loads NumPy as the CLI does: OpenBLAS with one thread (the package sets
        # it; evidence_archive/__init__.py).
        one_thread = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}

        def floor(_: dict[str, Any]) -> None:
            # What any process that searches with NumPy pays before it starts: the reference.
            cmd = [sys.executable, "-c", "import numpy, os; os._exit(0)"]
            subprocess.run(cmd, check=True, capture_output=True, env=one_thread)

        cli_ms: list[float] = []
        floor_ms: list[float] = []
        for i in items[:30] * args.runs:  # one after the other: the same moments of the machine
            cli_ms += timed(cli, [i])
            floor_ms += timed(floor, [i])
        rows.append(("CLI (a new process per query)", cli_ms))
        rows.append(("reference: a new Python process that imports NumPy, nothing else", floor_ms))
        print("| latency | p50 ms | p95 ms |")
        print("| --- | ---: | ---: |")
        for name, ms in rows:
            print(f"| {name} | {statistics.median(ms):.1f} | {pct(ms, 95):.1f} |")
        db.close()
        text = sum(p.stat().st_size for p in (ROOT / "corpus").rglob("*.txt"))
        print("\n| size | MB | x corpus text |")
        print("| --- | ---: | ---: |")
        sizes = (
            ("evidence index (text stored)", out / "index"),
            ("SQLite FTS5 (text stored)", tmp / "fts.db"),
            ("Tantivy (text not stored)", tmp / "tantivy"),
        )
        for name, path in sizes:
            print(f"| {name} | {size_mb(path):.1f} | {size_mb(path) * 1e6 / text:.2f} |")
        print(f"| corpus text (corpus/**/*.txt) | {text / 1e6:.1f} | 1.00 |")


if __name__ == "__main__":
    main()
