"""Pages made only where their inputs changed (site.inputs): a page or feed the build does not
make again must be the same as the one a fresh build makes, whatever changed; and the build does
leave out the ones whose inputs are the last build's."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from evidence_archive.build.cache import Built
from evidence_archive.build.parsing import parse_corpus
from evidence_archive.model import Document
from evidence_archive.site.feeds import feeds_made
from evidence_archive.site.inputs import Inputs
from evidence_archive.site.pages import site_pages

from .conftest import SEED_CORPUS

SIF = "hampshire-2014-03-12-single-inspection"
NATIONAL = "england-2007-04-narrowing-the-gap"


def _made(built: list[Built], keys: dict[str, str], inputs: Inputs) -> dict[str, str | None]:
    return {**site_pages(built, keys=keys, inputs=inputs),
            **feeds_made([b.doc for b in built], keys, inputs)}  # fmt: skip


def _changed(
    built: list[Built], doc_id: str, change: Callable[[Document], Document]
) -> list[Built]:
    return [dataclasses.replace(b, doc=change(b.doc)) if b.doc.id == doc_id else b for b in built]


def _worse_overall(doc: Document) -> Document:
    """The SIF report's overall grade made inadequate: its council's page changes, and so do the
    comparison rows of every council that compares itself with Hampshire."""
    js = tuple(dataclasses.replace(j, grade="inadequate") if j.area == "overall" else j
               for j in doc.judgements)  # fmt: skip
    assert js != doc.judgements
    return dataclasses.replace(doc, judgements=js)


def _retitled(doc: Document) -> Document:
    """The national document renamed: every council it names lists it under its new title."""
    return dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, title="Closing the gap"))


def _no_recommendations(doc: Document) -> Document:
    assert doc.recommendations
    return dataclasses.replace(doc, recommendations=())


@pytest.mark.parametrize(
    ("doc_id", "change", "expect_changed"),
    [
        (SIF, _worse_overall, "authorities/hampshire.md"),
        (NATIONAL, _retitled, "authorities/camden.md"),
        (SIF, _no_recommendations, "authorities/hampshire/recommendations.md"),
    ],
)
def test_a_page_not_made_again_is_the_page_a_fresh_build_makes(
    doc_id: str, change: Callable[[Document], Document], expect_changed: str
) -> None:
    built = parse_corpus([SEED_CORPUS])
    keys = {b.doc.id: f"key-{b.doc.id}" for b in built}
    first = Inputs()
    before = _made(built, keys, first)
    assert None not in before.values()  # nothing to keep without a last build
    after = _changed(built, doc_id, change)
    keys_after = {**keys, doc_id: "key-changed"}
    fresh = _made(after, keys_after, Inputs())
    made = _made(after, keys_after, Inputs(first.now))
    assert list(made) == list(fresh)  # every page, in its place
    kept = [p for p, page in made.items() if page is None]
    assert [p for p in kept if fresh[p] != before[p]] == []
    assert [p for p, page in made.items() if page is not None and page != fresh[p]] == []
    assert fresh[expect_changed] != before[expect_changed]
    # Pages that do not show the changed document are left out: the other council's report,
    # Havering's page (another region, not named by the changed document) and feeds.
    assert "reports/havering/havering-2007-02-06-joint-area-review.md" in kept
    assert "feeds/authority/havering.xml" in kept
    if doc_id == SIF:
        assert "authorities/havering.md" in kept


def test_a_change_in_a_neighbours_grade_makes_the_councils_page_again() -> None:
    """Only the comparison rows change on a council page that compares itself with Hampshire
    (not named by Hampshire's report): the page is made again all the same."""
    built = parse_corpus([SEED_CORPUS])
    keys = {b.doc.id: f"key-{b.doc.id}" for b in built}
    first = Inputs()
    before = _made(built, keys, first)
    after = _changed(built, SIF, _worse_overall)
    made = _made(after, {**keys, SIF: "key-changed"}, Inputs(first.now))
    rows_only = [p for p, page in made.items() if p.startswith("authorities/")
                 and p != "authorities/hampshire.md" and page is not None
                 and page != before[p] and "Hampshire" in page]  # fmt: skip
    assert rows_only, "no council page compares itself with Hampshire in the seed corpus"
