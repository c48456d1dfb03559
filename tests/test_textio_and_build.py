"""Encodings, line endings, and a build that writes nothing when it fails."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from evidence_archive.corpus.store import dump_meta, scan, sha256_file
from evidence_archive.corpus.textio import decode
from evidence_archive.errors import ArchiveError, EncodingError
from evidence_archive.parse.document import parse
from evidence_archive.pipeline import build
from evidence_archive.render.markdown import render

from .conftest import SEED_CORPUS, assert_child_stopped, run_cli, stopped_child

JAR = SEED_CORPUS / "hampshire" / "hampshire-2007-08-14-joint-area-review.txt"


def _meta():
    return next(
        e.meta for e in scan([SEED_CORPUS])[0] if e.id == "hampshire-2007-08-14-joint-area-review"
    )


def test_crlf_gives_the_same_page_as_lf() -> None:
    raw = JAR.read_bytes()
    lf = render(parse(decode(raw, JAR), _meta()))
    crlf = render(parse(decode(raw.replace(b"\n", b"\r\n"), JAR), _meta()))
    assert lf == crlf


def test_bom_is_ignored() -> None:
    raw = JAR.read_bytes()
    assert decode(b"\xef\xbb\xbf" + raw, JAR) == decode(raw, JAR)


@pytest.mark.parametrize(
    "data,message",
    [
        ("Café".encode("latin-1"), "is not valid UTF-8 (byte 0xe9 at offset 3; looks like Latin-1"),
        ("Café".encode("utf-16"), "is UTF-16 (byte order mark found)"),
        ("Café".encode("utf-16-le"), "contains NUL bytes (UTF-16 without a BOM?)"),
    ],
)
def test_other_encodings_are_refused_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(EncodingError) as err:
        decode(data, "corpus/x/doc.txt")
    assert str(err.value).startswith("corpus/x/doc.txt: ")
    assert message in str(err.value)


def test_build_writes_pages_and_documents_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([SEED_CORPUS], out, site=False, index=False)
    docs = json.loads((out / "data" / "documents.json").read_text())
    by_id = {d["id"]: d for d in docs}
    jar = by_id["hampshire-2007-08-14-joint-area-review"]
    from evidence_archive.opendata.dictionary import BY_KEY

    # The documents dataset's columns, and the older fields with the judgements nested.
    assert set(jar) == set(BY_KEY["documents"].names) | {
        "source_file", "authority", "judgements", "not_given", "first_paragraph",
        "last_paragraph", "page",
    }  # fmt: skip
    assert jar["la_code"] == "850" and jar["first_paragraph"] == 1 and jar["last_paragraph"] == 79
    assert {
        "label": "Safeguarding",
        "scope": "local services overall",
        "grade": "good",
        "score": 3,
    } in jar["judgements"]
    sif = by_id["hampshire-2014-03-12-single-inspection"]
    assert {
        "label": "Adoption performance",
        "scope": "local authority",
        "grade": "outstanding",
        "score": None,
    } in sif["judgements"]
    assert (out / jar["page"]).read_text().startswith("---\ntitle: ")
    assert (
        "Safeguarding,local services overall,safeguarding,good,3,3,good,"
        in (out / "data" / "judgements.csv").read_text()
    )


def test_build_is_deterministic(tmp_path: Path) -> None:
    build([SEED_CORPUS], tmp_path / "a", site=False, index=False)
    build([SEED_CORPUS], tmp_path / "b", site=False, index=False)
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_failed_build_writes_nothing(corpus_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([corpus_copy], out, site=False, index=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A Latin-1 document and a second bad one: both are reported, nothing is written.
    bad = corpus_copy / "havering" / "havering-2007-02-06-joint-area-review.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    meta = corpus_copy / "havering" / "havering-2007-02-06-joint-area-review.yml"
    meta.write_text(
        meta.read_text().replace(meta.read_text().split("sha256: ")[1][:64], sha256_file(bad))
    )
    (corpus_copy / "hampshire" / "stray.txt").write_text("no metadata")
    result = run_cli(
        "build", "--corpus", str(corpus_copy), "--out", str(out), "--no-site", "--no-index"
    )
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert any("havering-2007-02-06-joint-area-review.txt: is not valid UTF-8" in e for e in errors)
    assert any("stray.txt: text file with no metadata" in e for e in errors)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


@pytest.mark.parametrize(
    "writer,incremental", [("write_database", False), ("update_database", True)]
)
def test_a_database_that_fails_in_its_process_fails_the_build(
    corpus_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    writer: str,
    incremental: bool,
) -> None:
    """The open-data database is written (or, incrementally, updated) in a child process of its
    own: its failure comes back as the build's error, and nothing is published; the same build
    then succeeds."""
    from evidence_archive import pipeline

    out = tmp_path / "out"
    build([corpus_copy], out, site=False, index=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args: object) -> None:
        path = args[2] if writer == "write_database" else args[1]
        assert (
            isinstance(path, Path)
            and path.name == "archive.sqlite"
            and path != out / "data/archive.sqlite"
        )
        path.write_bytes(b"half")
        raise ArchiveError(path, "disk full")

    monkeypatch.setattr(pipeline, writer, broken)
    with pytest.raises(ArchiveError, match=r"archive\.sqlite: disk full"):
        build([corpus_copy], out, site=False, index=False, incremental=incremental)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    monkeypatch.undo()
    build([corpus_copy], out, site=False, index=False, incremental=False)
    db = sqlite3.connect(out / "data" / "archive.sqlite")
    assert db.execute("SELECT count(DISTINCT id) FROM documents").fetchone()[0] == 5


def test_a_failure_elsewhere_stops_the_database_process(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails while its database is still being written kills that process (it
    writes into the build's temporary folder, which is removed): no process is left behind."""
    from evidence_archive import pipeline

    started = tmp_path / "started"
    slow, failing = stopped_child(started, "pages failed")
    monkeypatch.setattr(pipeline, "write_database", slow)
    monkeypatch.setattr(pipeline, "write_outputs", failing)
    run = lambda: build([corpus_copy], tmp_path / "out", site=False, index=False)  # noqa: E731
    assert_child_stopped(started, run, "pages failed")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_a_built_page_body_is_its_markdown_after_the_front_matter() -> None:
    """Built keeps the page once: its body is the rendered body, after the front matter."""
    from evidence_archive.build.parsing import parse_corpus
    from evidence_archive.render.markdown import page_markdown, render_body

    for b in parse_corpus([SEED_CORPUS], None, 1):
        assert b.body == render_body(b.doc) and "\nsha256: " not in b.body[:2000]
        assert b.markdown == page_markdown(b.front, b.body)


