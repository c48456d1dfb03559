"""Era synonyms widen a search to exactly the union of their group's terms; judgement filters
narrow it to exactly the entries of documents with that judgement; feeds and shared searches
(Atom, parsed with feedparser) reproduce the search, newest document first."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from starlette.testclient import TestClient
from whoosh import query as wq

from evidence_archive.errors import ArchiveError
from evidence_archive.search import synonyms
from evidence_archive.search.api import make_app
from evidence_archive.search.contract import Filters
from evidence_archive.search.searcher import Searcher
from evidence_archive.site.feeds import site_feeds


@pytest.fixture(scope="module")
def searcher(search_build: Path) -> Searcher:
    return Searcher(search_build / "index")


def _pids(
    searcher: Searcher, text: str, filters: Filters | None = None, exact: bool = False
) -> set[str]:
    """Entries holding every word (the all-words part of the answer), as entry ids."""
    result = searcher.search(text, filters, limit=500, expand=not exact, fold=False)
    assert result["all_words"] < 500
    hits = result["hits"][: result["all_words"]]
    return {f"{h['id']}#{h['anchor']}:{h['text'][:40]}" for h in hits}


def _phrase_pids(searcher: Searcher, term: str, loose: bool) -> set[str]:
    """What one term finds on its own: its words anywhere (as typed, loose) or as a phrase."""
    s = searcher.whoosh_searcher()
    analyzer = s.schema["content"].analyzer
    words = [t.text for t in analyzer(term)]
    if loose or len(words) == 1:
        query = wq.And([wq.Term("content", w) for w in words])
    else:
        query = wq.Phrase("content", words)
    out = set()
    for r in s.search(query, limit=None):
        h = searcher.hit_fields(searcher.stored(r.docnum))
        out.add(f"{h['id']}#{h['anchor']}:{h['text'][:40]}")
    return out


@pytest.mark.parametrize("group", synonyms.groups(), ids=lambda g: g[0])
def test_each_era_group_widens_to_exactly_its_terms(
    searcher: Searcher, group: tuple[str, ...]
) -> None:
    typed = group[0]
    expected: set[str] = set()
    for term in group:
        expected |= _phrase_pids(searcher, term, loose=term == typed)
        # Abbreviations also match the long forms the archive's abbreviation table gives them,
        # and a long form its abbreviation.
        for long in searcher.abbreviations.get(term.lower(), []):
            expected |= _phrase_pids(searcher, long, loose=False)
        for abbr, longs in searcher.abbreviations.items():
            if term != typed and term.lower() in (x.lower() for x in longs):
                expected |= _phrase_pids(searcher, abbr, loose=False)
    got = _pids(searcher, typed)
    assert got == expected
    assert _pids(searcher, typed, exact=True) <= got


def test_synonyms_widen_and_exact_turns_them_off(searcher: Searcher) -> None:
    lac = _pids(searcher, '"looked after children"', exact=True)
    cic = _pids(searcher, '"children in care"', exact=True)
    assert lac and cic and lac - cic and cic - lac
    assert lac | cic <= _pids(searcher, '"children in care"')
    assert _pids(searcher, '"children in care"', exact=True) == cic
    # JAR-era 'child protection register' and SIF-era 'child protection plan' find each other.
    register = _pids(searcher, '"child protection register"', exact=True)
    plan = _pids(searcher, '"child protection plan"')
    assert register and register <= plan
    # A term inside a longer quoted phrase, or named by a field, is left as typed.
    assert synonyms.expand('"support for children in care"') == '"support for children in care"'
    assert synonyms.expand("title:LAC") == "title:LAC"
    # A term typed as a plural is the term ('new social workers' is 'new social worker').
    assert "changes of social worker" in synonyms.expand("children keep getting new social workers")
    assert _pids(searcher, "LACs") >= _pids(searcher, '"children in care"', exact=True)


def test_terms_are_found_as_one_pattern_of_the_whole_table_finds_them() -> None:
    """Each query is searched with a pattern of only the terms whose words it holds: it finds
    exactly what the pattern of every term finds (every term of the table typed in many ways,
    inside other words, quoted, as a plural, after a field name, and staff queries)."""
    import json
    import random

    every = synonyms._pattern(tuple(synonyms._lookup()))
    terms = [t for g in synonyms.groups() for t in g]
    rng = random.Random(7)
    staff = json.loads((Path(__file__).parent / "data" / "staff-queries.json").read_text())
    texts = [i["q"] for i in staff]
    for t in terms:
        texts += [t, t.upper(), f'"{t}"', f"{t}s", f"new {t}s today", f"x{t}", f"{t}x",
                  f"title:{t}", t.replace(" ", "-"), f'"more {t} here"', f"{t}/{t}"]  # fmt: skip
    for _ in range(300):
        texts.append(" ".join(rng.sample(terms, 3)) + " " + rng.choice(texts))
    assert len(texts) > 1000
    for text in texts:
        got = [(m.span(), typed) for m, typed, _ in synonyms._matches(text)]
        expected = []
        for m in every.finditer(text):
            if synonyms._inside_phrase(text, m.start()) and not m.group().startswith('"'):
                continue
            typed = synonyms._key(m.group().strip('"'))
            expected.append((m.span(), typed if typed in synonyms._lookup() else typed[:-1]))
        assert got == expected, text


def test_the_synonym_table_refuses_a_bad_line() -> None:
    with pytest.raises(ArchiveError, match=r"t.txt:2: a group needs two or more terms"):
        synonyms.parse_table("a | b\nlonely\n", "t.txt")
    with pytest.raises(ArchiveError, match=r"t.txt:2: 'B' is already in a group \(line 1\)"):
        synonyms.parse_table("a | b\nc | B\n", "t.txt")


@pytest.mark.parametrize("grade", ["overall:good", "overall:3", "help-and-protection:good",
                                   "any:outstanding", "lscb:good", "overall:inadequate",
                                   "children-in-care:2"])  # fmt: skip
def test_judgement_filters_narrow_exactly(searcher: Searcher, grade: str) -> None:
    everything = _pids(searcher, "adoption")
    allowed = {d for d, rec in searcher.documents.items() if grade in rec["grades"]}
    narrowed = _pids(searcher, "adoption", Filters(grade=[grade]))
    assert narrowed == {p for p in everything if p.split("#")[0] in allowed}
    # The same filter as a query field.
    assert _pids(searcher, f"adoption grades:{grade}") == narrowed


def test_judgement_filter_in_the_api(search_build: Path, searcher: Searcher) -> None:
    client = TestClient(make_app(search_build))
    body = client.get("/api/search", params={"q": "children", "grade": "overall:good",
                                             "limit": 100}).json()  # fmt: skip
    assert body["hits"] and all(
        "overall:good" in searcher.documents[h["id"]]["grades"] for h in body["hits"])  # fmt: skip
    assert set(body["facets"]["authority"]) <= {
        searcher.documents[d]["authority"] for d in searcher.documents
        if "overall:good" in searcher.documents[d]["grades"]}  # fmt: skip


def test_search_page_offers_every_judgement_area() -> None:
    from evidence_archive.frameworks import AREAS

    page = (Path(__file__).resolve().parents[1] / "docs" / "search.md").read_text()
    for area in AREAS:
        assert f'<option value="{area}">' in page


def test_saved_search_feed_is_atom_newest_first(search_build: Path, searcher: Searcher) -> None:
    client = TestClient(make_app(search_build))
    params = {"q": "care leavers accommodation", "region": "London"}
    r = client.get("/api/feed", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.text)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Evidence search: care leavers accommodation"
    entries = feed.entries
    search = searcher.search(params["q"], Filters(region="London"), limit=50)
    assert len(entries) == len(search["hits"]) > 0
    dates = [e.updated_parsed for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert {e.id.split(":paragraph:")[1] for e in entries} == {
        f"{h['id']}#{h['anchor']}" for h in search["hits"]}  # fmt: skip
    assert all(searcher.documents[e.id.split(":paragraph:")[1].split("#")[0]]["region"]
               == "london" for e in entries)  # fmt: skip
    assert all(e.link.startswith("http://testserver/reports/") for e in entries)
    # The feed names the search page that reproduces it.
    alternate = next(li.href for li in feed.feed.links if li.rel == "alternate")
    assert "/search/?" in alternate and "terms=care+leavers+accommodation" in alternate
    assert client.get("/api/feed", params={"q": ""}).status_code == 400


def test_site_feeds_validate_and_list_documents_newest_first(search_build: Path) -> None:
    from evidence_archive.build.parsing import parse_corpus

    corpus = search_build.parent / "corpus"
    docs = [b.doc for b in parse_corpus([corpus])]
    feeds = site_feeds(docs)
    assert "feeds/all.xml" in feeds and "feeds/authority/havering.xml" in feeds
    assert "feeds/region/london.xml" in feeds
    for path, xml in feeds.items():
        feed = feedparser.parse(xml)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        dates = [e.updated_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True), path
    everything = feedparser.parse(feeds["feeds/all.xml"])
    assert len(everything.entries) == len(docs)
    london = feedparser.parse(feeds["feeds/region/london.xml"])
    assert london.entries and all("/reports/" in e.link for e in london.entries)
    assert site_feeds(docs) == feeds  # deterministic: no clock in a feed


def test_a_feed_holds_the_newest_documents(
    search_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_archive.build.parsing import parse_corpus
    from evidence_archive.site import feeds as feeds_module

    docs = [b.doc for b in parse_corpus([search_build.parent / "corpus"])]
    monkeypatch.setattr(feeds_module, "FEED_ENTRIES", 2)
    everything = feedparser.parse(site_feeds(docs)["feeds/all.xml"])
    newest = feeds_module.newest_first(docs)[:2]
    assert len(docs) > 2
    assert [e.id for e in everything.entries] == [f"urn:evidence-archive:document:{d.id}"
                                                  for d in newest]  # fmt: skip
