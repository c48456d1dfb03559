"""The recommendations tracker on the site: a council's recommendations with what its next
inspection said, and the national subjects, on the real corpus."""

from __future__ import annotations

import re

import pytest

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.dates import doc_date
from evidence_archive.opendata.followups import follow_ups, next_inspection
from evidence_archive.opendata.national import group_by_authority
from evidence_archive.opendata.subjects import subjects
from evidence_archive.site.pages import generated_pages
from evidence_archive.site.tracker import SUBJECT_PAGE_MAX

from .conftest import CORPUS


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    return parse_corpus([CORPUS], jobs=2)


@pytest.fixture(scope="module")
def pages(built):  # type: ignore[no-untyped-def]
    return generated_pages(built)


def test_a_councils_recommendations_and_what_came_next(built, pages) -> None:  # type: ignore[no-untyped-def]
    docs = group_by_authority(built)["hampshire"]
    council = pages["authorities/hampshire.md"]
    n = sum(len(d.recommendations) for d in docs)
    link = "(hampshire/recommendations.md)"
    assert f"\n{n} recommendations in " in council and link in council  # its own page
    section = pages["authorities/hampshire/recommendations.md"]
    assert section.startswith("# Hampshire: recommendations and what the next inspection said")
    by_id = {d.id: d for d in docs}
    after = follow_ups(docs)
    shown = 0
    for doc_id, items in after.items():
        made = by_id[doc_id]
        nxt = next_inspection(made, docs)
        assert nxt is not None and items[0].next_doc is nxt
        for f in items:
            r = f.recommendation
            assert f"](../../reports/hampshire/{doc_id}.md#{r.anchor})" in section
            for p in f.passages:
                # a real paragraph of the next report, linked where it stands
                assert p.block in [b for s in nxt.sections for b in s.blocks]
                assert f"](../../reports/hampshire/{nxt.id}.md#{p.block.anchor}))" in section
                shown += 1
    assert shown >= 20
    # The tracker's own words never say that a recommendation was met.
    # (Quotes of the reports, the recommendations' own words and the passages, may say it.)
    own = [line for line in section.splitlines()
           if not line.lstrip().startswith("- >") and not re.match(r"\d+\. ", line)]  # fmt: skip
    said = [
        line for line in own if re.search(r"\bmet\b", line) and "do not say whether" not in line
    ]
    assert said == []


def test_passages_share_the_recommendations_words(built) -> None:  # type: ignore[no-untyped-def]
    from evidence_archive.opendata.followups import MIN_SHARED
    from evidence_archive.terms import stem_terms

    checked = 0
    for docs in group_by_authority(built).values():
        for items in follow_ups(docs).values():
            for f in items:
                words = set(stem_terms(f.recommendation.text))
                for p in f.passages:
                    assert len(words & set(stem_terms(p.block.text))) >= MIN_SHARED
                    checked += 1
    assert checked > 1000


def test_subjects_cluster_recommendations_by_their_words(built, pages) -> None:  # type: ignore[no-untyped-def]
    subs = subjects([b.doc for b in built])
    names = {s.name for s in subs}
    assert {"care leavers", "management oversight", "private fostering", "return home"} <= names
    fostering = next(s for s in subs if s.name == "private fostering")
    for _, r in fostering.items:
        assert re.search(r"private(ly)?\s+foster", r.text, re.I), r.text
    # every recommendation in at most one subject, every subject on its own page
    seen = [(d.id, r.anchor) for s in subs for d, r in s.items]
    assert len(seen) == len(set(seen))
    assert len({s.slug for s in subs}) == len(subs)
    split = 0
    for s in subs:
        page = pages[f"subjects/{s.slug}.md"]
        assert f"(subjects/{s.slug}.md)" in pages["subjects.md"]
        years = sorted(p for p in pages if p.startswith(f"subjects/{s.slug}/"))
        if len(s.items) <= SUBJECT_PAGE_MAX:
            assert page.count("\n- **") == len(s.items) and years == []
            continue
        # A large subject: a page per year, each linked from the subject's page with its
        # count, every recommendation on the page of its report's year.
        split += 1
        assert page.count("\n- **") == 0 and len(years) > 1
        listed = []
        for path in years:
            year = path.rsplit("/", 1)[1].removesuffix(".md")
            items = pages[path].count("\n- **")
            assert f"- [{year}]({s.slug}/{year}.md): {items} recommendation" in page
            assert "](../../reports/" in pages[path] and f"(../{s.slug}.md)" in pages[path]
            listed += [(d.id, r.anchor) for d, r in s.items if doc_date(d)[:4] == year]
            assert items == len([1 for d, _ in s.items if doc_date(d)[:4] == year])
        assert sorted(listed) == sorted((d.id, r.anchor) for d, r in s.items)
    assert split >= 1  # the real archive has one subject past the limit at least


