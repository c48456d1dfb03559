"""Incremental builds of the real archive: what one corpus commit costs CI.

Usage: python bench/incremental.py [--runs 3] [--report barnet/barnet-2017-07-07-single-inspection]

Copies corpus/ into a temporary folder and builds it cold (pages, open data, index, site, static
index), then --runs times each, every build a fresh process as in CI: a rebuild with nothing
changed (the reference, measured in the same run: what every build pays to load the corpus and
swap the output in), the report removed (its text, metadata and paragraph ids moved out), the
report added back, and one document's metadata changed (its title) and changed back. Prints
each case's seconds, min / median / max, in total and by stage (the index and the site run at
the same time), as a Markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from evidence_archive.corpus.store import dump_meta, load_corpus  # noqa: E402
from scale import machine, run_build  # noqa: E402

STAGES = ("total", "parse", "write", "index", "site")


def _move(corpus: Path, rel: str, into: Path) -> None:
    for suffix in (".txt", ".yml", ".ids"):
        src = corpus / f"{rel}{suffix}"
        if src.exists():
            (into / src.name).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(src, into / src.name)


def _move_back(corpus: Path, rel: str, held: Path) -> None:
    for p in sorted(held.iterdir()):
        shutil.move(p, corpus / rel.split("/")[0] / p.name)


def _retitle(corpus: Path, rel: str, suffix: str) -> None:
    path = corpus / f"{rel}.yml"
    (entry,) = [e for e in load_corpus([corpus]) if e.meta_path == path]
    meta = dict(entry.meta)
    title = str(meta["title"]).removesuffix(" (revised)")
    meta["title"] = title + suffix
    path.write_text(dump_meta(meta), encoding="utf-8")


def _row(name: str, runs: list[dict[str, Any]]) -> str:
    cells = []
    for stage in STAGES:
        values = sorted(float(r["seconds"].get(stage, 0.0)) for r in runs)
        cells.append(f"{values[0]:.1f} / {statistics.median(values):.1f} / {values[-1]:.1f}")
    return f"| {name} | {len(runs)} | " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--report", default="barnet/barnet-2017-07-07-single-inspection")
    ap.add_argument("--retitle", default="barnet/barnet-2019-05-24-ilacs-inspection")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        corpus, out, held = tmp / "corpus", tmp / "out", tmp / "held"
        shutil.copytree(ROOT / "corpus", corpus)
        held.mkdir()
        cold = run_build(corpus, out)
        cases: dict[str, list[dict[str, Any]]] = {
            "nothing changed (reference)": [], "one report removed": [],
            "one report added": [], "one document's metadata changed": [],
        }  # fmt: skip
        for _ in range(args.runs):
            cases["nothing changed (reference)"].append(run_build(corpus, out))
            _move(corpus, args.report, held)
            cases["one report removed"].append(run_build(corpus, out))
            _move_back(corpus, args.report, held)
            cases["one report added"].append(run_build(corpus, out))
            _retitle(corpus, args.retitle, " (revised)")
            cases["one document's metadata changed"].append(run_build(corpus, out))
            _retitle(corpus, args.retitle, "")
            run_build(corpus, out)  # back as it was (not counted)
        for name, runs in cases.items():
            assert all(r["incremental"] for r in runs), name
        print(f"Machine: {machine()}; the real archive copied to a temporary folder.\n")
        print(f"Cold build: {cold['seconds']['total']:.1f} s, peak memory "
              f"{cold['rss_mb']:.0f} MB.\n")  # fmt: skip
        print("| incremental build | runs | " + " | ".join(f"{s} s" for s in STAGES) + " |")
        print("| --- | ---: |" + " ---: |" * len(STAGES))
        for name, runs in cases.items():
            print(_row(name, runs))
        print("\nEach cell: min / median / max over the runs.")


if __name__ == "__main__":
    main()
