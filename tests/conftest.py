"""Shared fixtures: the repository, a throwaway copy of the corpus, the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
"""The whole corpus: the whole-corpus checks (fidelity, audit, ids, golden) read it all."""
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
PDFS = SHARED / "reports-pdf"
ARCHIVE_PDFS = SHARED / "archive-pdf"

#: The five founding documents (ids), the small corpus that build, site and search tests use.
SEED_IDS = (
    "england-2007-04-narrowing-the-gap",
    "hampshire-2007-08-14-joint-area-review",
    "hampshire-2012-children-and-young-peoples-plan",
    "hampshire-2014-03-12-single-inspection",
    "havering-2007-02-06-joint-area-review",
)


def _seed_corpus() -> Path:
    """A corpus of the five seeds, copied out of the real corpus once per test session (the
    tests that build sites and indexes stay fast; the whole corpus is checked without them)."""
    dest = Path(tempfile.mkdtemp(prefix="seed-corpus-")) / "corpus"
    for doc_id in SEED_IDS:
        authority = doc_id.split("-")[0]
        (dest / authority).mkdir(parents=True, exist_ok=True)
        for suffix in (".txt", ".yml", ".ids"):
            shutil.copy2(CORPUS / authority / f"{doc_id}{suffix}", dest / authority)
    return dest


SEED_CORPUS = _seed_corpus()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/golden/*.json from the parser (check every change by hand!)",
    )


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the seed corpus in a temporary folder, safe to break."""
    dest = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, dest)
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
    from evidence_archive.pipeline import build

    root = tmp_path_factory.mktemp("search")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    if PDFS.is_dir():
        pdfs = sorted(
            str(p) for p in PDFS.glob("*.pdf")
            if p.stem not in ("birmingham-2012-10-19", "hampshire-2014-04-22")  # bad file; a seed
        )  # fmt: skip
        result = run_cli("ingest", *pdfs, "--corpus", str(corpus))
        assert result.returncode == 0, result.stderr
    build([corpus], root / "out", site=False, index=True)
    return root / "out"


def stable_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """A build's files as two builds of the same corpus must agree on them: byte for byte,
    every one (the static index included: it is written in a fixed order, gzip without a
    time)."""
    return dict(files)


def stopped_child(started: Path, message: str) -> tuple[Any, Any]:
    """For a test that a failure stops a child process still running: (slow, failing), a job
    for the child that writes its pid to started and sleeps, and a stand-in for the work beside
    it that fails with message once the child runs (then assert_child_stopped)."""

    def slow(*args: object, **kwargs: object) -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    def failing(*args: object, **kwargs: object) -> None:
        while not started.exists():
            time.sleep(0.05)
        from evidence_archive.errors import ArchiveError

        raise ArchiveError(None, message)

    return slow, failing


def assert_child_stopped(started: Path, run: Any, message: str) -> None:
    """run() fails with message soon (not after the child's sleep), and the child is gone."""
    from evidence_archive.errors import ArchiveError

    t = time.perf_counter()
    with pytest.raises(ArchiveError, match=message):
        run()
    assert time.perf_counter() - t < 30
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)
