"""Paths: a build never replaces or writes into what it did not make; ids cannot leave the
corpus; links out of the corpus are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence_archive.build.outdir import MARKER
from evidence_archive.errors import ArchiveError
from evidence_archive.pipeline import build

from .conftest import SEED_CORPUS, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(SEED_CORPUS, root / "corpus")
    (root / "precious.txt").write_text("keep")
    (root / "other").mkdir()
    (root / "other" / "f").write_text("x")
    return root


@pytest.mark.parametrize(
    "out,message",
    [
        (".", "must be outside the corpus"),
        ("corpus", "must be outside the corpus"),
        ("corpus/hampshire", "must be outside the corpus"),
        ("precious.txt", "was not made by `evidence build`"),
        ("other", "was not made by `evidence build`"),
        ("..", "must be outside the corpus"),
    ],
)
def test_out_that_is_not_a_build_is_never_replaced(project: Path, out: str, message: str) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run_cli("build", "--out", out, "--no-site", "--no-index", cwd=project)
    assert result.returncode == 1 and message in result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before
    assert (project / "precious.txt").read_text() == "keep"


def test_a_build_replaces_its_own_output_and_cleans_killed_temps(project: Path) -> None:
    out = project / "out"
    build([project / "corpus"], out, site=False, index=False)
    assert (out / MARKER).is_file()
    stale = project / ".out.tmp-killed"
    stale.mkdir()
    (stale / MARKER).write_text("left by a killed build")
    build([project / "corpus"], out, site=False, index=False)
    assert not stale.exists()
    with pytest.raises(ArchiveError):
        build([project / "corpus"], project / "other", site=False, index=False)


@pytest.mark.parametrize("bad_id", ["../../evil", "/etc/passwd", "hampshire/../../x", "a b"])
def test_ids_cannot_name_a_path(project: Path, bad_id: str) -> None:
    meta = project / "corpus" / "havering" / "havering-2007-02-06-joint-area-review.yml"
    meta.write_text(
        meta.read_text().replace("id: havering-2007-02-06-joint-area-review", f"id: '{bad_id}'")
    )
    result = run_cli("check", "--corpus", str(project / "corpus"))
    assert result.returncode == 1 and "is not a slug" in result.stdout
    result = run_cli(
        "build",
        "--corpus",
        str(project / "corpus"),
        "--out",
        str(project / "out"),
        "--no-site",
        "--no-index",
    )
    assert result.returncode == 1 and not (project / "out").exists()
    assert not list(project.parent.rglob("evil*")) and not list(project.parent.rglob("passwd"))


def test_authority_cannot_name_a_path(project: Path) -> None:
    meta = project / "corpus" / "havering" / "havering-2007-02-06-joint-area-review.yml"
    meta.write_text(meta.read_text().replace("authority: havering", "authority: ../../etc"))
    result = run_cli("check", "--corpus", str(project / "corpus"))
    assert result.returncode == 1 and "unknown authority '../../etc'" in result.stdout


def test_symlinked_folder_out_of_the_corpus_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (project / "corpus" / "linked").symlink_to(outside, target_is_directory=True)
    result = run_cli("check", "--corpus", str(project / "corpus"))
    assert result.returncode == 1 and "is a link to a file outside the corpus" in result.stdout
