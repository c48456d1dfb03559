"""Extraction speed: pages per second for the real PDFs, ours beside poppler's pdftotext.

Usage: python bench/extract_speed.py [../shared/reports-pdf] [--repeat 3]
Prints one Markdown table. pdftotext (Debian poppler-utils) runs one process per file, as a
user would run it; ours is the full extraction (layout, superscripts, furniture) in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import shutil
import subprocess
import time
from pathlib import Path

import pypdfium2 as pdfium

from evidence_archive.errors import ArchiveError
from evidence_archive.ingest.pdf import extract

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "reports-pdf")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pdfs = []
    for p in sorted(args.folder.glob("*.pdf")):
        try:
            pdfium.PdfDocument(str(p))
        except pdfium.PdfiumError:
            continue  # the bad file of the set
        pdfs.append(p)
    pages = sum(len(pdfium.PdfDocument(str(p))) for p in pdfs)

    def ours() -> None:
        for p in pdfs:
            with contextlib.suppress(ArchiveError):
                extract(p)

    def plain() -> None:
        for p in pdfs:
            doc = pdfium.PdfDocument(str(p))
            for page in doc:
                page.get_textpage().get_text_range()

    rows = [
        ("evidence extract (pypdfium2, positions, furniture)", best_of(args.repeat, ours)),
        ("pypdfium2 plain get_text_range", best_of(args.repeat, plain)),
    ]
    tool = shutil.which("pdftotext")
    if tool:

        def poppler() -> None:
            for p in pdfs:
                subprocess.run([tool, "-q", str(p), "-"], check=True, capture_output=True)

        rows.append(("poppler pdftotext (one process per file)", best_of(args.repeat, poppler)))
    machine = platform.processor() or platform.machine()
    print(f"{len(pdfs)} PDFs, {pages} pages; best of {args.repeat}; {machine}")
    print()
    print("| extractor | seconds | pages/s |")
    print("| --- | ---: | ---: |")
    for name, secs in rows:
        print(f"| {name} | {secs:.2f} | {pages / secs:.0f} |")
    if not tool:
        print("\npdftotext is not installed (Debian: apt-get install poppler-utils)")


if __name__ == "__main__":
    main()
