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
