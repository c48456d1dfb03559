"""Hostile text in a real browser: no script from a report runs, on its page or in search."""

from __future__ import annotations

import shutil
import time

import pytest

from evidence_archive.pipeline import build

from ..conftest import SEED_CORPUS
from ..hostile import HOSTILE_ID, add_hostile
from .conftest import _open, _wait, needs_chromium, serving

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]

    root = tmp_path_factory.mktemp("hostile-site")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    add_hostile(root / "corpus")
    build([root / "corpus"], root / "out")
    with serving(root / "out") as base:
        yield base


def _pwned(driver) -> object:  # type: ignore[no-untyped-def]
    return driver.execute_script("return window.__pwned === undefined ? null : window.__pwned")


def test_no_script_runs_on_the_report_page(browser, hostile_server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, hostile_server + f"reports/hampshire/{HOSTILE_ID}/", "hostile-report")
    time.sleep(0.5)
    assert _pwned(browser) is None
    text = browser.find_element("css selector", "article").text
    assert "<script>window.__pwned = 1</script>" in text
    assert (
        "<script>window.__pwned=7</script> Hostile"
        in browser.find_element("css selector", "h1").text
    )
    assert (
        browser.execute_script(
            "return document.querySelectorAll('article script, article img, article iframe').length"
        )
        == 0
    )
    # The cite control builds the citation as text, hostile title and all.
    button = browser.find_element("css selector", "#para-1 .cite-button")
    browser.execute_script("arguments[0].click()", button)
    citation = _wait(browser, lambda d: button.get_attribute("data-citation"))
    assert citation.startswith(
        "<b>Evil</b> Publisher (2020) <script>window.__pwned=7</script> Hostile"
    )
    assert _pwned(browser) is None


def test_no_script_runs_in_evidence_search(browser, hostile_server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, hostile_server + "search/?terms=paragraph&authority=hampshire", "hostile-search")
    _wait(browser, lambda d: "every word" in d.find_element("id", "es-status").text)
    time.sleep(0.5)
    assert _pwned(browser) is None
    results = browser.find_element("id", "es-results")
    assert "<script>window.__pwned = 1</script>" in results.text
    assert (
        browser.execute_script(
            "return document.querySelectorAll('#es-results script, #es-results img, #es-results iframe').length"
        )
        == 0
    )
