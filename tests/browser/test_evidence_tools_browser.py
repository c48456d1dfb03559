"""The evidence tools in a real headless Chromium: old paragraph ids and a renamed document's
old address send the reader to the new place; a shared search URL reproduces the search with
its judgement filter; the quote check box marks the differences."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.corpus import ids
from evidence_archive.corpus.store import load_corpus
from evidence_archive.pipeline import build

from ..conftest import SEED_CORPUS
from ..test_ids import SIF, _rewrite
from .conftest import AXE, SHOTS, _open, _wait, axe_violations, needs_chromium, serving

pytestmark = needs_chromium

OLD, NEW = "havering-2007-02-06-joint-area-review", "havering-2007-02-07-joint-area-review"


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    """A corpus where one unnumbered paragraph changed a word and one document was renamed,
    recorded with `evidence ids --update`, built and served. Yields (base URL, old, new anchor)."""
    root = tmp_path_factory.mktemp("moved")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    _rewrite(
        corpus,
        SIF,
        lambda t: t.replace(
            "in line with the 2013 national average", "in line with the 2013 national averages", 1
        ),
    )
    folder = corpus / "havering"
    for suffix in (".txt", ".yml"):
        (folder / f"{OLD}{suffix}").rename(folder / f"{NEW}{suffix}")
    meta = folder / f"{NEW}.yml"
    meta.write_text(meta.read_text("utf-8").replace(f"id: {OLD}", f"id: {NEW}"), "utf-8")
    built = {b.doc.id: b.doc for b in parse_corpus([corpus])}
    ids.update({e.id: (built[e.id], e.text_path) for e in load_corpus([corpus])}, corpus)
    [(old, new)] = [(k, v) for k, v in ids.read_redirects([corpus]).items() if "#" in k]
    build([corpus], root / "out")
    with serving(root / "out") as base:
        yield base, old.split("#")[1], new.split("#")[1]


def test_an_old_paragraph_id_lands_on_its_new_place(browser, moved) -> None:  # type: ignore[no-untyped-def]
    base, old, new = moved
    _open(browser, f"{base}reports/hampshire/{SIF}/#{old}", "moved-paragraph")
    _wait(browser, lambda d: d.execute_script("return location.hash") == f"#{new}")
    top = browser.execute_script(
        f"return document.getElementById('{new}').getBoundingClientRect().top"
    )
    assert 0 <= top < browser.execute_script("return window.innerHeight")
    # A list item's anchor is an empty <a id> at the start of the item.
    text = browser.execute_script(
        f"var e = document.getElementById('{new}'); return (e.textContent || e.parentElement.textContent)"
    )
    assert "national averages" in text
    assert "has changed" in browser.find_element("css selector", ".moved-note").text


def test_a_renamed_documents_old_address_redirects(browser, moved) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = moved
    _open(browser, f"{base}reports/havering/{OLD}/#para-12", "moved-document")
    _wait(browser, lambda d: f"/reports/havering/{NEW}/" in d.current_url)
    assert browser.current_url.endswith("#para-12")
    _wait(browser, lambda d: d.find_element("id", "para-12"))
    assert browser.find_element("css selector", "h1").text.startswith("Joint area review")


def test_shared_search_url_reproduces_query_and_judgement_filter(browser, moved) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = moved
    from selenium.webdriver.support.ui import Select

    _open(browser, base + "search/", "search-grade")
    browser.find_element("id", "es-q").send_keys("adoption")
    Select(browser.find_element("id", "es-grade-area")).select_by_value("overall")
    Select(browser.find_element("id", "es-grade-value")).select_by_value("3")
    browser.find_element("css selector", "#es-form button[type=submit]").click()
    status = _wait(browser, lambda d: (t := d.find_element("id", "es-status").text)
                   and "every word" in t and t)  # fmt: skip
    links = [a.get_attribute("href") for a in
             browser.find_elements("css selector", "#es-results li p a")]  # fmt: skip
    # Only the two documents whose overall judgement is good (3): the SIF report and the JAR.
    assert links and {h.split("/")[-2] for h in links} <= {SIF, NEW}
    assert f"/reports/hampshire/{SIF}/" in " ".join(links)
    shared = browser.find_element("id", "es-share").get_attribute("href")
    assert "grade=overall%3A3" in shared and "terms=adoption" in shared
    feed = browser.find_element("id", "es-feed").get_attribute("href")
    assert "/api/feed?" in feed and "grade=overall%3A3" in feed
    # Someone opening the shared link sees the same search, filter set and the same hits.
    _open(browser, shared, "search-shared")
    again = _wait(browser, lambda d: (t := d.find_element("id", "es-status").text)
                  and "every word" in t and t)  # fmt: skip
    assert again == status
    assert Select(browser.find_element("id", "es-grade-area")).first_selected_option.get_attribute(
        "value") == "overall"  # fmt: skip
    assert [a.get_attribute("href") for a in
            browser.find_elements("css selector", "#es-results li p a")] == links  # fmt: skip


def test_quote_check_box_marks_the_differences(browser, moved) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = moved
    _open(browser, base + "search/", "quote-check")
    quote = ("The contribution of local services to improving outcomes for children and young "
             "people is judged to be  purple\nand <b>local</b>")  # fmt: skip
    browser.find_element("id", "qc-quote").send_keys(quote)
    browser.find_element("css selector", "#qc-form button[type=submit]").click()
    status = _wait(browser, lambda d: (t := d.find_element("id", "qc-status").text)
                   and t != "Checking…" and t)  # fmt: skip
    assert status.startswith("Not verbatim")
    match = browser.find_element("css selector", "#qc-results li")
    assert match.find_elements("css selector", "ins") and match.find_elements("css selector", "del")
    assert not match.find_elements("css selector", "b")  # text from a quote is only text
    assert re.search(r"/reports/hampshire/.*#para-\d+", match.find_element("css selector", "a")
                     .get_attribute("href"))  # fmt: skip
    browser.save_screenshot(str(Path("test-output/screenshots/quote-check-result.png")))


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_search_results_and_quote_check_fit_and_pass_axe(
    browser, moved, width: int, scheme: str
) -> None:  # type: ignore[no-untyped-def]
    """With the API: the search page with results and the quote check with differences, at
    desktop and phone widths: no horizontal overflow, no axe-core violation of any impact."""
    base, _, _ = moved
    browser.set_window_size(width, 900)
    try:
        browser.get(base + "search/")
        browser.execute_script(
            "localStorage.setItem('/.__palette', JSON.stringify({index: arguments[0], "
            "color: {scheme: arguments[1], primary: 'indigo', accent: 'indigo'}}))",
            0 if scheme == "default" else 1, scheme,
        )  # fmt: skip
        _open(browser, base + "search/?terms=young+carers", f"api-search-{width}-{scheme}")
        assert (
            browser.execute_script("return document.body.getAttribute('data-md-color-scheme')")
            == scheme
        )
        _wait(browser, lambda d: "every word" in d.find_element("id", "es-status").text)
        quote = ("The contribution of local services to improving outcomes for children and "
                 "young people is judged to be purple")  # fmt: skip
        browser.find_element("id", "qc-quote").send_keys(quote)
        browser.find_element("css selector", "#qc-form button[type=submit]").click()
        _wait(browser, lambda d: d.find_elements("css selector", "#qc-results li del, "
                                                 "#qc-results li ins"))  # fmt: skip
        browser.save_screenshot(str(SHOTS / f"quote-check-{width}-{scheme}.png"))
        sizes = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert sizes[0] <= sizes[1]
        assert axe_violations(browser) == []
    finally:
        browser.set_window_size(1280, 1000)
        browser.execute_script("localStorage.clear()")
