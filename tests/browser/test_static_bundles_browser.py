"""Static search after an incremental build, in real Chromium on a plain static file server: the
last index is kept as the base part and the reports added or changed since are in a second part
that the page searches too. A report added since is found; a changed report is found by its new
words and no longer by the words it lost (its base sections left out); counts hold each section
once; newest first runs across both parts in date order."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from evidence_archive.corpus.store import dump_meta, load_corpus, scan
from evidence_archive.parse.document import parse

from ..conftest import CORPUS, SEED_CORPUS
from .conftest import REPORTS, _open, _wait, needs_chromium, static_serving

pytestmark = needs_chromium

ADDED = "kent/kent-2022-05-20-ilacs-inspection"
CHANGED = "havering/havering-2023-12-22-ilacs-inspection"
NEW_WORD = "Zanzibarish"


def _body_words(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [w for s in doc.sections for b in s.blocks if b.number and b.kind != "figure"
            for w in re.findall(r"[A-Za-z]{9,}", b.text)]  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The seeds and the real reports but Kent's, built; then Kent's report added and one word
    of Havering's changed (a word no other report holds), built again incrementally. Returns the
    folder and the word Havering lost."""
    from evidence_archive.pipeline import build

    root = tmp_path_factory.mktemp("bundles")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    for stem in REPORTS:
        if stem != ADDED:
            (corpus / stem.split("/")[0]).mkdir(exist_ok=True)
            for suffix in (".txt", ".yml", ".ids"):
                shutil.copy2(CORPUS / f"{stem}{suffix}", corpus / f"{stem}{suffix}")
    build([corpus], root / "out")
    (corpus / "kent").mkdir(exist_ok=True)
    for suffix in (".txt", ".yml", ".ids"):
        shutil.copy2(CORPUS / f"{ADDED}{suffix}", corpus / f"{ADDED}{suffix}")
    entries = {e.id: e for e in load_corpus([corpus])}
    havering = entries[CHANGED.split("/")[1]]
    # A word printed once, whose stem no other word anywhere shares (its first seven letters).
    stems = Counter(w.lower()[:7] for e in entries.values()
                    for w in set(re.findall(r"[A-Za-z]+", e.read_text())))  # fmt: skip
    mine = Counter(w for w in _body_words(parse(havering.read_text(), havering.meta)))
    lost = sorted(w for w, n in mine.items() if n == 1 and stems[w.lower()[:7]] == 1)[0]
    text = havering.read_text()
    assert len(re.findall(rf"\b{lost}\b", text)) == 1
    text = re.sub(rf"\b{lost}\b", NEW_WORD, text)
    (corpus / f"{CHANGED}.txt").write_text(text, encoding="utf-8")
    meta = dict(havering.meta, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    (corpus / f"{CHANGED}.yml").write_text(dump_meta(meta), encoding="utf-8")
    build([corpus], root / "out")
    return root, lost


@pytest.fixture(scope="module")
def base(archive: tuple[Path, str]):  # type: ignore[no-untyped-def]
    with static_serving(archive[0] / "out" / "site") as url:
        yield url


def _status(browser) -> str:  # type: ignore[no-untyped-def]
    return _wait(browser, lambda d: (t := d.find_element("id", "es-status").text)
                 and "match" in t and t, 20)  # fmt: skip


def _all_results(browser) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(link, council · date · kind) of every result, 'more' pressed until all are shown."""
    _status(browser)
    while True:
        more = browser.find_element("id", "es-more")
        if not more.is_displayed():
            break
        shown = len(browser.find_elements("css selector", "#es-results > li"))
        more.click()
        _wait(
            browser, lambda d, n=shown: len(d.find_elements("css selector", "#es-results > li")) > n
        )
    return [(li.find_element("css selector", "a").get_attribute("href"),
             li.find_element("css selector", ".es-citation").text)
            for li in browser.find_elements("css selector", "#es-results > li")]  # fmt: skip


def test_the_incremental_build_made_a_second_part(archive: tuple[Path, str]) -> None:
    bundle = archive[0] / "out" / "site" / "static-search"
    shown = json.loads((bundle / "parts.json").read_text())
    assert shown == {"format": 1, "parts": ["", "new/"], "hide": [CHANGED.split("/")[1]],
                     "versions": shown["versions"]}  # fmt: skip
    assert len(set(shown["versions"])) == 2
    assert (bundle / "new" / "meta.bin").is_file()


def test_an_added_report_is_found(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + "search/?terms=Kent", "bundles-added")
    _status(browser)
    hrefs = [h for h, _ in _all_results(browser)]
    assert any("/reports/kent/kent-2022-05-20-ilacs-inspection/" in h for h in hrefs)


def test_a_changed_report_is_found_by_its_new_words_only(
    browser, base: str, archive: tuple[Path, str]
) -> None:  # type: ignore[no-untyped-def]
    _open(browser, base + f"search/?terms={NEW_WORD}", "bundles-new-word")
    found = _all_results(browser)
    assert len(found) == 1 and "/havering-2023-12-22-ilacs-inspection/" in found[0][0]
    # The word Havering lost is in no current section: its base section is left out.
    _open(browser, base + f"search/?terms={archive[1]}", "bundles-lost-word")
    assert _status(browser).startswith("0 sections")
    assert _all_results(browser) == []
    # The base part still holds the old section with the word: the page is what leaves it out.
    old = [f for f in (archive[0] / "out/site/static-search/sections").rglob("*.bin")
           if archive[1] in gzip.decompress(f.read_bytes()).decode("utf-8")]  # fmt: skip
    assert len(old) == 1


def _sections_with(corpus: Path, word: str) -> int:
    found, problems = scan([corpus])
    assert problems == []
    n = 0
    for e in found:
        for sec in parse(e.read_text(), e.meta).sections:
            text = " ".join([sec.title, *(b.text for b in sec.blocks if b.kind != "figure")])
            n += bool(
                re.search(rf"\b{word}\b", text, re.I) and any(b.text.strip() for b in sec.blocks)
            )
    return n


def test_counts_hold_each_section_once_and_newest_first_spans_both_parts(
    browser, base: str, archive: tuple[Path, str]
) -> None:  # type: ignore[no-untyped-def]
    want = _sections_with(archive[0] / "corpus", "asylum")
    _open(browser, base + "search/?terms=asylum", "bundles-count")
    assert int(_status(browser).split()[0]) == want > 0
    # Kent (new part, 2022) sits between Hampshire 2024 / Havering 2023 and the older reports.
    _open(browser, base + "search/?terms=asylum&sort=newest", "bundles-newest")
    assert int(_status(browser).split()[0]) == want
    results = _all_results(browser)
    assert len(results) == want
    years = [int(re.findall(r"\b(\d{4})\b", meta)[0]) for _, meta in results]
    assert years == sorted(years, reverse=True)
    assert any("/kent-2022" in h for h, _ in results) and any(
        "/kent-2022" not in h for h, _ in results
    )
    _open(browser, base + "search/?terms=asylum&sort=oldest", "bundles-oldest")
    years = [int(re.findall(r"\b(\d{4})\b", meta)[0]) for _, meta in _all_results(browser)]
    assert years == sorted(years) and len(years) == want
