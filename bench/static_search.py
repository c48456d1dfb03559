"""Static search (the site's own static index) as a reader meets it: bytes downloaded and time
to results in real Chromium, index size and indexing time, and report-level relevance beside the
API's.

Usage:
    python bench/static_search.py --site build/site [--corpus corpus] [--index build/index]
        [--label "real corpus"]

The site is served by a plain static file server on loopback. For five typical queries (one
word, two words, a council's name, a phrase, a rare term) it measures the bytes the browser
fetches for the first search after the page loads and for each next one (transfer sizes from the
Resource Timing API, cache warm within the page as a reader's would be), and the time from
submitting the form to the results on screen. With --index it also runs the staff query set of
tests/data/relevance.json through the static index and through `evidence search`, and reports
report-level recall@10 for both. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.browser.conftest import CHROMEDRIVER, CHROMIUM  # noqa: E402

from evidence_archive.site.static_files import sections_of  # noqa: E402
from evidence_archive.site.static_search import index_site  # noqa: E402

QUERIES = [
    ("one word", "adoption"),
    ("two words", "missing children"),
    ("a council's name", "Hampshire"),
    ("a phrase", '"return home interviews"'),
    ("a rare term", "Mockingbird"),
]


def _browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--window-size=1280,1000"):  # fmt: skip
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(60)
    return driver


class _Counting(http.server.SimpleHTTPRequestHandler):
    """A plain static file server that counts the bytes it sends: what crossed the wire."""

    sent: list[int] = [0]
    files: list[int] = [0]

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        data = source.read()
        outputfile.write(data)
        self.sent[0] += len(data)
        self.files[0] += 1

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def counting_server(site: Path):  # type: ignore[no-untyped-def]
    handler = functools.partial(_Counting, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


_SEARCH = """
const [q, done] = [arguments[0], arguments[arguments.length - 1]];
const status = document.getElementById('es-status');
status.textContent = '';
const t0 = performance.now();
const obs = new MutationObserver(() => {
  if (/match/.test(status.textContent)) {
    obs.disconnect();
    const t1 = performance.now();
    done({ms: t1 - t0, status: status.textContent,
          urls: Array.from(document.querySelectorAll('#es-results > li > p > a'))
                  .map(a => a.getAttribute('href'))});
  }
});
obs.observe(status, {childList: true, characterData: true, subtree: true});
document.getElementById('es-q').value = q;
document.getElementById('es-form').requestSubmit();
"""


def browse(site: Path, queries: list[tuple[str, str]]) -> list[dict]:  # type: ignore[type-arg]
    """Run the queries in one page load, in order; the first pays for the search code."""
    driver = _browser()
    out = []
    try:
        with counting_server(site) as base:
            driver.get(base + "search/")
            time.sleep(1.0)
            for what, q in queries:
                sent, files = _Counting.sent[0], _Counting.files[0]
                r = driver.execute_async_script(_SEARCH, q)
                time.sleep(0.2)  # fragments of the results fetched after the list is drawn
                out.append({"what": what, "q": q, "bytes": _Counting.sent[0] - sent,
                            "files": _Counting.files[0] - files, **r})  # fmt: skip
    finally:
        driver.quit()
    return out


def relevance(site: Path, index: Path) -> tuple[float, float, int]:
    """Report-level recall@10 of the static index and of the API's search, same queries."""
    from evidence_archive.search.searcher import Searcher

    cases = json.loads((ROOT / "tests" / "data" / "relevance.json").read_text())
    static = browse(site, [(c["q"], c["q"]) for c in cases])
    searcher = Searcher(index)
    hit_static = hit_api = 0
    for case, got in zip(cases, static, strict=True):
        ids = [u.rstrip("/").split("#")[0].rstrip("/").split("/")[-1] for u in got["urls"]]
        # The page shows 10 reports; the API's 10 first distinct reports among its paragraphs.
        hit_static += case["doc"] in ids[:10]
        docs: list[str] = []
        for h in searcher.search(case["q"], limit=200)["hits"]:
            if h["id"] not in docs:
                docs.append(h["id"])
        hit_api += case["doc"] in docs[:10]
    return hit_static / len(cases), hit_api / len(cases), len(cases)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=ROOT / "build" / "site")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="the site's corpus")
    ap.add_argument("--index", type=Path, help="the Whoosh index, for the relevance rows")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    from evidence_archive.build.parsing import parse_corpus

    reports = len(list((args.site / "reports").glob("*/*/index.html")))
    docs = [b.doc for b in parse_corpus([args.corpus], jobs=2)]
    sections = sum(len(sections_of(d)) for d in docs)
    with tempfile.TemporaryDirectory() as tmp:
        # A cold index (every report indexed) into a folder of its own.
        indexed = index_site(Path(tmp) / "site", docs)
    folder = args.site / "static-search"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"Static search, {args.label or args.site}: {reports} report pages, {sections} "
          "sections\n")  # fmt: skip
    print("| what | figure |\n| --- | --- |")
    print(f"| index | {size / 1e6:.1f} MB in {files} files |")
    print(f"| indexing (every report, in one process) | {indexed.seconds:.1f} s |")
    rows = browse(args.site, QUERIES)
    print("\n| query | | first or next | downloaded | files | typing to results |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for n, r in enumerate(rows):
        print(f"| {r['what']} | `{r['q']}` | {'first' if n == 0 else 'next'} | "
              f"{r['bytes'] / 1024:.0f} KB | {r['files']} | {r['ms']:.0f} ms |")  # fmt: skip
    if args.index:
        s, a, n = relevance(args.site, args.index)
        print(f"\n| report-level recall@10, {n} staff queries | static | API |")
        print("| --- | ---: | ---: |")
        print(f"| | {s:.2f} | {a:.2f} |")
    if shutil.which("git"):
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()  # fmt: skip
        print(f"\n(commit {commit})")


if __name__ == "__main__":
    main()
