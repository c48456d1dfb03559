"""Shared fixtures: the repository, a throwaway copy of the corpus, the real CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
PDFS = SHARED / "reports-pdf"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/golden/*.json from the parser (check every change by hand!)",
    )


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the corpus in a temporary folder, safe to break."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `evidence` entry point in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "evidence_archive.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=600,
    )


@pytest.fixture(scope="session")
def search_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus the real PDFs (where ../shared is beside the project), built with index:
    shared by the search, quote-check and feed tests (OUT, not to be changed)."""
    from evidence_archive.build import build

    root = tmp_path_factory.mktemp("search")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    if PDFS.is_dir():
        pdfs = sorted(
            str(p) for p in PDFS.glob("*.pdf")
            if p.stem not in ("birmingham-2012-10-19", "hampshire-2014-04-22")  # bad file; a seed
        )  # fmt: skip
        result = run_cli("ingest", *pdfs, "--corpus", str(corpus))
        assert result.returncode == 0, result.stderr
    build([corpus], root / "out", site=False, index=True)
    return root / "out"
