"""The recommendations tracker's items: right by construction and by check.

Golden counts (tests/data/recommendation-counts.json) were checked by hand on 22 ILACS and 24 SIF
reports and every report of the smaller frameworks (JAR, looked-after children, LSCB review),
against a second count from pdftotext and, where the two differed, the PDF itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence_archive.check.audit import audit_document
from evidence_archive.corpus.store import load_corpus
from evidence_archive.parse.document import parse
from evidence_archive.parse.recommendations import area_of_text, heading_key
from evidence_archive.render.markdown import render

from .conftest import CORPUS

GOLDEN = json.loads((Path(__file__).parent / "data" / "recommendation-counts.json").read_text())
ENTRIES = {e.id: e for e in load_corpus([CORPUS])}


def test_the_golden_set_covers_every_framework_that_recommends() -> None:
    frameworks = {ENTRIES[d].meta["framework"] for d in GOLDEN["counts"]}
    assert frameworks >= {"ilacs", "sif", "jar-2005", "jar-2007", "lac-2012"}
    for fw in ("ilacs", "sif"):
        assert sum(ENTRIES[d].meta["framework"] == fw for d in GOLDEN["counts"]) >= 20


@pytest.mark.parametrize("doc_id", sorted(GOLDEN["counts"]))
def test_recommendation_counts_checked_by_hand(doc_id: str) -> None:
    e = ENTRIES[doc_id]
    doc = parse(e.read_text(), e.meta)
    assert len(doc.recommendations) == GOLDEN["counts"][doc_id]
    assert [r.order for r in doc.recommendations] == list(range(1, len(doc.recommendations) + 1))


def test_each_recommendation_is_a_place_on_its_page_with_a_permanent_id() -> None:
    seen = 0
    for e in ENTRIES.values():
        doc = parse(e.read_text(), e.meta)
        anchors = {b.anchor for b in doc.blocks()}
        page = render(doc)
        for r in doc.recommendations:
            assert r.anchor in anchors, (doc.id, r.anchor)
            assert f"id: {r.anchor}\n" in page  # listed in the front matter
            assert r.text.split()[0] in page
            seen += 1
        assert len({r.anchor for r in doc.recommendations}) == len(doc.recommendations)
    assert seen > 4000


def test_what_is_not_a_recommendation() -> None:
    e = ENTRIES["bexley-2014-05-23-single-inspection"]
    doc = parse(e.read_text(), e.meta)
    texts = [r.text for r in doc.recommendations]
    assert not any("did not find any areas" in t for t in texts)  # says there are none
    e = ENTRIES["barnsley-2014-08-08-single-inspection"]
    doc = parse(e.read_text(), e.meta)
    # Areas for improvement 10-34 and the board's 135-141; the strengths printed after the
    # areas (35-51, 'The local authority has the following strengths:') are not recommendations.
    numbers = [int(r.number) for r in doc.recommendations if r.number]
    assert numbers == [*range(10, 35), *range(135, 142)]


def test_an_inspection_without_recommendations_is_an_audit_finding() -> None:
    e = ENTRIES["oxfordshire-2018-04-20-ilacs-inspection"]
    text = e.read_text().replace("What needs to improve", "What we saw")
    doc = parse(text, e.meta)
    assert doc.recommendations == ()
    assert [f.rule for f in audit_document(e, doc)] == ["recommendations"]


def test_headings_and_areas() -> None:
    assert heading_key("What needs to improve?1") == "what needs to improve"
    assert heading_key("Areas for Improvement:") == "areas for improvement"
    assert area_of_text("Improve the quality of pathway plans for care leavers") == "care-leavers"
    assert area_of_text("Ensure that strategy discussions include the police") == (
        "help-and-protection"
    )
    assert area_of_text("Improve management oversight and supervision") == "leadership"
    assert area_of_text("Anything at all", lscb=True) == "lscb"
    assert area_of_text("Publish the report") is None
