"""Incremental builds: after adding, changing or removing one document, an incremental build of
OUT equals a clean build of the same corpus (pages, open data and site byte for byte; the index
entry for entry and answer for answer), and reuses everything else."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from evidence_archive.build import cache as build_module
from evidence_archive.build.cache import Stats
from evidence_archive.build.outdir import default_cache
from evidence_archive.build.parsing import parse_corpus
from evidence_archive.corpus import ids
from evidence_archive.corpus.store import dump_meta, load_corpus
from evidence_archive.errors import ArchiveError
from evidence_archive.pipeline import build
from evidence_archive.search.searcher import Searcher
from evidence_archive.site.static_files import FILTERS, read_part, sections_stored

from .conftest import stable_files

QUERIES = ("young carers", "CAMHS", '"bed and breakfast"', "adolesc*", "care leavers NOT Hampshire",
           "foster carers", "title:joint children", "Gooshays")  # fmt: skip
HAVERING = "havering/havering-2007-02-06-joint-area-review"
SIF = "hampshire/hampshire-2014-03-12-single-inspection"


def _tree(root: Path) -> dict[str, bytes]:
    """The build's files but the index, the static index and the open-data database (compared
    by what they hold and answer)."""
    return stable_files({
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(("index/", "site/static-search/"))
        and p.name != "archive.sqlite"
    })  # fmt: skip


FTS_QUERIES = ("carers", "looked AND after", '"bed and breakfast"', "adolesc*", "Gooshays")


def _database(path: Path) -> dict[str, object]:
    """What the open-data database holds and answers: every table's rows in their order (the
    paragraphs document by document: an update puts a changed document's last), the FTS5
    index word by word and its answers, and its own check of the index."""
    db = sqlite3.connect(path)
    try:
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('integrity-check')")
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'paragraphs_fts%'"
            " ORDER BY name")]  # fmt: skip
        out: dict[str, object] = {"schema": sorted(db.execute(
            "SELECT type, name, sql FROM sqlite_master").fetchall(), key=str)}  # fmt: skip
        for name in names:
            order = "document, rowid" if name == "paragraphs" else "rowid"
            out[name] = db.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
        # The FTS5 index itself, word by word: each instance of a word with the paragraph its
        # row is (none for a row no longer there), its column and position.
        db.execute(
            "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, paragraphs_fts, instance)"
        )
        out["index"] = sorted(db.execute(
            "SELECT w.term, p.document, p.anchor, w.col, w.offset FROM temp.words w "
            "LEFT JOIN paragraphs p ON p.rowid = w.doc").fetchall(), key=str)  # fmt: skip
        for q in FTS_QUERIES:
            out[q] = sorted(db.execute(
                "SELECT p.document, p.anchor FROM paragraphs_fts f JOIN paragraphs p "
                "ON p.rowid = f.rowid WHERE paragraphs_fts MATCH ?", (q,)).fetchall())  # fmt: skip
        return out
    finally:
        db.close()


def _searchable(site: Path) -> list[str]:
    """Every section the static index finds, as its part stores it (text, link, report) with
    its document's filters: the base part's but those of the documents it leaves out, and the
    new part's."""
    bundle = site / "static-search"
    shown = json.loads((bundle / "parts.json").read_text())
    out = []
    for path in shown["parts"]:
        folder = bundle / path
        meta = read_part(folder)
        docs, values = meta["docs"], meta["values"]
        filters = {}
        for d, doc in enumerate(docs["id"]):
            got = {k: values[k][docs[k][d]] for k in FILTERS if docs[k][d] >= 0}
            got["grade"] = sorted(values["grade"][g] for g in docs["grade"][d])
            filters[doc] = [got, docs["date"][d], docs["n"][d]]
        for record in sections_stored(folder):
            if path == "" and record["doc"] in shown["hide"]:
                continue
            out.append(json.dumps([record, filters[record["doc"]]], sort_keys=True))
    return sorted(out)


def _entries(index_dir: Path) -> list[tuple[tuple[str, object], ...]]:
    return sorted(tuple(sorted(f.items())) for f in Searcher(index_dir).all_stored())


def _answers(index_dir: Path) -> list[list[tuple[str, float]]]:
    s = Searcher(index_dir)
    return [[(h["id"] + "#" + h["anchor"], h["score"]) for h in s.search(q, limit=20)["hits"]]
            for q in QUERIES]  # fmt: skip


