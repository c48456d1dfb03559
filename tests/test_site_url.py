"""The site's published address (EVIDENCE_SITE_URL, read by mkdocs.yml's site_url too): when it
is set, every citation and feed link is absolute; unset, they stay relative to the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.search.api import make_app
from evidence_archive.site.feeds import site_feeds

from .conftest import SEED_CORPUS, run_cli

SITE = "https://archive.example.org/evidence/"


def test_feeds_are_relative_unless_the_address_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [b.doc for b in parse_corpus([SEED_CORPUS])]
    monkeypatch.delenv("EVIDENCE_SITE_URL", raising=False)
    plain = site_feeds(docs)["feeds/authority/hampshire.xml"]
    assert 'href="../../reports/hampshire/' in plain and SITE not in plain
    monkeypatch.setenv("EVIDENCE_SITE_URL", SITE.rstrip("/"))
    absolute = site_feeds(docs)
    for path in ("feeds/all.xml", "feeds/authority/hampshire.xml"):
        assert f'href="{SITE}reports/hampshire/' in absolute[path]
        assert "../" not in absolute[path]


def test_cli_and_api_citations_use_the_address(
    search_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_SITE_URL", SITE)
    result = run_cli("search", "young carers", "--index", str(search_build / "index"),
                     "--format", "json", "--limit", "3")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f'"url": "{SITE}reports/' in result.stdout
    hits = TestClient(make_app(search_build)).get("/api/search", params={"q": "young carers"})
    assert all(h["url"].startswith(SITE + "reports/") for h in hits.json()["hits"])
    assert all(SITE in h["citation"] for h in hits.json()["hits"])
    # --base-url still wins.
    result = run_cli("search", "young carers", "--index", str(search_build / "index"),
                     "--format", "json", "--limit", "1", "--base-url", "https://x.test/")  # fmt: skip
    assert '"url": "https://x.test/reports/' in result.stdout
