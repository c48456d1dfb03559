"""Static search (the site's own static index) in real Chromium, on the built site served by a plain static file
server: a phrase in a report paragraph is found and its link lands in the right section, filters
narrow and count right, no request goes to /api, keyboard use and screen-reader names, and
axe-core finds nothing on the page with results. The test site is the five seeds and four real
reports (three of them judged inadequate overall), built as `evidence build` builds it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from evidence_archive.corpus.store import scan
from evidence_archive.parse.document import parse

from .conftest import (
    AXE,
    REPORTS,
    SHOTS,
    _open,
    _wait,
    axe_violations,
    needs_chromium,
    static_serving,
)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def root(small_archive: Path) -> Path:
    return small_archive


@pytest.fixture(scope="module")
def base(root: Path):  # type: ignore[no-untyped-def]
    with static_serving(root / "out" / "site") as url:
        yield url


@pytest.fixture(scope="module")
def entries(root: Path) -> dict:
    found, problems = scan([root / "corpus"])
    assert problems == [] and len(found) == 5 + len(REPORTS)
    return {e.id: e for e in found}


def _status(browser) -> str:  # type: ignore[no-untyped-def]
    return _wait(browser, lambda d: (t := d.find_element("id", "es-status").text)
                 and "match" in t and t, 20)  # fmt: skip


def _sections_with(entries: dict, word: str) -> list[tuple[str, str]]:
    """(document id, section anchor) of every report section whose text holds the word (a
    regular expression: the word's forms that the English stemmer joins)."""
    out = []
    for e in entries.values():
        doc = parse(e.read_text(), e.meta)
        for sec in doc.sections:
            text = " ".join([sec.title, *(b.text for b in sec.blocks if b.kind != "figure")])
            if re.search(rf"\b{word}\b", text, re.I) and any(b.text.strip() for b in sec.blocks):
                out.append((e.id, sec.anchor))
    return out


def _results(browser) -> list:  # type: ignore[no-untyped-def]
    return browser.find_elements("css selector", "#es-results > li")


def test_a_phrase_in_a_paragraph_is_found_and_lands_in_its_section(
    browser, base: str, entries: dict
) -> None:  # type: ignore[no-untyped-def]
    entry = entries["kent-2022-05-20-ilacs-inspection"]
    doc = parse(entry.read_text(), entry.meta)
    # A numbered paragraph well inside the report, and the section it is printed in.
    section, block = next((s, b) for s in doc.sections for b in s.blocks
                          if b.number == "16")  # fmt: skip
    words = re.findall(r"[A-Za-z]+", block.text)[3:9]
    _open(browser, base + "search/?terms=" + "+".join(words), "static-phrase")
    _status(browser)
    first = _results(browser)[0]
    link = first.find_element("css selector", "a").get_attribute("href")
    assert "/reports/kent/kent-2022-05-20-ilacs-inspection/#" in link
    assert link.endswith("#" + section.anchor)
    assert first.find_element("css selector", "a").text.endswith(section.title)
    assert first.find_elements("css selector", "blockquote mark")
    first.find_element("css selector", "a").click()
    _wait(browser, lambda d: d.current_url.endswith("#" + section.anchor))
    # The paragraph is in the section the link lands on: after its heading, before the next.
    inside = browser.execute_script(
        "const h = document.getElementById(arguments[0]); const p = document.getElementById("
        "arguments[1]); if (!h || !p) return false; const hs = Array.from(document.querySelectorAll"
        "('article h1, article h2, article h3, article h4')); const next = hs[hs.indexOf(h) + 1];"
        "return !!(h.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING) && (!next || "
        "!!(p.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING));",
        section.anchor,
        block.anchor,
    )
    assert inside


def test_filters_narrow_and_count_right(browser, base: str, entries: dict) -> None:  # type: ignore[no-untyped-def]
    # A word no stemming can widen: the count is the number of report sections that hold it.
    _open(browser, base + "search/?terms=asylum", "static-count")
    assert int(_status(browser).split()[0]) == len(_sections_with(entries, "asylum")) > 0
    _open(browser, base + "search/?terms=asylum", "static-filters")
    _status(browser)
    # Each region's count is the number of results once that region is chosen.
    buttons = browser.find_elements("css selector", "#es-facets .es-facet-value")
    london = next(b for b in buttons if b.text.startswith("London ("))
    count = int(london.text.rsplit("(", 1)[1].rstrip(")"))
    london.click()
    _wait(browser, lambda d: "region=London" in d.current_url)
    status = _status(browser)
    assert int(status.split()[0]) == count
    metas = [li.find_element("css selector", ".es-citation").text for li in _results(browser)]
    assert metas and all(m.startswith("Havering") for m in metas)
    havering = [s for s in _sections_with(entries, "asylum") if s[0].startswith("havering")]
    assert count == len(havering)
    # The judgement on the common scale: 'inadequate reports about ...'.
    inadequate = [e for e in entries.values()
                  if any(j.area == "overall" and j.grade == "inadequate"
                         for j in parse(e.read_text(), e.meta).judgements)]  # fmt: skip
    assert len(inadequate) == 3  # Middlesbrough 2019, Havering 2023, Norfolk 2013
    _open(browser, base + "search/?terms=missing&grade=overall%3A1", "static-inadequate")
    status = _status(browser)
    hrefs = [li.find_element("css selector", "a").get_attribute("href") for li in _results(browser)]
    # 'missing' is stemmed to 'miss': 'missed' and 'misses' are found too.
    forms = "miss(?:ing|ed|es)?"
    want = [s for s in _sections_with(entries, forms) if s[0] in {e.id for e in inadequate}]
    assert int(status.split()[0]) == len(want) == len(hrefs)
    assert {h.split("/reports/")[1].split("/")[1] for h in hrefs} == {e.id for e in inadequate}


def test_a_prefix_finds_every_word_that_begins_so(browser, base: str, entries: dict) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + "search/?terms=adopt*", "static-prefix")
    want = _sections_with(entries, r"adopt\w*")
    assert int(_status(browser).split()[0]) == len(want) > len(_sections_with(entries, "adoption"))
    marks = {m.text.lower() for m in browser.find_elements("css selector", "#es-results mark")}
    assert marks and all(m.startswith("adopt") for m in marks)