def test_dump_meta_round_trips(tmp_path: Path) -> None:
    meta = _meta()
    path = tmp_path / "m.yml"
    path.write_text(dump_meta(meta))
    from evidence_archive.corpus.store import load_meta

    loaded, problems = load_meta(path, str(path))
    assert problems == [] and loaded == meta


def test_archive_error_names_the_file() -> None:
    assert str(ArchiveError("corpus/a.txt", "is broken")) == "corpus/a.txt: is broken"


def test_build_names_file_and_line_of_bad_metadata_and_writes_nothing(
    corpus_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build([corpus_copy], out, site=False, index=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    meta = corpus_copy / "hampshire" / "hampshire-2007-08-14-joint-area-review.yml"
    meta.write_text(meta.read_text().replace("kind: joint-area-review", "kind: [joint"))
    other = corpus_copy / "havering" / "havering-2007-02-06-joint-area-review.yml"
    other.write_text(other.read_text().replace("reference: '311'", "reference: [311]"))
    result = run_cli(
        "build", "--corpus", str(corpus_copy), "--out", str(out), "--no-site", "--no-index"
    )
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert any(
        f"{meta}:" in e and "invalid YAML" in e and re.search(r"\.yml:\d+:", e) for e in errors
    )
    assert any(f"{other}:" in e and "reference: expected text" in e for e in errors)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("with_cp", [True, False])
def test_a_linked_tree_links_every_file_and_keeps_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_cp: bool
) -> None:
    """files.LinkedTree (how an incremental build starts from the last site): every file a hard
    link to the same file, folders and symbolic links as they were; with GNU cp or without."""

    from evidence_archive import files

    src = tmp_path / "site"
    (src / "a" / "b").mkdir(parents=True)
    (src / "index.html").write_text("home")
    (src / "a" / "b" / "page.html").write_text("page")
    (src / "a" / "link").symlink_to("b/page.html")
    if not with_cp:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    files.LinkedTree(src, tmp_path / "copy").done()
    out = tmp_path / "copy"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "a",
        "a/b",
        "a/b/page.html",
        "a/link",
        "index.html",
    ]
    assert (out / "a" / "b" / "page.html").samefile(src / "a" / "b" / "page.html")
    assert (out / "index.html").stat().st_ino == (src / "index.html").stat().st_ino
    assert (out / "a" / "link").is_symlink() and os.readlink(out / "a" / "link") == "b/page.html"


