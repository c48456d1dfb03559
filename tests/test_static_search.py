"""The static search index (Pagefind): what each report page tells it, the index the build
writes, and what `evidence serve` says so that the search page uses its API instead."""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.corpus.store import scan
from evidence_archive.errors import ArchiveError
from evidence_archive.model import Document
from evidence_archive.parse.document import parse
from evidence_archive.pipeline import build
from evidence_archive.search.api import make_app
from evidence_archive.site.static_search import (
    SECTIONS,
    filters,
    index_site,
    pagefind_data,
    section_pages,
)

from .conftest import CORPUS, pagefind_fragments


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


def test_the_hidden_element_is_escaped_attributes_only() -> None:
    html = pagefind_data(_doc("windsor-and-maidenhead-2024-10-11-ilacs-inspection"))
    assert html.startswith('<div class="pagefind-data" hidden>') and html.endswith("</div>")
    assert re.fullmatch(r'<div class="pagefind-data" hidden>(<span [a-z-]+="[^"<>]*"></span>)+'
                        r"</div>", html)  # fmt: skip
    assert 'data-pagefind-filter="council:Windsor and Maidenhead"' in html
    assert 'data-pagefind-sort="date:2024-10-11"' in html
    assert "children&#x27;s services" in html or "children's" not in html


def test_the_build_indexes_every_section_of_every_report(corpus_copy: Path, tmp_path: Path) -> None:
    build([corpus_copy], tmp_path / "out", index=False)
    site = tmp_path / "out" / "site"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    entries, _ = scan([corpus_copy])
    docs = [parse(e.read_text(), e.meta) for e in entries]
    work = tmp_path / ".out-cache" / SECTIONS  # the indexer's input, kept in the build's cache
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*.html"))
    assert not (site / SECTIONS).exists()
    assert files == sorted(section_pages(docs))
    assert entry["languages"]["en"]["page_count"] == len(files) > 100
    # Every section with text is there, and every report has its sections.
    assert {f.split("/")[2] for f in files} == {d.id for d in docs}
    # A build that changes nothing writes no section file again.
    stamps = {f: (work / f).stat().st_mtime_ns for f in files}
    build([corpus_copy], tmp_path / "out", index=False)
    assert {f: (work / f).stat().st_mtime_ns for f in files} == stamps
    assert len(list((site / "pagefind" / "fragment").iterdir())) == len(files)


def test_a_section_file_links_into_its_report(tmp_path: Path) -> None:
    doc = _doc("kent-2022-05-20-ilacs-inspection")
    pages = section_pages([doc])
    sec = next(s for s in doc.sections if s.title.startswith("What needs to improve"))
    page = next(t for t in pages.values() if f"#{sec.anchor}" in t)
    assert f'data-pagefind-meta="target:reports/kent/{doc.id}/#{sec.anchor}"' in page
    assert "<h1>What needs to improve?</h1>" in page


def test_pagefind_failure_names_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    from evidence_archive.site import static_search

    fail = [sys.executable, "-c", "import sys; print('disk full', file=sys.stderr); sys.exit(3)"]
    monkeypatch.setattr(static_search, "_pagefind", lambda: fail)
    doc = _doc("kent-2022-05-20-ilacs-inspection")
    with pytest.raises(ArchiveError, match=str(tmp_path / "site") + ": Pagefind could not index "
                       "the site: disk full"):  # fmt: skip
        index_site(tmp_path / "site", [doc], tmp_path / "work")


def test_evidence_serve_says_its_api_is_there(search_build: Path) -> None:
    client = TestClient(make_app(search_build))
    r = client.get("/search-backend.json")
    assert r.status_code == 200 and r.json()["api"] is True
    assert r.json()["search"] == "/api/search"


def test_unchanged_sections_reuse_the_last_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build whose section files are all the same copies the last static index
    instead of running the indexer."""
    from evidence_archive.site import static_search

    doc = _doc("kent-2022-05-20-ilacs-inspection")
    first = index_site(tmp_path / "one", [doc], tmp_path / "work")
    assert first.pages > 0 and (tmp_path / "one" / "pagefind" / "pagefind-entry.json").is_file()
    fail = [sys.executable, "-c", "import sys; print('ran again', file=sys.stderr); sys.exit(3)"]
    monkeypatch.setattr(static_search, "_pagefind", lambda: fail)
    again = index_site(tmp_path / "two", [doc], tmp_path / "work", tmp_path / "one" / "pagefind")
    assert again.pages == first.pages and again.bytes == first.bytes
    assert sorted(p.name for p in (tmp_path / "two" / "pagefind").rglob("*")) == sorted(
        p.name for p in (tmp_path / "one" / "pagefind").rglob("*")
    )


def test_section_files_are_made_again_only_for_documents_whose_key_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document whose build cache key is the listed one keeps its section files and digests
    without its sections being made again; a document whose key changed, or any document once
    the listing is lost, has them made again; the files are the same either way."""
    from evidence_archive.site import static_search
    from evidence_archive.site.static_search import write_sections

    kent, jar = (
        _doc("kent-2022-05-20-ilacs-inspection"),
        _doc("hampshire-2007-08-14-joint-area-review"),
    )
    work = tmp_path / "work"
    first = write_sections(work, [kent, jar], {kent.id: "k1", jar.id: "j1"})
    assert first == {rel: static_search._digest(t) for rel, t in section_pages([kent, jar]).items()}
    made: list[str] = []
    real = static_search.section_pages

    def counting(docs: list[Document]) -> dict[str, str]:
        made.extend(d.id for d in docs)
        return real(docs)

    monkeypatch.setattr(static_search, "section_pages", counting)
    assert write_sections(work, [kent, jar], {kent.id: "k1", jar.id: "j2"}) == first
    assert made == [jar.id]
    made.clear()
    assert write_sections(work, [kent], {kent.id: "k1"}) == {
        rel: d for rel, d in first.items() if f"/{kent.id}/" in rel
    }
    assert made == [] and not list((work / SECTIONS / "hampshire").rglob("*.html"))
    (work / "sections.json").write_text("{", encoding="utf-8")  # a damaged listing
    write_sections(work, [kent, jar], {kent.id: "k1", jar.id: "j2"})
    assert sorted(made) == sorted([kent.id, jar.id])
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*.html"))
    assert files == sorted(first)


