"""Permanent paragraph ids: inserting a paragraph, a parser with another layout, re-ingesting a
PDF and renaming a document keep every id that still names the same words; every id that changed
is in the redirect map, pointing to where its words are; the build refuses lost ids."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.corpus import ids
from evidence_archive.corpus.store import load_corpus
from evidence_archive.errors import ArchiveError
from evidence_archive.ingest.batch import ingest
from evidence_archive.model import Block, Inline
from evidence_archive.parse import document as parse
from evidence_archive.pipeline import build

from .conftest import CORPUS, PDFS, SEED_CORPUS, run_cli

SIF = "hampshire-2014-03-12-single-inspection"


def _docs(corpus: Path) -> dict:
    built = {b.doc.id: b.doc for b in parse_corpus([corpus])}
    return {e.id: (built[e.id], e.text_path) for e in load_corpus([corpus])}


def _rewrite(corpus: Path, doc_id: str, edit) -> None:  # type: ignore[no-untyped-def]
    text_path = next(corpus.rglob(f"{doc_id}.txt"))
    text = edit(text_path.read_text("utf-8"))
    text_path.write_text(text, "utf-8")
    meta = text_path.with_suffix(".yml")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta.write_text(
        re.sub(r"(?m)^sha256: \S+", f"sha256: {digest}", meta.read_text("utf-8"), count=1)
    )


def _check_moves(before: list[ids.Place], after: list[ids.Place], doc_id: str,
                 redirects: dict[str, str]) -> int:  # fmt: skip
    """Every old id whose words are still there keeps its anchor; every other is redirected to
    an anchor of the new page that holds its words (or most of them). Returns ids that moved."""
    now = {p.anchor: p for p in after}
    by_words = {p.fingerprint: p.anchor for p in after}
    moved = 0
    for old in before:
        if old.fingerprint in by_words and old.anchor in now:
            # Same words, same anchor (duplicates of one text may trade places: same words).
            assert now[old.anchor].fingerprint == old.fingerprint or old.anchor.startswith(
                ("para-",)
            ), old
        if old.anchor in now:
            continue
        moved += 1
        target = redirects[f"{doc_id}#{old.anchor}"]
        doc, _, anchor = target.partition("#")
        assert doc == doc_id
        assert anchor in now, target
        assert (
            set(old.sketch) & set(now[anchor].sketch) or old.fingerprint == now[anchor].fingerprint
        )
    return moved


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(SEED_CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def test_committed_ledgers_match_the_pages() -> None:
    """The repository's ledgers are up to date: nothing would move."""
    assert ids.update(_docs(CORPUS), CORPUS, dry_run=True).redirects == {}
    assert all(ids.ledger_path(p).exists() for _, p in _docs(CORPUS).values())


def test_inserting_a_paragraph_at_the_start_keeps_every_id(corpus: Path, tmp_path: Path) -> None:
    before = ids.read_ledger(next(corpus.rglob(f"{SIF}.ids"))).places
    _rewrite(corpus, SIF, lambda t: t.replace(
        "## Hampshire County Council", "## Hampshire County Council\n\nA paragraph inserted at "
        "the start, before every other paragraph.\n", 1))  # fmt: skip
    doc = _docs(corpus)[SIF][0]
    anchors = ids.anchors(doc)
    assert all(p.anchor in anchors for p in before)
    assert len(anchors) == len(before) + 1
    build([corpus], tmp_path / "out", site=False)  # nothing lost: the build goes ahead


def test_a_changed_word_moves_one_id_and_the_build_says_so(corpus: Path, tmp_path: Path) -> None:
    before = ids.read_ledger(next(corpus.rglob(f"{SIF}.ids"))).places
    _rewrite(
        corpus,
        SIF,
        lambda t: t.replace(
            "in line with the 2013 national average", "in line with the 2013 national averages", 1
        ),
    )
    with pytest.raises(ArchiveError, match=r"1 published paragraph ids are gone .*evidence ids"):
        build([corpus], tmp_path / "out", site=False)
    assert not (tmp_path / "out").exists()
    r = run_cli("ids", "--corpus", str(corpus))
    assert r.returncode == 1 and f"{SIF}#p-" in r.stdout
    r = run_cli("ids", "--corpus", str(corpus), "--update")
    assert r.returncode == 0, r.stderr
    redirects = ids.read_redirects([corpus])
    after = ids.places(_docs(corpus)[SIF][0])
    assert _check_moves(before, after, SIF, redirects) == 1 == len(redirects)
    build([corpus], tmp_path / "out", site=False)


