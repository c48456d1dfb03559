"""A scale corpus of N documents made from the real ones, for benchmarks (never committed).

The bases are the corpus documents: the five seeds and the 400 real Ofsted reports. Document i
is base i % len(bases), given another council from the registry and a date shifted by whole
years, so ids, authorities and dates are all distinct while every text is a real report's text,
byte for byte.

    python bench/scale_corpus.py 200 /tmp/corpus-200
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evidence_archive.corpus.store import NATIONAL, dump_meta, load_corpus  # noqa: E402
from evidence_archive.registry import load_registry  # noqa: E402

DATE_FIELDS = ("published", "inspection_start", "inspection_end")


def base_documents() -> list[tuple[str, dict[str, Any]]]:
    """(text, metadata) of every corpus document: the seeds and the 400 real reports."""
    return [(e.read_text(), dict(e.meta)) for e in load_corpus([ROOT / "corpus"])]


def _shift(value: Any, years: int) -> Any:
    if not isinstance(value, str) or not value[:4].isdigit():
        return value
    year = int(value[:4]) + years
    rest = value[4:]
    if rest == "-02-29":
        rest = "-02-28"
    return f"{year:04d}{rest}"


def variant(
    base: tuple[str, dict[str, Any]], i: int, n_bases: int, slugs: list[str]
) -> tuple[str, dict[str, Any]]:
    """Document i of the scale corpus: base text, another council, dates shifted."""
    text, meta = base
    meta = dict(meta)
    if i < n_bases:
        return text, meta
    years = -((i // n_bases) % 6)  # stay within the frameworks' eras, roughly
    if meta["authority"] != NATIONAL:
        meta["authority"] = slugs[(i * 7) % len(slugs)]
    for field in DATE_FIELDS:
        if meta.get(field):
            meta[field] = _shift(meta[field], years)
    if meta.get("plan_start"):
        meta["plan_start"] += years
        meta["plan_end"] += years
    meta["id"] = f"{meta['authority']}-{i:05d}-{meta['kind']}"
    return text, meta


def make_corpus(n: int, dest: Path, bases: list[tuple[str, dict[str, Any]]] | None = None) -> Path:
    """Write N documents into dest/<authority>/<id>.txt|.yml and return dest."""
    bases = bases or base_documents()
    slugs = sorted(a.slug for a in load_registry().authorities if a.current)
    for i in range(n):
        text, meta = variant(bases[i % len(bases)], i, len(bases), slugs)
        write_document(dest, text, meta)
    return dest


def write_document(dest: Path, text: str, meta: dict[str, Any]) -> None:
    folder = dest / str(meta["authority"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{meta['id']}.txt").write_bytes(text.encode("utf-8"))
    (folder / f"{meta['id']}.yml").write_text(dump_meta(meta), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("dest", type=Path)
    args = ap.parse_args()
    make_corpus(args.n, args.dest)
    print(f"{args.n} documents in {args.dest}")


if __name__ == "__main__":
    main()
