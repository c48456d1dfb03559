"""Determinism: the same corpus builds byte-identical pages, open data, site HTML and index
metadata. Whoosh names its segment files at random (and its TOC names them): those are the only
files allowed to differ, and both indexes answer every query identically."""

from __future__ import annotations

import re
from pathlib import Path

from evidence_archive.pipeline import build
from evidence_archive.search.searcher import Searcher

from .conftest import SEED_CORPUS, stable_files

RANDOM_BY_DESIGN = re.compile(r"^index/(MAIN_\w+\.seg|_MAIN_\d+\.toc|MAIN_WRITELOCK)$")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_two_clean_builds_are_byte_identical(tmp_path: Path) -> None:
    build([SEED_CORPUS], tmp_path / "a")
    build([SEED_CORPUS], tmp_path / "b")
    a, b = stable_files(_files(tmp_path / "a")), stable_files(_files(tmp_path / "b"))
    assert {k for k in a if not RANDOM_BY_DESIGN.match(k)} == {
        k for k in b if not RANDOM_BY_DESIGN.match(k)
    }
    differ = [k for k in a if k in b and a[k] != b[k] and not RANDOM_BY_DESIGN.match(k)]
    assert differ == []
    assert any(k.startswith("site/reports/") for k in a) and "index/archive.json" in a
    sa, sb = Searcher(tmp_path / "a" / "index"), Searcher(tmp_path / "b" / "index")
    for q in (
        "young carers",
        "CAMHS",
        '"bed and breakfast"',
        "adolesc*",
        "care leavers NOT Hampshire",
    ):
        assert sa.search(q, limit=50) == sb.search(q, limit=50)
