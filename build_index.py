"""Build the evidence search index from the corpus, as `evidence build` does.

Usage: python build_index.py [--corpus DIR]... [--out DIR]
Writes OUT/index (default build/index), built in a temporary folder and swapped in whole.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.errors import ArchiveError
from evidence_archive.index.writer import build_index


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, action="append")
    ap.add_argument("--out", type=Path, default=Path("build"))
    args = ap.parse_args(argv)
    try:
        built = parse_corpus(args.corpus or [Path("corpus")])
    except ArchiveError as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".index.tmp-", dir=args.out))
    try:
        count = build_index(built, tmp / "index")
        final, old = args.out / "index", args.out / ".index.old"
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            final.rename(old)
        (tmp / "index").rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"indexed {count} entries of {len(built)} documents into {args.out / 'index'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