def assert_same_as_clean(corpus: Path, out: Path, tmp: Path) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build([corpus], clean, incremental=False)
    inc, ref = _tree(out), _tree(clean)
    assert sorted(inc) == sorted(ref)
    assert [k for k in inc if inc[k] != ref[k]] == []
    held = _database(out / "data/archive.sqlite")
    assert held == _database(clean / "data/archive.sqlite")
    for build_dir in (out, clean):  # the site's database is the build's
        site_db = build_dir / "site/data/archive.sqlite"
        assert site_db.read_bytes() == (build_dir / "data/archive.sqlite").read_bytes()
    assert _searchable(out / "site") == _searchable(clean / "site")
    assert (out / "index/archive.json").read_bytes() == (clean / "index/archive.json").read_bytes()
    assert _entries(out / "index") == _entries(clean / "index")
    assert _answers(out / "index") == _answers(clean / "index")


def _write(corpus: Path, rel: str, text: str, **meta_changes: object) -> None:
    """Rewrite a corpus document's text (and metadata), keeping its sha256 right."""
    (entry,) = [e for e in load_corpus([corpus]) if e.text_path == corpus / f"{rel}.txt"]
    meta = dict(entry.meta)
    (corpus / f"{rel}.txt").write_bytes(text.encode("utf-8"))
    meta.update(meta_changes, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    (corpus / f"{rel}.yml").write_text(dump_meta(meta), encoding="utf-8")


def _link_site(out: Path, into: Path) -> dict[str, str]:
    """Hard links to every file of the last build's site (the same files, not copies) in into,
    and each file's digest: a write through a link into the last site (an incremental build
    starts from its site hard-linked) shows here as a changed file."""
    shutil.copytree(out / "site", into, copy_function=os.link)
    return _digests(into)


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def assert_last_site_untouched(into: Path, digests: dict[str, str]) -> None:
    now = _digests(into)
    assert [k for k in digests if now.get(k) != digests[k]] == []


def _mtime(out: Path, rel: str) -> int:
    return (out / "site" / rel / "index.html").stat().st_mtime_ns


@pytest.fixture
def first(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    stats = Stats()
    build([corpus_copy], out, stats=stats)
    assert stats.parsed == 5 and not stats.incremental
    return corpus_copy, out


def _add_barnet(corpus: Path, published: str) -> None:
    """A report on Barnet (Havering's text) dated published."""
    src = corpus / f"{HAVERING}.yml"
    meta = dict(next(e.meta for e in load_corpus([corpus]) if e.meta_path == src))
    doc_id = f"barnet-{published}-joint-area-review"
    (corpus / "barnet").mkdir()
    shutil.copy(corpus / f"{HAVERING}.txt", corpus / f"barnet/{doc_id}.txt")
    meta.update(id=doc_id, authority="barnet", published=published,
                title="Joint area review: Barnet")  # fmt: skip
    (corpus / f"barnet/{doc_id}.yml").write_text(dump_meta(meta))


def test_add_one_document(first: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, out = first
    before = _mtime(out, "reports/" + SIF)
    council, london = _mtime(out, "authorities/hampshire"), _mtime(out, "authorities/havering")
    _add_barnet(corpus, "2009-01-01")
    last = _link_site(out, tmp_path / "last-site")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert_last_site_untouched(tmp_path / "last-site", last)
    assert stats.incremental and stats.parsed == 1 and stats.reused == 5
    assert stats.changed == ["barnet-2009-01-01-joint-area-review"] and stats.removed == []
    assert _mtime(out, "reports/" + SIF) == before  # an untouched report page was not rendered
    # Nor was a council page that does not change (Hampshire is not in London, Barnet's region).
    assert _mtime(out, "authorities/hampshire") == council
    assert _mtime(out, "authorities/havering") != london  # Havering's page lists Barnet now
    assert (out / "site/reports/barnet/barnet-2009-01-01-joint-area-review/index.html").is_file()
    assert "Joint area review: Barnet" in (out / "site/authorities/barnet/index.html").read_text()
    assert_same_as_clean(corpus, out, tmp_path)


def test_a_report_newer_than_all_others_renders_only_its_councils_pages(
    first: tuple[Path, Path], tmp_path: Path
) -> None:
    """A council page depends on its own documents and its neighbours' and region's newest
    grades, not on the archive's newest date (the Authorities page gives that): a report
    newer than all others leaves other councils' pages as they were."""
    corpus, out = first
    hampshire = _mtime(out, "authorities/hampshire")
    newest = max(str(e.meta["published"] or "") for e in load_corpus([corpus]))
    assert newest < "2025-06-01"
    _add_barnet(corpus, "2025-06-01")
    build([corpus], out)
    assert _mtime(out, "authorities/hampshire") == hampshire
    index = (out / "site/authorities/index.html").read_text()
    assert "The archive holds documents dated up to 1 June 2025" in index
    assert_same_as_clean(corpus, out, tmp_path)


def test_change_one_document(first: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, out = first
    untouched = _mtime(out, "reports/" + SIF)
    text = (corpus / f"{HAVERING}.txt").read_text(encoding="utf-8")
    changed = text.replace("Gooshays", "Gooshays Gardens", 1)
    assert changed != text
    segments = _segment_files(out)
    _write(corpus, HAVERING, changed)
    last = _link_site(out, tmp_path / "last-site")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert_last_site_untouched(tmp_path / "last-site", last)
    assert stats.parsed == 1 and stats.changed == ["havering-2007-02-06-joint-area-review"]
    assert _segment_files(out) != segments  # its entries changed: its segment is new
    assert _mtime(out, "reports/" + SIF) == untouched
    page = (out / "site/reports" / HAVERING / "index.html").read_text()
    assert "Gooshays Gardens" in page
    hits = Searcher(out / "index").search('"Gooshays Gardens"')["hits"]
    assert [h["id"] for h in hits] == ["havering-2007-02-06-joint-area-review"]
    assert_same_as_clean(corpus, out, tmp_path)


def _segment_files(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "index").glob("*.seg"))


def test_change_metadata_only(first: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, out = first
    segments = _segment_files(out)
    _write(corpus, SIF, (corpus / f"{SIF}.txt").read_text(encoding="utf-8"), published="2014-04-22")
    last = _link_site(out, tmp_path / "last-site")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert_last_site_untouched(tmp_path / "last-site", last)
    assert stats.changed == ["hampshire-2014-03-12-single-inspection"] and stats.parsed == 1
    # Its text, and so its index entries, are the same: its segment is kept as it was.
    assert _segment_files(out) == segments
    assert '"published": "2014-04-22"' in (out / "data/documents.json").read_text()
    assert_same_as_clean(corpus, out, tmp_path)


def test_remove_one_document(first: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, out = first
    for suffix in (".txt", ".yml"):
        (corpus / f"{HAVERING}{suffix}").unlink()
    # Its paragraph ids were published: the build refuses until the removal is recorded.
    with pytest.raises(ArchiveError, match="no longer in the corpus"):
        build([corpus], out)
    built = {b.doc.id: b.doc for b in parse_corpus([corpus])}
    ids.update({e.id: (built[e.id], e.text_path) for e in load_corpus([corpus])}, corpus)
    last = _link_site(out, tmp_path / "last-site")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert_last_site_untouched(tmp_path / "last-site", last)
    assert stats.parsed == 0 and stats.removed == ["havering-2007-02-06-joint-area-review"]
    # Its old address now sends readers to the council's page.
    moved = (out / "site/reports" / HAVERING / "index.html").read_text()
    assert "This document has moved" in moved and "../../../authorities/havering/" in moved
    assert not (out / "pages" / f"{HAVERING}.md").exists()
    assert Searcher(out / "index").search("Gooshays")["total"] == 0
    assert_same_as_clean(corpus, out, tmp_path)


def test_a_code_change_rebuilds_everything(
    first: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new parser (any change to the package) invalidates every cached result."""
    corpus, out = first
    monkeypatch.setattr(build_module, "code_version", lambda: "a-new-parser")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert stats.parsed == 5 and stats.reused == 0 and not stats.incremental


def test_the_cache_keeps_only_what_the_last_build_used(first: tuple[Path, Path]) -> None:
    corpus, out = first
    cache = out.parent / f".{out.name}-cache"
    assert len(list(cache.glob("*.pickle"))) == 5
    for suffix in (".txt", ".yml", ".ids"):  # removed with its ledger: no ids to redirect
        (corpus / f"{SIF}{suffix}").unlink()
    build([corpus], out, site=False)
    assert len(list(cache.glob("*.pickle"))) == 4


def test_a_damaged_cache_entry_is_parsed_again(first: tuple[Path, Path]) -> None:
    corpus, out = first
    cache = out.parent / f".{out.name}-cache"
    for p in cache.glob("*.pickle"):
        p.write_bytes(b"not a pickle")
    stats = Stats()
    build([corpus], out, stats=stats, site=False)
    assert stats.parsed == 5


def test_the_cli_says_what_it_reused(first: tuple[Path, Path]) -> None:
    from .conftest import run_cli

    corpus, out = first
    done = run_cli("build", "--corpus", str(corpus), "--out", str(out), "--no-site")
    assert done.returncode == 0, done.stderr
    assert re.search(r"incremental: 0 parsed, 5 from the cache, 0 changed, 0 removed",
                     done.stderr)  # fmt: skip
    done = run_cli("build", "--corpus", str(corpus), "--out", str(out), "--no-site", "--clean")
    assert "full: 5 parsed, 0 from the cache" in done.stderr


def test_metadata_is_read_again_when_its_cache_is_damaged(first: tuple[Path, Path]) -> None:
    corpus, out = first
    cache = default_cache(out)
    (table,) = list(cache.glob("metadata-*.meta"))
    table.write_bytes(b"not a pickle")
    stats = Stats()
    build([corpus], out, stats=stats)
    assert stats.reused == 5 and stats.changed == []
    (again,) = list(cache.glob("metadata-*.meta"))
    assert again.read_bytes() != b"not a pickle"


def test_only_the_pages_whose_inputs_changed_are_made(
    first: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report among the others: its report page and the council pages that show it are made
    again; the other reports' and councils' pages are the last build's (site.inputs)."""
    from evidence_archive.site import pages as pages_module

    corpus, out = first
    reports: list[str] = []
    councils: list[str] = []
    report_page, authority_page = pages_module.report_page, pages_module.authority_page

    def counted_report(b, moved=None):  # type: ignore[no-untyped-def]
        reports.append(b.doc.id)
        return report_page(b, moved)

    def counted_council(a, *args):  # type: ignore[no-untyped-def]
        councils.append(a.slug)
        return authority_page(a, *args)

    monkeypatch.setattr(pages_module, "report_page", counted_report)
    monkeypatch.setattr(pages_module, "authority_page", counted_council)
    _add_barnet(corpus, "2009-01-01")
    build([corpus], out)
    assert reports == ["barnet-2009-01-01-joint-area-review"]
    assert "barnet" in councils and "havering" in councils and "hampshire" not in councils
    manifest = json.loads((out / "manifest.json").read_text())
    assert "reports/barnet/barnet-2009-01-01-joint-area-review.md" in manifest["site"]["inputs"]
    assert_same_as_clean(corpus, out, tmp_path)


def test_a_new_site_address_renders_every_page_again(
    first: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page's canonical link names the site's address (EVIDENCE_SITE_URL): a new address
    is a new site, not a dirty build that keeps the unchanged pages."""
    _, out = first
    page = out / "site/reports" / SIF / "index.html"
    assert "https://archive.example.org/" not in page.read_text()
    monkeypatch.setenv("EVIDENCE_SITE_URL", "https://archive.example.org/")
    build([first[0]], out)
    assert f'href="https://archive.example.org/reports/{SIF}/"' in page.read_text()


def test_a_bad_document_stops_the_linking_of_the_last_site(
    first: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build begins to link the last site into the new one before it parses; a
    document that fails to parse stops the linking and leaves no folder behind, and OUT as it
    was."""
    from evidence_archive import files

    corpus, out = first
    before = _digests(out)
    stopped: list[Path] = []
    real_stop = files.LinkedTree.stop

    def stop(self: files.LinkedTree) -> None:
        stopped.append(self.dst)
        real_stop(self)

    monkeypatch.setattr(files.LinkedTree, "stop", stop)
    (corpus / "hampshire" / "stray.txt").write_text("no metadata")
    with pytest.raises(ArchiveError, match="text file with no metadata"):
        build([corpus], out)
    assert [p.name for p in stopped] == ["site"]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.")]
    assert _digests(out) == before


def test_small_segments_are_kept_until_there_are_too_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An added report costs a segment of its own; the small segments are written again
    together once there are more than SMALL_SEGMENTS. At each step the index holds and answers
    what a clean index of the same documents does, and its layout file (kept segments' layouts
    taken from the last index's) is the one read from its postings."""
    from evidence_archive.index import whoosh_internals as internals
    from evidence_archive.index import writer
    from evidence_archive.index.store import LAYOUT_FILE

    from .conftest import SEED_CORPUS

    monkeypatch.setattr(writer, "SMALL_SEGMENTS", 2)
    built = sorted(parse_corpus([SEED_CORPUS]), key=lambda b: b.doc.id)
    first = tmp_path / "i3"
    writer.build_index(built[:3], first)
    counts = []
    last = first
    for n, added in ((4, [built[3].doc.id]), (5, [built[4].doc.id]), (6, [])):
        if n == 6:  # nothing added: past SMALL_SEGMENTS, the small segments are written again
            monkeypatch.setattr(writer, "SMALL_SEGMENTS", 1)
        now = tmp_path / f"i{n}"
        docs = built[: min(n, 5)]
        writer.update_index(last, now, docs, added, [])
        clean = tmp_path / f"clean{n}"
        writer.build_index(docs, clean)
        assert _entries(now) == _entries(clean)
        assert _answers(now) == _answers(clean)
        layout = json.loads((now / LAYOUT_FILE).read_text())
        assert layout == writer._layout(now)
        counts.append(len(internals.segments(now)))
        last = now
    # 3 documents in one small segment; the 4th and the 5th each in its own; then all together.
    assert counts == [2, 3, 1]