def test_recommendations_sections_are_kept_and_made_again_only_when_changed(
    built,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """The councils' recommendations sections kept between builds (pages.py): the same as made
    afresh; a second build makes none again; a change to one council's report makes that
    council's section again, and it follows the change."""
    import dataclasses

    from evidence_archive.site import pages as pages_module
    from evidence_archive.site.pages import council_recommendations_kept
    from evidence_archive.site.tracker import council_recommendations

    memo = tmp_path / "recommendations"
    fresh = council_recommendations_kept(built)
    assert council_recommendations_kept(built, memo) == fresh
    assert sorted(p.stem for p in memo.iterdir()) == sorted(fresh)  # a file per council
    made: list[str] = []

    def counted(docs):  # type: ignore[no-untyped-def]
        made.append(str(docs[0].meta.authority))
        return council_recommendations(docs)

    monkeypatch.setattr(pages_module, "council_recommendations", counted)
    assert council_recommendations_kept(built, memo) == fresh and made == []
    # One of Hampshire's reports loses its last recommendation.
    i, b = next((i, b) for i, b in enumerate(built)
                if b.doc.meta.authority == "hampshire" and len(b.doc.recommendations) > 1)  # fmt: skip
    doc = dataclasses.replace(b.doc, recommendations=b.doc.recommendations[:-1])
    changed = [*built[:i], dataclasses.replace(b, doc=doc), *built[i + 1 :]]
    written = {p.stem: p.stat().st_ino for p in memo.iterdir()}
    again = council_recommendations_kept(changed, memo)
    assert made == ["hampshire"]
    rewritten = [p.stem for p in memo.iterdir() if p.stat().st_ino != written[p.stem]]
    assert rewritten == ["hampshire"]  # the other councils' files are left as they were
    assert again["hampshire"] != fresh["hampshire"]
    assert again["hampshire"] == council_recommendations(group_by_authority(changed)["hampshire"])
    assert {k: v for k, v in again.items() if k != "hampshire"} == {
        k: v for k, v in fresh.items() if k != "hampshire"
    }
    # With the documents' build cache keys (what a build passes), a key stands for the page:
    # the same keys make nothing again; one changed key makes its council's section again.
    keys = {x.doc.id: f"key-{x.doc.id}" for x in built}
    made.clear()
    assert council_recommendations_kept(built, memo, keys=keys) == fresh
    assert sorted(made) == sorted({str(x.doc.meta.authority) for x in built})  # a new memo key
    made.clear()
    assert council_recommendations_kept(built, memo, keys=keys) == fresh and made == []
    keys[b.doc.id] = "key-changed"
    assert council_recommendations_kept(changed, memo, keys=keys) == again
    assert made == ["hampshire"]


def test_subject_pages_made_beside_are_the_same_as_made_here(built, pages, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """generated_pages makes the subjects' pages in a forked process while it makes the rest:
    the same pages, in the same order, as when it runs in one process (as under `mkdocs
    serve`, whose threads rule out fork)."""
    from evidence_archive import proc

    assert proc.threading.active_count() == 1  # so the fixture's pages were made by fork
    beside = pages
    assert len([p for p in beside if p.startswith("subjects/")]) > 50
    monkeypatch.setattr(proc.threading, "active_count", lambda: 2)
    here = generated_pages(built)
    assert list(here) == list(beside) and here == beside
