"""The site in a real headless Chromium: pages load, permalinks land, the cite control copies
the citation, the built-in search finds a phrase, the evidence search page works with and
without its API, and axe-core finds no serious or critical accessibility violation.

Needs Debian's chromium and chromium-driver and axe-core from npm (.ci/run installs them);
skipped where they are missing. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from evidence_archive.pipeline import build

from ..conftest import SEED_CORPUS
from .conftest import AXE, JAR, SHOTS, _open, _wait, axe_violations, needs_chromium, serving

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    build([SEED_CORPUS], out)
    return out


@pytest.fixture(scope="module")
def server(out: Path):  # type: ignore[no-untyped-def]
    """`evidence serve` on a free loopback port."""
    with serving(out) as base:
        yield base


@pytest.fixture(scope="module")
def static_only(out: Path):  # type: ignore[no-untyped-def]
    """The same site hosted as plain files, without the search API."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _shown(browser, element_id: str):  # type: ignore[no-untyped-def]
    """The element, once the page has shown it."""
    return _wait(browser, lambda d: (n := d.find_element("id", element_id)).is_displayed() and n)


def test_home_authority_and_report_pages_load(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server, "home")
    assert "Inspection Evidence Archive" in browser.title
    _open(browser, server + "authorities/hampshire/", "authority-hampshire")
    assert browser.find_element("css selector", "h1").text == "Hampshire"
    assert browser.find_elements("css selector", "svg.timeline circle")
    _open(browser, server + JAR, "report-hampshire-jar")
    assert browser.find_element("css selector", "h1").text.startswith("Joint area review")
    grades = browser.find_elements("css selector", ".grades-summary .grade")
    assert grades and all(g.text.strip() for g in grades)  # the word, never the colour alone


def test_permalink_lands_on_its_paragraph(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + JAR + "#para-27", "permalink-para-27")
    top = browser.execute_script(
        "return document.getElementById('para-27').getBoundingClientRect().top"
    )
    height = browser.execute_script("return window.innerHeight")
    assert 0 <= top < height / 2
    assert browser.find_element("id", "para-27").text.startswith(
        "27. The contribution of local services"
    )


def test_cite_control_yields_the_citation(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + JAR + "#para-27", "cite")
    button = browser.find_element("css selector", "#para-27 .cite-button")
    browser.execute_script("arguments[0].click()", button)
    citation = _wait(browser, lambda d: button.get_attribute("data-citation"))
    assert citation == (
        "Ofsted (2007) Joint area review: Hampshire Children's Services Authority Area, para. 27. "
        f"Published 14 August 2007. {server}{JAR}#para-27"
    )


def test_built_in_search_finds_a_council(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    """The site's own search finds councils (whose pages list their reports); report text is
    left to evidence search (a thousand reports would make its index about 75 MB)."""
    from selenium.common.exceptions import TimeoutException

    _open(browser, server, "search-start")
    box = _wait(browser, lambda d: d.find_element("css selector", "input.md-search__input"))
    links: list[str] = []
    for _ in range(3):  # the search worker may still be loading its index: type again
        box.click()
        box.clear()
        box.send_keys("Havering")
        try:
            links = _wait(browser, lambda d: d.execute_script(
                "return Array.from(document.querySelectorAll('.md-search-result__item a'))"
                ".map(a => a.href).filter(h => h.includes('/authorities/'))") or None, 15)  # fmt: skip
            break
        except TimeoutException:
            continue
    browser.save_screenshot(str(SHOTS / "built-in-search.png"))
    assert any("/authorities/havering/" in h for h in links)


def test_evidence_search_page_with_api(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "search/?terms=young+carers&authority=havering", "evidence-search")
    status = _wait(
        browser, lambda d: (t := d.find_element("id", "es-status").text) and "every word" in t and t
    )
    assert status.startswith("14 paragraphs hold every word")
    first = browser.find_element("css selector", "#es-results li")
    assert first.find_elements("css selector", "mark")
    assert "/reports/havering/" in first.find_element("css selector", "a").get_attribute("href")


def test_a_council_named_in_the_search_comes_first_with_its_filter_offered(
    browser, server: str
) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "search/?terms=Havering+young+carers", "evidence-search")
    note = _shown(browser, "es-understood")
    assert note.text.startswith("Paragraphs of Havering first")
    first = browser.find_element("css selector", "#es-results li a").get_attribute("href")
    assert "/reports/havering/" in first
    browser.find_element("id", "es-only").click()
    _wait(browser, lambda d: "authority=havering" in d.current_url)
    assert browser.find_element("id", "es-q").get_attribute("value") == "young carers"
    status = _wait(
        browser, lambda d: (t := d.find_element("id", "es-status").text) and "every word" in t and t
    )
    assert status.startswith("14 paragraphs hold every word")
    assert not browser.find_element("id", "es-understood").is_displayed()


