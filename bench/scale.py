"""How every stage grows with the corpus: cold and incremental builds, sizes, memory, search.

Usage: python bench/scale.py [--sizes 20 200 1000] [--runs 3] [--keep DIR]

For each N, makes a scale corpus of N documents from the real ones (bench/scale_corpus.py: the
seeds and the shared PDFs' texts under other councils and dates, in a temporary folder, never
committed), then measures in a fresh process each: a cold build (parse+render, index, MkDocs,
total, peak memory), an incremental build after adding one document, the index and site sizes,
and search latency p50/p95 warm and cold over tests/data/relevance.json, beside the same queries
on a SQLite FTS5 table of the same entries in the same run, and the API's (in process, every
search computed) over the staff queries of tests/data/staff-queries.json, and static search as
a reader meets it (bench/static_search.py's queries in headless Chromium: KB fetched, time to
results). Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from evidence_archive.dates import doc_date  # noqa: E402
from evidence_archive.index.writer import entries  # noqa: E402
from evidence_archive.registry import load_registry  # noqa: E402
from evidence_archive.search.contract import Filters  # noqa: E402
from evidence_archive.search.searcher import Searcher  # noqa: E402
from scale_corpus import base_documents, make_corpus, variant, write_document  # noqa: E402
from search_eval import RELEVANCE, STAFF, fts_search, pct  # noqa: E402


def run_build(corpus: Path, out: Path) -> dict[str, Any]:
    """One `evidence build` in a fresh process: its stage times, counts and peak memory."""
    code = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from evidence_archive.build.cache import Stats\n"
        "from evidence_archive.pipeline import build\n"
        "s = Stats()\n"
        "build([Path(sys.argv[1])], Path(sys.argv[2]), stats=s)\n"
        "self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'seconds': s.seconds, 'parsed': s.parsed, 'reused': s.reused,\n"
        "  'incremental': s.incremental, 'rss_mb': max(self_kb, kids_kb) / 1024}))\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"build of {corpus} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def search_latency(index: Path, runs: int) -> dict[str, float]:
    """p50/p95 in ms: cold (first query of a newly opened index) and warm (after a pass)."""
    cold = []
    for item in RELEVANCE:
        s = Searcher(index)
        t = time.perf_counter()
        s.search(item["q"], Filters.from_mapping(item), limit=10)
        cold.append((time.perf_counter() - t) * 1000)
    s = Searcher(index)
    for item in RELEVANCE:
        s.search(item["q"], Filters.from_mapping(item), limit=10)
    warm = []
    for _ in range(runs):
        for item in RELEVANCE:
            t = time.perf_counter()
            s.search(item["q"], Filters.from_mapping(item), limit=10)
            warm.append((time.perf_counter() - t) * 1000)
    return {"cold50": pct(cold, 50), "cold95": pct(cold, 95),
            "warm50": pct(warm, 50), "warm95": pct(warm, 95)}  # fmt: skip


def api_latency(out: Path, runs: int) -> dict[str, float]:
    """The API in process (20 hits, facets, councils, folding, query understanding: every
    search computed, none kept) over the 202 staff queries: p50/p95 in ms, warm."""
    from starlette.testclient import TestClient

    from evidence_archive.search.api import make_app

    client = TestClient(make_app(out, kept=0))
    for item in STAFF:
        client.get("/api/search", params={"q": item["q"]})
    ms = []
    for _ in range(runs):
        for item in STAFF:
            t = time.perf_counter()
            assert client.get("/api/search", params={"q": item["q"]}).status_code == 200
            ms.append((time.perf_counter() - t) * 1000)
    return {"warm50": pct(ms, 50), "warm95": pct(ms, 95)}


def fts_latency(corpus: Path, db_path: Path, runs: int) -> dict[str, float]:
    """The same queries on an FTS5 (porter, bm25) table of the same entries."""
    from evidence_archive.build.cache import Cache, code_version, document_key
    from evidence_archive.corpus.store import load_corpus

    cache = Cache(corpus.parent / f".{corpus.name}-out-cache")
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE VIRTUAL TABLE p USING fts5(pid UNINDEXED, doc UNINDEXED, authority UNINDEXED,"
        " kind UNINDEXED, year UNINDEXED, text, tokenize='porter unicode61')"
    )
    code = code_version()
    for e in load_corpus([corpus]):
        b = cache.get(document_key(e, code))
        assert b is not None, "the build's cache should hold every document"
        m = b.doc.meta
        date = doc_date(b.doc)
        db.executemany(
            "INSERT INTO p VALUES (?,?,?,?,?,?)",
            [(x.pid, b.doc.id, m.authority, m.kind, int(date[:4] or 0), x.text)
             for x in entries(b.doc)],
        )  # fmt: skip
    db.commit()
    db.close()
    db = sqlite3.connect(db_path)
    cold = []
    for item in RELEVANCE[:1]:
        t = time.perf_counter()
        fts_search(db, item)
        cold.append((time.perf_counter() - t) * 1000)
    warm = []
    for _ in range(runs):
        for item in RELEVANCE:
            t = time.perf_counter()
            fts_search(db, item)
            warm.append((time.perf_counter() - t) * 1000)
    return {"warm50": pct(warm, 50), "warm95": pct(warm, 95), "first": cold[0]}


def static_search_bytes(site: Path) -> dict[str, float]:
    """Static search as a reader meets it (bench/static_search.py, in headless Chromium): KB
    fetched by the first search after the page loads and the most by a next one, and the
    slowest time from typing to results; {} without Chromium."""
    from static_search import QUERIES, browse

    try:
        rows = browse(site, QUERIES)
    except Exception as err:  # noqa: BLE001 - no browser here: the row is left out
        print(f"static search not measured: {err!r}"[:300], file=sys.stderr)
        return {}
    return {"first": rows[0]["bytes"] / 1024, "next": max(r["bytes"] for r in rows[1:]) / 1024,
            "ms": max(r["ms"] for r in rows)}  # fmt: skip


def measure(n: int, work: Path, bases: list[Any], runs: int) -> dict[str, Any]:
    corpus = work / f"corpus-{n}"
    out = work / f"corpus-{n}-out"
    make_corpus(n, corpus, bases)
    cold = run_build(corpus, out)
    slugs = sorted(a.slug for a in load_registry().authorities if a.current)
    text, meta = variant(bases[n % len(bases)], n, len(bases), slugs)
    write_document(corpus, text, meta)  # one more document, as a corpus commit would add
    inc = run_build(corpus, out)
    assert inc["incremental"] and inc["parsed"] == 1, inc
    # And a report newer than all others, as each new inspection arrives: it changes its
    # council's headline and its neighbours' and region's comparisons, and the archive's date.
    text, meta = variant(bases[(n + 1) % len(bases)], n + 1, len(bases), slugs)
    meta["published"] = datetime.date.today().isoformat()
    write_document(corpus, text, meta)
    newest = run_build(corpus, out)
    assert newest["incremental"] and newest["parsed"] == 1, newest
    entries_count = json.loads((out / "index" / "archive.json").read_text())["entries"]
    lat = search_latency(out / "index", runs)
    api = api_latency(out, runs)
    fts = fts_latency(corpus, work / f"fts-{n}.db", runs)
    site_search = out / "site" / "search" / "search_index.json"
    static = static_search_bytes(out / "site")
    return {
        "documents": n,
        "entries": entries_count,
        "cold": cold,
        "inc": inc,
        "newest": newest,
        "index_mb": size_mb(out / "index"),
        "site_mb": size_mb(out / "site"),
        "site_search_mb": site_search.stat().st_size / 1e6,
        "fts_mb": (work / f"fts-{n}.db").stat().st_size / 1e6,
        "lat": lat,
        "api": api,
        "fts": fts,
        "static": static,
    }


def _per_doc(r: dict[str, Any]) -> float:
    return float(r["cold"]["seconds"]["total"]) * 1000 / int(r["documents"])


def _ratio(ours: dict[str, float], fts: dict[str, float]) -> str:
    return f"{ours['warm95'] / fts['warm95']:.1f}x"


def _pair(d: dict[str, float], a: str, b: str, digits: int = 1) -> str:
    return f"{d[a]:.{digits}f} / {d[b]:.{digits}f}"


ROWS: list[tuple[str, Any]] = [
    ("index entries", lambda r: f"{r['entries']:,}"),
    ("cold: parse + render (s)", lambda r: f"{r['cold']['seconds']['parse']:.1f}"),
    ("cold: index (s)", lambda r: f"{r['cold']['seconds']['index']:.1f}"),
    ("cold: `mkdocs build` (s)", lambda r: f"{r['cold']['seconds']['site']:.1f}"),
    ("cold: total build (s)", lambda r: f"{r['cold']['seconds']['total']:.1f}"),
    ("cold: ms per document", lambda r: f"{_per_doc(r):.0f}"),
    ("incremental, one added (s)", lambda r: f"{r['inc']['seconds']['total']:.1f}"),
    ("  of which parse / index / site (s)", lambda r: " / ".join(
        f"{r['inc']['seconds'][k]:.1f}" for k in ("parse", "index", "site"))),
    ("incremental, the newest report added (s)",
     lambda r: f"{r['newest']['seconds']['total']:.1f}" if "newest" in r else "not measured"),
    ("peak memory, cold build (MB)", lambda r: f"{r['cold']['rss_mb']:.0f}"),
    ("index size (MB)", lambda r: f"{r['index_mb']:.1f}"),
    ("site size (MB)", lambda r: f"{r['site_mb']:.1f}"),
    ("  of which site search index (MB)", lambda r: f"{r['site_search_mb']:.2f}"),
    ("search warm p50 / p95 (ms)", lambda r: _pair(r["lat"], "warm50", "warm95")),
    ("search cold p50 / p95 (ms)", lambda r: _pair(r["lat"], "cold50", "cold95")),
    ("API warm p50 / p95, staff queries (ms)", lambda r: _pair(r["api"], "warm50", "warm95")),
    ("FTS5 warm p50 / p95 (ms)", lambda r: _pair(r["fts"], "warm50", "warm95", 2)),
    ("  search warm p95 / FTS5 warm p95", lambda r: _ratio(r["lat"], r["fts"])),
    ("FTS5 table size (MB)", lambda r: f"{r['fts_mb']:.1f}"),
    ("static search: first / most next query (KB)", lambda r: _pair(r["static"], "first", "next", 0)
     if r.get("static") else "not measured"),
    ("static search: slowest typing to results (ms)", lambda r: f"{r['static']['ms']:.0f}"
     if r.get("static") else "not measured"),
]  # fmt: skip


def table(results: list[dict[str, Any]]) -> str:
    head = "| N documents | " + " | ".join(str(r["documents"]) for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    lines += [f"| {name} | " + " | ".join(fn(r) for r in results) + " |" for name, fn in ROWS]
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 200, 1000])
    ap.add_argument("--runs", type=int, default=3, help="warm passes over the queries")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    bases = base_documents()
    results = []
    try:
        for n in args.sizes:
            results.append(measure(n, work, bases, args.runs))
            print(f"N={n} done", file=sys.stderr, flush=True)
            (work / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Machine: {machine()}; {len(bases)} base documents.\n")
    print(table(results))


if __name__ == "__main__":
    main()
