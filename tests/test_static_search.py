"""The static search index (site/static_search.py, site/static_files.py): what it holds of each report, that its
words and postings are what the sections print, that it is the same bytes for the same reports,
its incremental parts, and what `evidence serve` says so that the search page uses its API
instead."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.corpus.store import scan
from evidence_archive.model import Document
from evidence_archive.parse.document import parse
from evidence_archive.pipeline import build
from evidence_archive.search.api import make_app
from evidence_archive.site.static_files import (
    COARSER,
    WORD,
    filters,
    read_index,
    read_part,
    sections_of,
    sections_stored,
)
from evidence_archive.site.static_search import BUNDLE, index_site
from evidence_archive.terms import every_word_stem

from .conftest import CORPUS


def _doc(doc_id: str, **meta: object):  # type: ignore[no-untyped-def]
    entries, _ = scan([next(CORPUS.glob(f"*/{doc_id}.yml")).parent])
    e = next(x for x in entries if x.id == doc_id)
    return parse(e.read_text(), {**e.meta, **meta})


def test_filters_of_an_ilacs_report() -> None:
    f = filters(_doc("kent-2022-05-20-ilacs-inspection"))
    assert f["council"] == ["Kent"] and f["region"] == ["South East"]
    assert f["kind"] == ["ilacs-inspection"] and f["year"] == ["2022"]
    assert f["judgement"] == ["outstanding"]
    assert f["grade-overall"] == ["4"] and f["grade-help-and-protection"] == ["3"]
    # 2018-22 ILACS judge care leavers with children in care: not given on their own.
    assert f["grade-care-leavers"] == ["not-given"]
    assert set(f["grade-any"]) == {"3", "4", "not-given"}


def test_a_report_with_no_overall_judgement_is_filtered_as_such() -> None:
    # The LSCB's review alone judges the board only: no overall judgement under that framework.
    doc = _doc("surrey-2015-08-03-lscb-review")
    f = filters(doc)
    assert f["judgement"] == ["not given under this framework"]
    assert f["grade-lscb"] == ["2"]


def test_the_build_indexes_every_section_of_every_report(corpus_copy: Path, tmp_path: Path) -> None:
    build([corpus_copy], tmp_path / "out", index=False)
    site = tmp_path / "out" / "site"
    entries, _ = scan([corpus_copy])
    docs = sorted((parse(e.read_text(), e.meta) for e in entries), key=lambda d: d.id)
    folder = site / BUNDLE
    meta = read_part(folder)
    want = [(d.id, n, s) for d in docs for n, s in enumerate(sections_of(d))]
    assert meta["sections"] == len(want) > 100
    assert meta["docs"]["id"] == [d.id for d in docs] and sum(meta["docs"]["n"]) == len(want)
    stored = sections_stored(folder)
    assert [(r["doc"], r["n"]) for r in stored] == [(d, n) for d, n, _ in want]
    for record, (_, _, sec) in zip(stored, want, strict=True):
        assert record["heading"] == sec.heading and record["target"] == sec.target
        assert record["paragraphs"] == list(sec.paragraphs)
    parts = json.loads((folder / "parts.json").read_text())
    assert parts == {"format": 1, "hide": [], "parts": [""], "versions": parts["versions"]}
    assert re.fullmatch(r"[0-9a-f]{16}", parts["versions"][0])
    # A build that changes nothing writes no file of the index again.
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*.bin")}
    build([corpus_copy], tmp_path / "out", index=False)
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.bin")} == stamps


def test_a_section_links_into_its_report() -> None:
    doc = _doc("kent-2022-05-20-ilacs-inspection")
    sec = next(s for s in doc.sections if s.level and any(b.number == "16" for b in s.blocks))
    got = next(s for s in sections_of(doc) if s.heading == sec.title)
    assert got.target == f"reports/kent/{doc.id}/#{sec.anchor}"
    block = next(b for b in sec.blocks if b.number == "16")
    assert f"16. {block.text}" in got.paragraphs
    # The report's opening, before any heading, is a section of its own.
    assert sections_of(doc)[0].heading == "Opening of the report"


def test_words_and_postings_are_what_the_sections_print(tmp_path: Path) -> None:
    """Decoded as the page decodes them: every printed word leads to its stem, and the stem's
    sections are exactly those whose text holds a word of that stem (the search service's
    terms, stop words kept); its weights run up to 255, the highest first."""
    docs = [
        _doc("kent-2022-05-20-ilacs-inspection"),
        _doc("hampshire-2007-08-14-joint-area-review"),
    ]
    index_site(tmp_path / "site", docs)
    words, postings = read_index(tmp_path / "site" / BUNDLE)
    sections = [s for d in sorted(docs, key=lambda d: d.id) for s in sections_of(d)]
    holding: dict[str, set[int]] = {}
    printed: dict[str, set[str]] = {}
    for n, sec in enumerate(sections):
        for word in WORD.findall(sec.text):
            stem = every_word_stem()(word)
            assert stem is not None
            holding.setdefault(stem, set()).add(n)
            printed.setdefault(stem, set()).add(word.lower())
    assert len(postings) == len(holding) > 1000
    by_number = {}
    for stem, secs in holding.items():
        number = words[sorted(printed[stem])[0]]
        by_number[number] = stem
        forms, got = postings[number]
        assert set(got) == secs, stem
        assert set(forms) == printed[stem] and all(words[f] == number for f in forms)
        assert max(got.values()) == 255 and min(got.values()) >= 1
    assert len(by_number) == len(holding)  # one number per stem
    assert words["missing"] == words["missed"] and len(postings[words["the"]][1]) > 20
    # A section that says a word at least as often in no more words weighs at least as much
    # (BM25); the commoner a word, the fewer its steps (static_files.COARSER).
    tf = [Counter(every_word_stem()(w) for w in WORD.findall(sec.text)) for sec in sections]
    size = [sum(c.values()) for c in tf]
    strictly = 0
    for stem, secs in holding.items():
        _, got = postings[words[sorted(printed[stem])[0]]]
        for x in secs:
            for y in secs:
                if tf[x][stem] >= tf[y][stem] and size[x] <= size[y]:
                    assert got[x] >= got[y], stem
                    strictly += got[x] > got[y]
        levels = next(
            (n for share, n in reversed(COARSER) if len(secs) > share * len(sections)), 255
        )
        assert len(set(got.values())) <= levels
    assert strictly > 100


def test_the_same_reports_make_the_same_bytes(tmp_path: Path) -> None:
    docs = [
        _doc("kent-2022-05-20-ilacs-inspection"),
        _doc("hampshire-2007-08-14-joint-area-review"),
    ]
    index_site(tmp_path / "a", docs)
    index_site(tmp_path / "b", list(reversed(docs)))

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a == b and len(a) > 20


def test_report_text_is_data(tmp_path: Path) -> None:
    """Markup in a report is stored as text (JSON strings) and never reaches a file name."""
    doc = _doc("kent-2022-05-20-ilacs-inspection", title='Kent <script>alert("x")</script>')
    index_site(tmp_path / "site", [doc])
    record = sections_stored(tmp_path / "site" / BUNDLE)[0]
    assert record["report"] == 'Kent <script>alert("x")</script>'
    names = [p.name for p in (tmp_path / "site").rglob("*")]
    assert all(re.fullmatch(r"[a-z0-9.-]+", n) for n in names), names


def test_evidence_serve_says_its_api_is_there(search_build: Path) -> None:
    client = TestClient(make_app(search_build))
    r = client.get("/search-backend.json")
    assert r.status_code == 200 and r.json()["api"] is True
    assert r.json()["search"] == "/api/search"


def _parts(site: Path) -> dict[str, object]:
    """parts.json but its versions (each part's, as _versions gives them)."""
    parts = json.loads((site / BUNDLE / "parts.json").read_text())
    del parts["versions"]
    return parts  # type: ignore[no-any-return]


def _versions(site: Path) -> list[str]:
    return json.loads((site / BUNDLE / "parts.json").read_text())["versions"]  # type: ignore[no-any-return]


def _indexed_docs(part: Path) -> set[str]:
    """The documents a part of the static index holds."""
    return set(read_part(part)["docs"]["id"])


def _never(*args: object) -> int:
    raise AssertionError("indexed again")


def test_unchanged_reports_keep_the_last_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build whose reports are all the same keeps the last static index (linked)
    and indexes nothing; a report whose build key is unchanged is not even read again."""
    from evidence_archive.site import static_search

    doc = _doc("kent-2022-05-20-ilacs-inspection")
    first = index_site(tmp_path / "one", [doc], tmp_path / "work", keys={doc.id: "k1"})
    assert first.pages > 0
    monkeypatch.setattr(static_search, "write_part", _never)
    monkeypatch.setattr(static_search, "_digest", _never)
    again = index_site(tmp_path / "two", [doc], tmp_path / "work", tmp_path / "one" / BUNDLE,
                       keys={doc.id: "k1"})  # fmt: skip
    assert again.pages == 0 and again.bytes == first.bytes
    one, two = tmp_path / "one" / BUNDLE / "meta.bin", tmp_path / "two" / BUNDLE / "meta.bin"
    assert one.stat().st_ino == two.stat().st_ino
    # A new key: the document's digest is worked out again (and is the same: nothing indexed).
    with pytest.raises(AssertionError, match="indexed again"):
        index_site(tmp_path / "three", [doc], tmp_path / "work", tmp_path / "one" / BUNDLE,
                   keys={doc.id: "k2"})  # fmt: skip


def test_an_added_or_changed_report_is_indexed_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Incremental: the last index is kept as the base part, and only the reports added or
    changed since are indexed, into the new part; the base's documents changed (or removed)
    since are named to be left out; past MAX_NEW documents everything is indexed again."""
    from evidence_archive.site import static_search

    kent, jar = (
        _doc("kent-2022-05-20-ilacs-inspection"),
        _doc("hampshire-2007-08-14-joint-area-review"),
    )
    index_site(tmp_path / "one", [kent], tmp_path / "work")
    assert _parts(tmp_path / "one") == {"format": 1, "parts": [""], "hide": []}
    # One report added: only its sections are indexed, into static-search/new.
    index_site(tmp_path / "two", [kent, jar], tmp_path / "work", tmp_path / "one" / BUNDLE)
    two = tmp_path / "two" / BUNDLE
    assert _parts(tmp_path / "two") == {"format": 1, "parts": ["", "new/"], "hide": []}
    assert _indexed_docs(two) == {kent.id} and _indexed_docs(two / "new") == {jar.id}
    # The base keeps its version (a reader's cached files of it stay good); the new part has one.
    assert _versions(tmp_path / "two")[0] == _versions(tmp_path / "one")[0]
    assert len(set(_versions(tmp_path / "two"))) == 2
    # The base is the last index, linked, not written again.
    base_file = next((two / "postings").iterdir())
    assert (
        base_file.stat().st_ino
        == (tmp_path / "one" / BUNDLE / "postings" / base_file.name).stat().st_ino
    )
    # Kent's title and date changed: the base's Kent is left out, the new Kent indexed with the JAR.
    kent2 = _doc("kent-2022-05-20-ilacs-inspection", title="Kent, inspected again",
                 published=datetime.date(2022, 6, 1))  # fmt: skip
    index_site(tmp_path / "three", [kent2, jar], tmp_path / "work", two)
    three = tmp_path / "three" / BUNDLE
    assert _parts(tmp_path / "three") == {"format": 1, "parts": ["", "new/"], "hide": [kent.id]}
    assert _indexed_docs(three) == {kent.id} and _indexed_docs(three / "new") == {kent.id, jar.id}
    assert {r["report"] for r in sections_stored(three / "new")} >= {"Kent, inspected again"}
    # Kent removed: left out of the base, the new part made again without it.
    index_site(tmp_path / "four", [jar], tmp_path / "work", three)
    assert _parts(tmp_path / "four") == {"format": 1, "parts": ["", "new/"], "hide": [kent.id]}
    assert _indexed_docs(tmp_path / "four" / BUNDLE / "new") == {jar.id}
    # Nothing changed since: the last index kept whole, nothing indexed.
    with monkeypatch.context() as m:
        m.setattr(static_search, "write_part", _never)
        index_site(tmp_path / "six", [jar], tmp_path / "work", tmp_path / "four" / BUNDLE)
    assert _indexed_docs(tmp_path / "six" / BUNDLE / "new") == {jar.id}
    # Past MAX_NEW, one part of everything again.
    monkeypatch.setattr(static_search, "MAX_NEW", 0)
    index_site(tmp_path / "five", [jar], tmp_path / "work", tmp_path / "four" / BUNDLE)
    assert _parts(tmp_path / "five") == {"format": 1, "parts": [""], "hide": []}
    assert _indexed_docs(tmp_path / "five" / BUNDLE) == {jar.id}
    # A version is its part's content: other reports, another version (four's base holds
    # Kent); the same reports, the same version (four's new part holds the JAR alone).
    assert _versions(tmp_path / "five")[0] != _versions(tmp_path / "four")[0]
    assert _versions(tmp_path / "five")[0] == _versions(tmp_path / "four")[1]
    index_site(tmp_path / "seven", [jar], tmp_path / "work", tmp_path / "four" / BUNDLE)
    assert _versions(tmp_path / "seven") == _versions(tmp_path / "five")
    assert not (tmp_path / "five" / BUNDLE / "new").exists()


def test_a_stopped_indexing_leaves_no_half_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_archive.site import static_search

    real = static_search.write_part

    def failing(docs: list[Document], out: Path) -> int:
        real(docs, out)
        raise OSError("disk full")

    monkeypatch.setattr(static_search, "write_part", failing)
    with pytest.raises(OSError, match="disk full"):
        index_site(tmp_path / "site", [_doc("kent-2022-05-20-ilacs-inspection")])
    assert list((tmp_path / "site").iterdir()) == []