@pytest.mark.parametrize("with_cp", [True, False])
def test_a_stopped_linked_tree_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_cp: bool
) -> None:
    """files.LinkedTree links while its build goes on; a build that fails stops it
    (tests/test_incremental.py: a bad document), and no half-made copy is left."""
    from evidence_archive import files

    src = tmp_path / "site"
    for n in range(200):
        (src / f"d{n % 10}").mkdir(parents=True, exist_ok=True)
        (src / f"d{n % 10}" / f"{n}.html").write_text(str(n))
    if not with_cp:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    files.LinkedTree(src, tmp_path / "copy").stop()
    assert not (tmp_path / "copy").exists()
    files.LinkedTree(src, tmp_path / "copy").done()
    assert len(list((tmp_path / "copy").rglob("*.html"))) == 200


def test_remove_tree_removes_everything_and_follows_no_link(tmp_path: Path) -> None:
    """outdir.remove_tree (the last build, once swapped out): every file and folder goes, in
    two processes; a symbolic link in it goes, and what it points at stays."""
    from evidence_archive.build.outdir import remove_tree

    kept = tmp_path / "elsewhere"
    kept.mkdir()
    (kept / "keep.txt").write_text("kept")
    folder = tmp_path / "old"
    for n in range(60):
        sub = folder / f"d{n % 4}" / f"e{n % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{n}.html").write_text(str(n))
    (folder / "top.txt").write_text("top")
    (folder / "d1" / "link").symlink_to(kept)
    (folder / "link-file").symlink_to(kept / "keep.txt")
    remove_tree(folder)
    assert not folder.exists()
    assert (kept / "keep.txt").read_text() == "kept"


def test_the_linking_process_dies_with_its_build(tmp_path: Path) -> None:
    """files.LinkedTree's `cp -al` runs in a process of its own: if its build is killed
    (SIGKILL), it dies too instead of linking on into a folder nobody will use."""
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "site"
    for n in range(40):
        (src / f"d{n}").mkdir(parents=True)
        for m in range(500):
            (src / f"d{n}" / f"{m}").touch()
    dst = tmp_path / "linked"
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom evidence_archive.files import LinkedTree\n"
        "LinkedTree(Path(sys.argv[1]), Path(sys.argv[2]))\nprint('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    build = subprocess.Popen([sys.executable, "-c", code, str(src), str(dst)],
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert build.stdout is not None and build.stdout.readline().strip() == "started"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    time.sleep(0.05)
    alive = [p for p in Path("/proc").iterdir() if p.name.isdigit()
             and str(dst).encode() in _cmdline(p)]  # fmt: skip
    assert alive == []
    # It had not finished: the test would not see a process that outlived its build otherwise.
    assert sum(1 for _ in dst.rglob("*")) < 40 * 501


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def test_a_built_document_is_packed_and_reads_as_the_parsed_one() -> None:
    """A build holds every document to its end, so Built keeps the body and the page packed
    (build.cache.PackedDocument, Built.packed); every reader still sees the parsed document."""
    import dataclasses
    import hashlib
    import pickle

    from evidence_archive.build.cache import PackedDocument
    from evidence_archive.build.parsing import parse_corpus
    from evidence_archive.model import Document

    for b in parse_corpus([SEED_CORPUS], None, 1):
        entry = next(e for e in scan([SEED_CORPUS])[0] if e.id == b.doc.id)
        parsed = parse(entry.read_text(), entry.meta)
        assert isinstance(b.doc, PackedDocument) and type(parsed) is Document
        assert b.doc == parsed and parsed == b.doc  # both ways, every field
        assert b.doc.sections == parsed.sections and b.doc.boilerplate == parsed.boilerplate
        assert b.blocks == len(parsed.blocks())
        assert b.packed.digest == hashlib.sha256(b.markdown.encode("utf-8")).hexdigest()
        # Packed: the body is bytes in the object, not Section objects, and a fraction of
        # the parsed document's pickle.
        assert not any(isinstance(v, tuple) and v and hasattr(v[0], "blocks")
                       for v in vars(b.doc).values())  # fmt: skip
        assert len(pickle.dumps(b.doc)) < len(pickle.dumps(parsed)) / 2
        again = pickle.loads(pickle.dumps(b))
        assert again.doc == parsed and again.markdown == b.markdown
        # A changed copy is packed too, with the change.
        fewer = dataclasses.replace(b.doc, sections=parsed.sections[:1])
        assert isinstance(fewer, PackedDocument) and fewer.sections == parsed.sections[:1]
        assert fewer != parsed and fewer.recommendations == parsed.recommendations
    # A different document is not equal.
    docs = [b.doc for b in parse_corpus([SEED_CORPUS], None, 1)]
    assert docs[0] != docs[1]
