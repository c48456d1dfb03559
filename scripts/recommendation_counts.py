"""A second count of each report's recommendations, from poppler's pdftotext, beside the
archive's own (parse/recommendations.py), to check the golden counts by hand.

Usage: python scripts/recommendation_counts.py ID... (or --sample N to pick N reports of each
framework, spread over the corpus). For each report it prints both counts and, where they
differ, the pdftotext lines it counted, so that a person can read the PDF's own words and decide.
The independent count: after a heading that says what must improve (not a contents line), every
line that starts with a bullet or a paragraph number, until a heading that begins another part.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

from evidence_archive.corpus.store import load_corpus
from evidence_archive.parse.document import parse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
START = re.compile(
    r"^\s*(what needs to improve( in this local authority)?\??|recommendations|areas for "
    r"improvement:?|priority and immediate action|what does the (local authority|lscb) need to "
    r"improve\?)\s*$",
    re.I,
)
END = re.compile(
    r"^\s*(summary|information about|the experiences and progress|the impact of leaders|"
    r"inspection (findings|judgements?)|what the inspection|the local authority has the "
    r"following strengths|key strengths|the effectiveness of|section \d|leadership, management"
    r" and governance (is|are)|the local safeguarding children board (is|requires)|"
    r"local authority$|this local authority)",
    re.I,
)
ITEM = re.compile(r"^\s*([\uf000-\uf8ff•▪■◼●]|\d{1,3}\.\s)")
NONE = re.compile(r"did not (find|identify) any", re.I)


def pdf_count(pdf: Path) -> tuple[int, list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    counted: list[str] = []
    inside = False
    for line in text.splitlines():
        if START.match(line):
            inside = True
            continue
        if inside and END.match(line):
            inside = False
        if inside and ITEM.match(line) and not NONE.search(line):
            counted.append(line.strip()[:90])
    return len(counted), counted


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--sample", type=int, default=0)
    args = ap.parse_args()
    entries = load_corpus([ROOT / "corpus"])
    if args.sample:
        by_fw: dict[str, list] = {}
        for e in entries:
            by_fw.setdefault(e.meta["framework"], []).append(e)
        chosen = []
        for group in by_fw.values():
            step = max(1, len(group) // args.sample)
            chosen += group[::step][: args.sample]
    else:
        chosen = [e for e in entries if e.id in set(args.ids)]
    for e in chosen:
        doc = parse(e.read_text(), e.meta)
        ours = len(doc.recommendations)
        pdf = SHARED / "archive-pdf" / e.meta["source_file"]
        if not pdf.exists():
            pdf = SHARED / "reports-pdf" / e.meta["source_file"]
        if not pdf.exists():
            print(f"{e.id}\tours {ours}\t(no PDF: a seed)")
            continue
        theirs, lines = pdf_count(pdf)
        flag = "" if theirs == ours else "\tDIFFERS"
        print(f"{e.id}\tours {ours}\tpdftotext {theirs}{flag}")
        if flag:
            for line in lines:
                print(f"      | {line}")


if __name__ == "__main__":
    main()
