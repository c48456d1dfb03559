"""Ingest at archive scale: every real PDF in one call, beside poppler's pdftotext on the same
files in the same run, and the cost of one ingest into an empty and into the full corpus.

Usage: python bench/ingest_speed.py [--repeat 3]
Prints one Markdown table. Needs ../shared (the PDFs) and pdftotext (Debian poppler-utils) for
the reference rows. Every figure is measured in this run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BAD = {"birmingham-2012-10-19.pdf"}  # an HTML page saved as .pdf


def _pdfs() -> list[Path]:
    out = []
    for folder in ("archive-pdf", "reports-pdf"):
        out += sorted(p for p in (SHARED / folder).glob("*.pdf") if p.name not in BAD)
    return out


def _pages(pdfs: list[Path]) -> int:
    return sum(len(pdfium.PdfDocument(str(p))) for p in pdfs)


def _evidence(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evidence_archive.cli", *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _pdftotext(pdfs: list[Path], jobs: int) -> float:
    def run() -> None:
        procs: list[subprocess.Popen[bytes]] = []
        for p in pdfs:
            procs.append(subprocess.Popen(["pdftotext", str(p), "-"], stdout=subprocess.DEVNULL))
            while sum(q.poll() is None for q in procs) >= jobs:
                time.sleep(0.002)
        for q in procs:
            q.wait()

    return _timed(run)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the one-PDF ingests")
    args = ap.parse_args()
    pdfs = _pdfs()
    pages = _pages(pdfs)
    cores = os.cpu_count() or 1
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result: list[subprocess.CompletedProcess[str]] = []
        batch = (
            "ingest",
            *map(str, pdfs),
            "--corpus",
            str(corpus),
            "--keep-going",
            "--no-progress",
        )
        seconds = _timed(lambda: result.append(_evidence(*batch)))
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        written = len(list(corpus.glob("*/*.yml")))
        what = f"evidence ingest, {len(pdfs)} PDFs in one call ({written} written, exit "
        what += f"{result[0].returncode})"
        rows.append((what, f"{seconds:.1f} s, {pages / seconds:.0f} pages/s"))
        rows.append(("  peak memory of the largest process", f"{peak:.0f} MB"))
        if shutil.which("pdftotext"):
            for jobs in (1, cores):
                t = _pdftotext(pdfs, jobs)
                rows.append((f"pdftotext, same files, {jobs} at a time",
                             f"{t:.1f} s, {pages / t:.0f} pages/s"))  # fmt: skip
        # One PDF into an empty corpus and into the full one (its own document taken out).
        pdf = SHARED / "archive-pdf" / "kent-2022-07-05.pdf"
        full = Path(tmp) / "full"
        shutil.copytree(ROOT / "corpus", full)
        doc = next(p for p in full.glob("kent/*.yml") if "kent-2022-07-05.pdf" in p.read_text())
        for suffix in (".yml", ".txt", ".ids"):
            doc.with_suffix(suffix).unlink()
        index = full / "sources.tsv"
        kept = [line for line in index.read_text().splitlines(True) if doc.stem not in line]
        index.write_text("".join(kept))
        one: dict[str, list[float]] = {"empty": [], "full": []}
        for _ in range(args.repeat):
            for name in ("empty", "full"):
                target = Path(tmp) / f"run-{name}"
                shutil.rmtree(target, ignore_errors=True)
                if name == "full":
                    shutil.copytree(full, target)
                done: list[subprocess.CompletedProcess[str]] = []
                t = _timed(lambda target=target, done=done: done.append(
                    _evidence("ingest", str(pdf), "--corpus", str(target))))  # fmt: skip
                if done[0].returncode != 0:
                    raise SystemExit(f"one-PDF ingest failed: {done[0].stderr}")
                one[name].append(t)
        docs = len(list(full.glob("*/*.yml")))
        e, f = statistics.median(one["empty"]), statistics.median(one["full"])
        rows.append((f"one PDF ({_pages([pdf])} pages) into an empty corpus, median",
                     f"{e:.2f} s"))  # fmt: skip
        rows.append((f"the same into the full corpus ({docs} documents), median",
                     f"{f:.2f} s ({(f / e - 1) * 100:+.0f} %)"))  # fmt: skip
    print(
        f"Ingest on {platform.processor() or platform.machine()}, {cores} cores, "
        f"{len(pdfs)} PDFs, {pages} pages\n"
    )
    print("| what | figure |\n| --- | --- |")
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()