def test_an_index_of_another_format_is_refused_plainly(browser, base: str, root: Path) -> None:  # type: ignore[no-untyped-def]
    parts = root / "out" / "site" / "static-search" / "parts.json"
    before = parts.read_text()
    try:
        parts.write_text(before.replace('"format": 1', '"format": 2'))
        later = parts.stat().st_mtime + 10  # newer than any copy the browser has seen
        os.utime(parts, (later, later))
        _open(browser, base + "search/?terms=adoption", "static-format")
        status = _wait(browser, lambda d: "could not be read" in (t := d.find_element(
            "id", "es-status").text) and t, 20)  # fmt: skip
        assert "another format" in status
    finally:
        parts.write_text(before)
        again = parts.stat().st_mtime + 20  # newer again: the browser's copy is replaced
        os.utime(parts, (again, again))


def test_newest_first(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + "search/?terms=children&sort=newest", "static-newest")
    _status(browser)
    dates = [li.find_element("css selector", ".es-citation").text for li in _results(browser)]
    years = [int(re.findall(r"\b(\d{4})\b", d)[0]) for d in dates if re.findall(r"\b\d{4}\b", d)]
    assert years == sorted(years, reverse=True) and len(years) >= 5


def test_no_request_goes_to_the_api(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + "search/?terms=return+home+interviews", "static-no-api")
    _status(browser)
    browser.find_element("id", "es-q").clear()
    browser.find_element("id", "es-q").send_keys("care leavers\n")
    time.sleep(1)
    _status(browser)
    asked = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [u for u in asked if "/api" in u] == []
    assert any("/static-search/" in u for u in asked)
    assert browser.find_element("tag name", "body").get_attribute("data-search-backend") == "static"
    assert not browser.find_element("id", "es-feed-item").is_displayed()


def test_keyboard_and_screen_reader_names(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    _open(browser, base + "search/", "static-keyboard")
    box = browser.find_element("id", "es-q")
    box.click()
    box.send_keys("adoption", Keys.ENTER)
    _status(browser)
    assert browser.find_element("id", "es-results").get_attribute("aria-label") == "Results"
    assert browser.find_element("id", "es-status").get_attribute("role") == "status"
    facets = browser.find_elements("css selector", "#es-facets .es-facet-value")
    assert facets and all(re.search(r"\(\d+\)$", f.text) for f in facets)
    for f in browser.find_elements("css selector", "#es-facets ul"):
        label = browser.find_element("id", f.get_attribute("aria-labelledby"))
        assert label.text
    # Tab from the search box reaches the first result's link.
    box.click()
    for _ in range(60):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        inside = browser.execute_script("return !!document.activeElement.closest('#es-results')")
        if inside:
            break
    assert inside
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    _wait(browser, lambda d: "/reports/" in d.current_url)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (.ci/run installs it)")
def test_axe_clean_on_the_page_with_results(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + "search/?terms=care+leavers", "static-axe")
    _status(browser)
    browser.save_screenshot(str(SHOTS / "static-search-results.png"))
    result = axe_violations(browser)
    assert result == [], result