def _bundles(site: Path) -> dict[str, list[str]]:
    return json.loads((site / "pagefind" / "bundles.json").read_text())  # type: ignore[no-any-return]


def _indexed_docs(bundle: Path) -> set[str]:
    """The documents whose sections a Pagefind bundle holds (their `doc` filter values, from its
    fragments)."""
    return {d for data in pagefind_fragments(bundle) for d in data["filters"]["doc"]}


def test_an_added_or_changed_report_is_indexed_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Incremental: the last index is kept as the base bundle, and only the reports added or
    changed since are indexed, into the new bundle; the base's sections of a changed (or
    removed) report are named to be hidden; past MAX_NEW documents everything is indexed again."""
    from evidence_archive.site import static_search
    from evidence_archive.site.static_search import doc_key

    kent, jar = (
        _doc("kent-2022-05-20-ilacs-inspection"),
        _doc("hampshire-2007-08-14-joint-area-review"),
    )
    k, j = doc_key(kent), doc_key(jar)
    assert k.startswith("2022-05-") and len(k.split(" ")[1]) == 10 and k != j
    index_site(tmp_path / "one", [kent], tmp_path / "work")
    assert _bundles(tmp_path / "one") == {"merge": [], "hide": []}
    # One report added: only its sections are indexed, into pagefind/new.
    index_site(tmp_path / "two", [kent, jar], tmp_path / "work", tmp_path / "one" / "pagefind")
    two = tmp_path / "two" / "pagefind"
    assert _bundles(tmp_path / "two") == {"merge": ["new/"], "hide": []}
    assert _indexed_docs(two) == {k} and _indexed_docs(two / "new") == {j}
    # The base is the last index, linked, not written again.
    base_file = next((two / "fragment").iterdir())
    assert (
        base_file.stat().st_ino
        == (tmp_path / "one" / "pagefind" / "fragment" / base_file.name).stat().st_ino
    )
    # Kent's title changed: its base sections are hidden, its new ones indexed with the JAR's.
    # (and its date: the base's sections are hidden by the value they were indexed with)
    kent2 = _doc("kent-2022-05-20-ilacs-inspection", title="Kent, inspected again",
                 published=datetime.date(2022, 6, 1))  # fmt: skip
    assert doc_key(kent2) != k
    index_site(tmp_path / "three", [kent2, jar], tmp_path / "work", two)
    three = tmp_path / "three" / "pagefind"
    assert _bundles(tmp_path / "three") == {"merge": ["new/"], "hide": [k]}
    assert _indexed_docs(three) == {k} and _indexed_docs(three / "new") == {doc_key(kent2), j}
    # Kent removed: its base sections hidden, the new bundle made again without it.
    index_site(tmp_path / "four", [jar], tmp_path / "work", three)
    assert _bundles(tmp_path / "four") == {"merge": ["new/"], "hide": [k]}
    assert _indexed_docs(tmp_path / "four" / "pagefind" / "new") == {j}
    # Nothing changed since: the last index kept whole, the indexer not run.
    fail = [sys.executable, "-c", "import sys; print('ran again', file=sys.stderr); sys.exit(3)"]
    with monkeypatch.context() as m:
        m.setattr(static_search, "_pagefind", lambda: fail)
        index_site(tmp_path / "six", [jar], tmp_path / "work", tmp_path / "four" / "pagefind")
    assert _indexed_docs(tmp_path / "six" / "pagefind" / "new") == {j}
    # Past MAX_NEW, one bundle of everything again.
    monkeypatch.setattr(static_search, "MAX_NEW", 0)
    index_site(tmp_path / "five", [jar], tmp_path / "work", tmp_path / "four" / "pagefind")
    assert _bundles(tmp_path / "five") == {"merge": [], "hide": []}
    assert _indexed_docs(tmp_path / "five" / "pagefind") == {j}
    assert not (tmp_path / "five" / "pagefind" / "new").exists()