def _split_sentences(blocks):  # type: ignore[no-untyped-def]
    """A parser with another layout: an unnumbered paragraph of two or more sentences becomes
    two paragraphs, split after its first sentence."""
    out = []
    for unit, b in blocks:
        m = re.search(r"(?<=[a-z]\.) (?=[A-Z])", b.text) if b is not None else None
        if (b is None or b.kind != "paragraph" or b.number is not None or len(b.inlines) != 1
                or b.inlines[0].style or m is None):  # fmt: skip
            out.append((unit, b))
            continue
        text = b.inlines[0].text
        cut = text.find(b.text[m.start() :].lstrip()[:20], m.start() - 5)
        if cut <= 0:
            out.append((unit, b))
            continue
        out.append((None, Block("paragraph", (Inline(text[:cut].rstrip()),), b.lines)))
        out.append((None, Block("paragraph", (Inline(text[cut:]),), b.lines)))
    return out


def test_a_parser_with_another_layout_keeps_every_unchanged_id(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # fmt: skip
    ledgers = {d: ids.read_ledger(p).places for d, p in
               ((ids.read_ledger(p).doc_id, p) for p in corpus.rglob("*.ids"))}  # fmt: skip
    original = parse._blocks
    monkeypatch.setattr(parse, "_blocks", lambda units: _split_sentences(original(units)))
    docs = _docs(corpus)
    result = ids.update(docs, corpus)
    redirects = ids.read_redirects([corpus])
    moved = sum(_check_moves(ledgers[d], ids.places(doc), d, redirects)
                for d, (doc, _) in docs.items())  # fmt: skip
    assert moved > 20 and moved == len(result.redirects)
    # The build now holds the new layout, and no published id is lost.
    assert ids.stale({d: doc for d, (doc, _) in docs.items()}, [corpus]) == []


@pytest.mark.pdf
def test_reingesting_a_pdf_with_a_changed_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    if not PDFS.is_dir():
        pytest.skip("needs ../shared/reports-pdf")
    pdf = PDFS / "havering-2016-12-09.pdf"
    if not pdf.exists():
        pdf = sorted(PDFS.glob("*.pdf"))[0]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    [planned] = ingest([pdf], corpus, open("/dev/null", "w")).planned  # noqa: SIM115
    doc_id = str(planned.meta["id"])
    before = ids.read_ledger(next(corpus.rglob(f"{doc_id}.ids"))).places
    original = parse._blocks
    monkeypatch.setattr(parse, "_blocks", lambda units: _split_sentences(original(units)))
    with pytest.raises(ArchiveError, match="already in the corpus"):
        ingest([pdf], corpus, open("/dev/null", "w"))  # noqa: SIM115
    [again] = ingest([pdf], corpus, open("/dev/null", "w"), replace=True).planned  # noqa: SIM115
    assert again.meta["id"] == doc_id
    after = ids.places(again.doc)
    redirects = ids.read_redirects([corpus])
    assert _check_moves(before, after, doc_id, redirects) == len(redirects) > 5
    kept = {p.fingerprint for p in after}
    assert sum(p.fingerprint in kept for p in before) > len(before) / 2
    assert ids.stale({doc_id: again.doc}, [corpus]) == []


def test_a_renamed_document_redirects_whole(corpus: Path, tmp_path: Path) -> None:
    old, new = "havering-2007-02-06-joint-area-review", "havering-2007-02-07-joint-area-review"
    folder = corpus / "havering"
    for suffix in (".txt", ".yml"):
        (folder / f"{old}{suffix}").rename(folder / f"{new}{suffix}")
    meta = folder / f"{new}.yml"
    meta.write_text(meta.read_text("utf-8").replace(f"id: {old}", f"id: {new}"), "utf-8")
    with pytest.raises(ArchiveError, match="no longer in the corpus"):
        build([corpus], tmp_path / "out", site=False)
    ids.update(_docs(corpus), corpus)
    assert ids.read_redirects([corpus]) == {old: new}
    anchors, pages = ids.site_redirects([corpus], {d: "x" for d in _docs(corpus)})
    assert pages == {old: ("havering", new)} and anchors == {}
    assert ids.resolve(f"{old}#para-5", ids.read_redirects([corpus]), set(_docs(corpus))) == (
        f"{new}#para-5")  # fmt: skip


def test_a_bad_ledger_or_redirect_line_names_the_file(corpus: Path) -> None:
    ledger = next(corpus.rglob(f"{SIF}.ids"))
    ledger.write_text(ledger.read_text("utf-8") + "broken line\n", "utf-8")
    with pytest.raises(ArchiveError, match=rf"{SIF}.ids:\d+: an id ledger line is"):
        ids.read_ledger(ledger)
    (corpus / "redirects.tsv").write_text("a#b\n", "utf-8")
    with pytest.raises(ArchiveError, match=r"redirects.tsv:1: a redirect line is"):
        ids.read_redirects([corpus])
