"""No page wider than the screen: every page type at phone (320, 390 px) and tablet (768 px)
widths, in real Chromium, on the site served as plain files. A page that overflows names the
elements that stick out."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import AXE, SHOTS, axe_violations, needs_chromium, static_serving

pytestmark = needs_chromium

PAGES = {
    "home": "",
    "authorities": "authorities/",
    "council-4-inspections": "authorities/hampshire/",
    "council-recommendations": "authorities/hampshire/recommendations/",
    "report-jar-2007": "reports/hampshire/hampshire-2007-08-14-joint-area-review/",
    "report-jar-2005": "reports/havering/havering-2007-02-06-joint-area-review/",
    "report-lac-2012": "reports/norfolk/norfolk-2013-08-16-looked-after-children-inspection/",
    "report-national": "reports/england/england-2007-04-narrowing-the-gap/",
    "report-sif": "reports/hampshire/hampshire-2014-03-12-single-inspection/",
    "report-ilacs": "reports/kent/kent-2022-05-20-ilacs-inspection/",
    "report-plan": "reports/hampshire/hampshire-2012-children-and-young-peoples-plan/",
    "comparison": "comparison/",
    "grades": "grades/",
    "search-results": "search/?terms=care+leavers",
    "subjects": "subjects/",
    "open-data": "data/",
    "data-dictionary": "open-data/judgements/",
}


@pytest.fixture(scope="module")
def base(small_archive: Path):  # type: ignore[no-untyped-def]
    with static_serving(small_archive / "out" / "site") as url:
        yield url


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_no_page_is_wider_than_the_screen(browser, base: str, width: int) -> None:  # type: ignore[no-untyped-def]
    browser.set_window_size(width, 900)
    wide = {}
    try:
        for name, page in PAGES.items():
            browser.get(base + page)
            assert "Error response" not in browser.title, page  # the server found the page
            time.sleep(2.5 if "search" in page else 0.5)
            sizes = browser.execute_script(
                "return [document.documentElement.scrollWidth, "
                "document.documentElement.clientWidth]"
            )
            browser.save_screenshot(str(SHOTS / f"width-{width}-{name}.png"))
            if sizes[0] > sizes[1]:
                wide[name] = browser.execute_script(
                    "const cw = document.documentElement.clientWidth;"
                    "return Array.from(document.querySelectorAll('body *'))"
                    ".filter(e => e.getBoundingClientRect().right > cw + 1).slice(0, 3)"
                    ".map(e => e.tagName + '.' + e.className)"
                )
    finally:
        browser.set_window_size(1280, 1000)
    assert wide == {}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_axe_clean_on_every_page_type_in_both_palettes(  # type: ignore[no-untyped-def]
    browser, base: str, width: int, scheme: str
) -> None:
    browser.set_window_size(width, 900)
    index = 0 if scheme == "default" else 1
    found = {}
    try:
        for name, page in PAGES.items():
            browser.get(base + page)
            # Material keeps the reader's palette in local storage: set it, then load again.
            browser.execute_script(
                "localStorage.setItem('/.__palette', JSON.stringify({index: arguments[0], "
                "color: {scheme: arguments[1], primary: 'indigo', accent: 'indigo'}}))",
                index, scheme,
            )  # fmt: skip
            browser.get(base + page)
            time.sleep(2.5 if "search" in page else 0.5)
            assert (
                browser.execute_script("return document.body.getAttribute('data-md-color-scheme')")
                == scheme
            )
            if violations := axe_violations(browser):
                found[name] = violations
    finally:
        browser.set_window_size(1280, 1000)
        browser.execute_script("localStorage.clear()")
    assert found == {}


def test_comparison_sorts_and_shows_any_year(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    browser.get(base + "comparison/")
    time.sleep(0.5)

    def overall(slug: str) -> str:
        row = browser.find_element("css selector", f'#matrix tr[data-slug="{slug}"]')
        return row.find_elements("css selector", "td")[1].text.replace("\n", " ")

    assert overall("hampshire") == "Outstanding 2024"
    Select(browser.find_element("id", "matrix-year")).select_by_value("2014")
    assert overall("hampshire") == "Good 2014"
    Select(browser.find_element("id", "matrix-year")).select_by_value("")
    assert overall("hampshire") == "Outstanding 2024"
    # Sorting by the overall judgement: best first, then worst first.
    button = browser.find_element("xpath", "//table[@id='matrix']//th[3]/button")
    button.click()
    scales = [int(td.get_attribute("data-scale")) for td in
              browser.find_elements("css selector", "#matrix tbody tr td:nth-of-type(2)")]  # fmt: skip
    assert scales == sorted(scales, reverse=True) and scales[0] == 4
    button.click()
    scales = [int(td.get_attribute("data-scale")) for td in
              browser.find_elements("css selector", "#matrix tbody tr td:nth-of-type(2)")]  # fmt: skip
    assert scales == sorted(scales)
    assert browser.find_element("xpath", "//table[@id='matrix']//th[3]").get_attribute(
        "aria-sort") == "ascending"  # fmt: skip
    # The national picture: a chart and its numbers.
    assert browser.find_elements("css selector", "svg.national rect")
    assert browser.find_element("css selector", "table.national-table caption").text


@pytest.mark.parametrize("width", [390, 1280])
def test_search_filter_labels_sit_with_their_controls(browser, base: str, width: int) -> None:  # type: ignore[no-untyped-def]
    browser.set_window_size(width, 900)
    try:
        browser.get(base + "search/")
        time.sleep(0.5)
        apart = browser.execute_script(
            "return Array.from(document.querySelectorAll('#es-form fieldset label[for]'))"
            ".filter(l => { const c = document.getElementById(l.htmlFor);"
            " if (!c || !c.offsetParent) return false;"
            " const a = l.getBoundingClientRect(), b = c.getBoundingClientRect();"
            " return Math.abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) > a.height; })"
            ".map(l => l.htmlFor)"
        )
        small = browser.execute_script(
            "return Array.from(document.querySelectorAll('#es-form input, #es-form select,"
            " #es-form button')).filter(e => e.offsetParent &&"
            " e.getBoundingClientRect().height < 24).map(e => e.id || e.tagName)"
        )
    finally:
        browser.set_window_size(1280, 1000)
    assert apart == [] and small == []


def test_no_table_shows_an_empty_row(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    empty = {}
    for name, page in PAGES.items():
        if not page.startswith(("reports/", "authorities/", "comparison")):
            continue
        browser.get(base + page)
        time.sleep(0.3)
        rows = browser.execute_script(
            "return Array.from(document.querySelectorAll('article table tr'))"
            ".filter(r => r.offsetParent !== null && r.getClientRects().length"
            " && !r.textContent.trim()).length"
        )
        if rows:
            empty[name] = rows
    assert empty == {}