def test_a_year_named_in_the_search_is_offered_as_a_date_window(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "search/?terms=young+carers+2007", "evidence-search-year")
    note = _shown(browser, "es-understood")
    assert note.text.startswith("Paragraphs of reports from 2007 first")
    browser.find_element("id", "es-only").click()
    _wait(browser, lambda d: "from=2007" in d.current_url and "to=2007" in d.current_url)
    assert browser.find_element("id", "es-q").get_attribute("value") == "young carers"


def test_the_search_page_says_what_else_it_looked_for(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "search/?terms=respite", "evidence-search-expanded")
    note = _shown(browser, "es-expanded")
    assert note.text.startswith("Also searching for short breaks, short break care (for “respite”)")
    browser.find_element("id", "es-exact").click()
    browser.find_element("css selector", "#es-form button[type=submit]").click()
    _wait(browser, lambda d: "exact=1" in d.current_url and "every word" in d.find_element(
        "id", "es-status").text)  # fmt: skip
    assert not browser.find_element("id", "es-expanded").is_displayed()


def test_evidence_search_folds_a_report_and_offers_its_councils_first(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + "search/?terms=young+carers", "evidence-search-fold")
    fold = _wait(browser, lambda d: d.find_elements("css selector", "details.es-fold"))[0]
    summary = fold.find_element("tag name", "summary")
    assert summary.text.endswith("more from this report")
    folded = int(summary.text.split()[0])
    shown = browser.find_elements("css selector", "#es-results > li")
    report = fold.find_element("xpath", "..").find_element("css selector", "a").get_attribute(
        "href").split("#")[0]  # fmt: skip
    same = [li for li in shown
            if li.find_element("css selector", "a").get_attribute("href").startswith(report)]  # fmt: skip
    assert len(same) == 3
    summary.click()
    inner = fold.find_elements("css selector", "li.es-hit")
    assert len(inner) == folded and all(li.is_displayed() for li in inner)
    assert all(li.find_element("css selector", "a").get_attribute("href").startswith(report)
               for li in inner)  # fmt: skip
    # Councils with the best matches first; one click filters to one.
    heading = browser.find_element("id", "es-facet-council")
    assert heading.is_displayed() and heading.text == "Councils with the best matches"
    buttons = browser.find_elements("css selector", "#es-facets .es-facet-value")
    first = shown[0].find_element("css selector", "a").get_attribute("href")
    first_council = first.split("/reports/")[1].split("/")[0]
    assert buttons[0].text.startswith(first_council.title() + " (")
    other = "havering" if first_council == "hampshire" else "hampshire"
    button = next(b for b in buttons if b.text.startswith(other.title() + " ("))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    _wait(browser, lambda d: f"authority={other}" in d.current_url)
    _wait(browser, lambda d: "every word" in d.find_element("id", "es-status").text)
    assert not browser.find_element("id", "es-facets").is_displayed()
    links = [a.get_attribute("href") for a in
             browser.find_elements("css selector", "#es-results > li > p > a")]  # fmt: skip
    assert links and all(f"/reports/{other}/" in h for h in links)


def test_evidence_search_page_without_api_uses_the_static_index(browser, static_only: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, static_only + "search/?terms=young+carers", "evidence-search-no-api")
    status = _wait(
        browser,
        lambda d: (t := d.find_element("id", "es-status").text) and "match" in t and t,
    )
    assert status.endswith("match.") or "reports match" in status or "report matches" in status
    assert "static index" in browser.find_element("id", "es-mode").text
    # Nothing that needs the API is offered: no feed link, the quote check says it needs it.
    assert not browser.find_element("id", "es-feed-item").is_displayed()
    assert not browser.find_element("id", "qc-form").is_displayed()
    assert "needs the archive's search service" in browser.find_element("id", "qc-status").text


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (.ci/run installs it)")
@pytest.mark.parametrize(
    "page", ["", "authorities/hampshire/", JAR, "search/", "comparison/", "authorities/"]
)
def test_accessibility_no_serious_or_critical(browser, server: str, page: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, server + page, "axe-" + (page.strip("/").replace("/", "-") or "home"))
    result = axe_violations(browser)
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
