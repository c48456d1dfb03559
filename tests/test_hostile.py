"""Hostile text is data: inert on the page, in search results and in citations."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evidence_archive.check.fidelity import check_entry
from evidence_archive.corpus.store import scan
from evidence_archive.pipeline import build

from .conftest import run_cli
from .hostile import HOSTILE_ID, add_hostile


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from .conftest import SEED_CORPUS as CORPUS

    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(CORPUS, root / "corpus")
    add_hostile(root / "corpus")
    build([root / "corpus"], root / "out")
    return root


def test_hostile_document_keeps_every_word(hostile_out: Path) -> None:
    entry = next(e for e in scan([hostile_out / "corpus"])[0] if e.id == HOSTILE_ID)
    assert check_entry(entry).differences == []


class _Live(HTMLParser):
    """Collects the elements and attributes a browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_html_has_no_live_markup_from_the_report(hostile_out: Path) -> None:
    page = (
        hostile_out / "out" / "site" / "reports" / "hampshire" / HOSTILE_ID / "index.html"
    ).read_text()
    live = _Live()
    live.feed(page)
    for tag, attrs in live.tags:
        assert tag not in ("iframe", "style") or "pwned" not in str(attrs), (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not any(v and v.strip().lower().startswith("javascript:") for v in attrs.values()), (
            tag,
            attrs,
        )
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert not any("__pwned" in s for s in scripts)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "{{ config }}" in page and "{% include" in page
    assert "[click me](javascript:window.__pwned=3)" in page


def test_search_outputs_escape_or_keep_text_verbatim(hostile_out: Path) -> None:
    idx = str(hostile_out / "out" / "index")
    hits = json.loads(
        run_cli(
            "search", "paragraph", "--format", "json", "--index", idx, "--authority", "hampshire"
        ).stdout
    )
    mine = [h for h in hits if h["id"] == HOSTILE_ID]
    assert len(mine) == 3
    for h in mine:
        assert (
            "<script>" not in h["highlight"]
            and "<img" not in h["highlight"]
            and "<iframe" not in h["highlight"]
        )
        assert h["highlight"].replace('<mark class="match term0">', "").count("<") == h[
            "highlight"
        ].count("</mark>")
    assert any(
        "<script>window.__pwned = 1</script>" in h["text"] for h in mine
    )  # text stays verbatim
    assert all(
        h["citation"].startswith("<b>Evil</b> Publisher (2020) <script>window.__pwned=7</script>")
        for h in mine
    )


def test_cli_text_output_shows_terminal_codes_instead_of_obeying_them(hostile_out: Path) -> None:
    idx = str(hostile_out / "out" / "index")
    out = run_cli("search", "terminal codes", "--index", idx).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b]0;owned\\x07" in out
