"""Evidence search: relevance on staff-style queries, bad queries, filters, the JSON contract,
the API and a new index picked up by a running server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.pipeline import build
from evidence_archive.search.api import make_app
from evidence_archive.search.contract import HIT_FIELDS, Filters
from evidence_archive.search.searcher import Searcher

from .conftest import CORPUS, PDFS, run_cli

RELEVANCE = json.loads((Path(__file__).parent / "data" / "relevance.json").read_text())


@pytest.fixture(scope="module")
def out(search_build: Path) -> Path:
    return search_build


@pytest.fixture(scope="module")
def searcher(out: Path) -> Searcher:
    return Searcher(out / "index")


def _filters(item: dict) -> Filters:
    return Filters.from_mapping(item)


@pytest.mark.parametrize("item", RELEVANCE, ids=[i["q"] for i in RELEVANCE])
def test_relevance_paragraph_in_top_ten(searcher: Searcher, item: dict) -> None:
    if item.get("pdf") and not PDFS.is_dir():
        pytest.skip("needs ../shared/reports-pdf")
    result = searcher.search(item["q"], _filters(item), limit=10)
    hits = [(h["id"], h["text"]) for h in result["hits"]]
    assert any(doc == item["doc"] and item["has"] in text for doc, text in hits), hits[:3]


def test_evaluation_set_is_large_enough() -> None:
    assert len(RELEVANCE) >= 30
    assert len({i["doc"] for i in RELEVANCE}) >= 10


# --- the JSON contract -----------------------------------------------------------------------


def test_json_hits_keep_the_contract(out: Path) -> None:
    result = run_cli("search", "bed and breakfast", "--format", "json", "--index", str(out / "index"),
                     "--base-url", "https://archive.example")  # fmt: skip
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits and [tuple(h) for h in hits] == [HIT_FIELDS] * len(hits)
    top = hits[0]
    assert top["rank"] == 1 and top["score"] > 0
    assert top["id"] == "hampshire-2014-03-12-single-inspection"
    assert top["source_file"] == "001_cc2835037d4f668a.txt"
    assert top["paragraph"] == "87" and top["anchor"] == "para-87"
    assert (
        top["url"]
        == "https://archive.example/reports/hampshire/hampshire-2014-03-12-single-inspection/#para-87"
    )
    corpus_text = (CORPUS / "hampshire" / "hampshire-2014-03-12-single-inspection.txt").read_text()
    assert top["text"].startswith("Despite this, a small minority of care leavers")
    assert top["text"] in " ".join(corpus_text.split()) or top["text"][:200] in corpus_text
    assert "<mark" in top["highlight"] and top["highlight"].count("</mark>") >= 2
    assert top["citation"] == (
        "Ofsted (2014) Hampshire County Council: Inspection of services for children in need of "
        "help and protection, children looked after and care leavers and Review of the "
        "effectiveness of the local safeguarding children board, para. 87. "
        "https://archive.example/reports/hampshire/hampshire-2014-03-12-single-inspection/#para-87"
    )


def test_citation_names_publication_date(searcher: Searcher) -> None:
    hit = searcher.search("young carers are inadequate", Filters(authority=["havering"]))["hits"][0]
    assert hit["citation"].startswith("Ofsted (2007) Joint area review: London Borough of Havering")
    assert ", para. 18. Published 6 February 2007. /reports/havering/" in hit["citation"]


def test_text_csv_and_markdown_outputs(out: Path) -> None:
    idx = str(out / "index")
    text = run_cli("search", "Gooshays", "--index", idx).stdout
    assert "[[Gooshays]]" in text and "Ofsted (2007)" in text
    rows = list(
        csv.DictReader(
            io.StringIO(run_cli("search", "Gooshays", "--format", "csv", "--index", idx).stdout)
        )
    )
    assert (
        rows and "Gooshays" in rows[0]["quote"] and rows[0]["citation"].startswith("Ofsted (2007)")
    )
    md = run_cli("search", "Gooshays", "--format", "md", "--index", idx).stdout
    assert md.startswith("> ") and "> — Ofsted (2007)" in md


# --- query features --------------------------------------------------------------------------


def test_british_and_american_spellings_match(searcher: Searcher) -> None:
    british = {h["text"] for h in searcher.search("organisations", limit=50)["hits"]}
    american = {h["text"] for h in searcher.search("organizations", limit=50)["hits"]}
    assert british and british == american


@pytest.mark.parametrize(
    "short,long",
    [("CAMHS", "child and adolescent mental health services"), ("NEET", "not in education, employment or training"),
     ("LSCB", "local safeguarding children board"), ("IRO", "independent reviewing officer")],
)  # fmt: skip
def test_abbreviations_match_long_forms_both_ways(
    searcher: Searcher, short: str, long: str
) -> None:
    by_short = {h["text"] for h in searcher.search(short, limit=200)["hits"]}
    by_long = {h["text"] for h in searcher.search(f'"{long}"', limit=200)["hits"]}
    assert any(long in t.lower() and short not in t for t in by_short)
    assert any(short in t and long not in t.lower() for t in by_long)


def test_abbreviations_defined_in_the_documents_are_learnt(searcher: Searcher) -> None:
    assert "youth offending team" in searcher.abbreviations["yot"]
    assert "rights, respect and responsibilities" in searcher.abbreviations["rrr"]  # the glossary


def test_exact_turns_expansion_off(searcher: Searcher) -> None:
    exact = searcher.search("CAMHS", limit=200, expand=False)["hits"]
    assert exact and all("camhs" in h["text"].lower() for h in exact)


def test_phrase_and_not_and_prefix(searcher: Searcher) -> None:
    phrase = searcher.search('"bed and breakfast"', limit=50)["hits"]
    assert phrase and all("bed and breakfast" in h["text"].lower() for h in phrase)
    without = searcher.search("young carers NOT Hampshire", limit=100)["hits"]
    assert without and all("hampshire" not in h["text"].lower() for h in without)
    prefix = searcher.search("adolesc*", limit=50)["hits"]
    assert prefix and all("adolesc" in h["text"].lower() for h in prefix)
    either = searcher.search("Gooshays OR Havant", limit=50)["hits"]
    assert {"Gooshays" in h["text"] for h in either} == {True, False}


# --- filters ---------------------------------------------------------------------------------


def test_filters_narrow_the_hits(searcher: Searcher) -> None:
    everything = searcher.search("care leavers", limit=500)
    by_authority = searcher.search("care leavers", Filters(authority=["havering"]), limit=500)
    by_kind = searcher.search("care leavers", Filters(kind="plan"), limit=500)
    by_years = searcher.search("care leavers", Filters(year_from=2007, year_to=2007), limit=500)
    for part, check in (
        (by_authority, lambda h: h["authority"] == "havering"),
        (by_kind, lambda h: h["id"] == "hampshire-2012-children-and-young-peoples-plan"),
        (by_years, lambda h: h["id"].split("-")[1] == "2007" or h["id"].startswith("england-2007")),
    ):
        assert 0 < part["total"] < everything["total"]
        assert all(check(h) for h in part["hits"])
    both = searcher.search("care leavers", Filters(authority=["havering", "hampshire"]), limit=500)
    assert {h["authority"] for h in both["hits"]} == {"havering", "hampshire"}


def test_search_by_judgement(searcher: Searcher) -> None:
    inadequate = searcher.search("care leavers", Filters(grade=["overall:inadequate"]), limit=500)
    if PDFS.is_dir():
        ids = {h["id"] for h in inadequate["hits"]}
        assert ids and ids <= {"birmingham-2014-05-23-single-inspection", "birmingham-2016-11-25-single-inspection",
                               "halton-2024-05-24-ilacs-inspection", "havering-2023-12-22-ilacs-inspection",
                               "norfolk-2013-08-16-looked-after-children-inspection"}  # fmt: skip
    good_lscb = searcher.search("training", Filters(grade=["lscb:good"]), limit=500)["hits"]
    assert good_lscb and {h["id"] for h in good_lscb} == {"hampshire-2014-03-12-single-inspection"}


def test_document_fields_in_the_query(searcher: Searcher) -> None:
    """title:, year:, grades:, authority:, region: are answered from the documents table and
    combine with words, NOT and prefixes exactly as the matching filters do."""
    jar = {"hampshire-2007-08-14-joint-area-review", "havering-2007-02-06-joint-area-review"}

    def ids(query: str) -> set[str]:
        return {h["id"] for h in searcher.search(query, limit=500)["hits"]}

    assert ids('title:"joint area review" carers') == jar
    assert ids("title:joint* carers") == jar
    assert ids("year:2014 carers") == {h["id"] for h in searcher.search(
        "carers", Filters(year_from=2014, year_to=2014), limit=500)["hits"]}  # fmt: skip
    assert ids("year:[2007 TO 2007] carers") <= jar | {"england-2007-04-narrowing-the-gap"}
    assert ids("grades:lscb:good training") == {"hampshire-2014-03-12-single-inspection"}
    havering = ids("authority:havering carers")
    assert "havering-2007-02-06-joint-area-review" in havering
    assert all(i.startswith("havering-") for i in havering)
    london = ids("region:london carers")
    assert "havering-2007-02-06-joint-area-review" in london
    assert not any(i.startswith("hampshire") for i in london)
    assert not any(i.startswith("havering") for i in ids("carers NOT authority:havering"))
    assert ids("title:nosuchword carers") == set()


# --- bad queries -----------------------------------------------------------------------------

BAD = [
    ('"young carers', "unbalanced quotes"),
    ("(young carers", "unbalanced brackets"),
    ("young carers)", "unbalanced brackets"),
    ("AND", "operators but no words"),
    ("young AND", "needs words on both sides"),
    ("colour:red carers", "unknown field 'colour'"),
    ("", "empty query"),
    ("   ", "empty query"),
    ("carers " * 2000, "query too long"),
    ("young\x00carers", "control characters"),
    ("young\x1b[31mcarers", "control characters"),
]


@pytest.mark.parametrize(
    "query,message", [b for b in BAD if "\x00" not in b[0]], ids=lambda v: str(v)[:20]
)
def test_bad_query_cli_one_clear_line(out: Path, query: str, message: str) -> None:
    # (A NUL byte cannot be passed in a command line at all; the API test covers it.)
    result = run_cli("search", query, "--index", str(out / "index"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("query,message", BAD, ids=[m for _, m in BAD])
def test_bad_query_api_400_json(out: Path, query: str, message: str) -> None:
    client = TestClient(make_app(out))
    r = client.get("/api/search", params={"q": query})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == 400 and message in body["error"]["message"]


def test_api_error_shape_is_the_same_everywhere(out: Path) -> None:
    client = TestClient(make_app(out))
    for r in (
        client.get("/api/nowhere"),
        client.get("/api/search", params={"q": "x", "limit": "lots"}),
    ):
        assert set(r.json()) == {"error"} and set(r.json()["error"]) == {"status", "message"}
    assert client.get("/api/nowhere").status_code == 404


def test_api_answers_hits_total_and_facets(out: Path) -> None:
    client = TestClient(make_app(out))
    r = client.get(
        "/api/search", params=[("q", "care leavers"), ("authority", "havering"), ("limit", "3")]
    )
    assert r.status_code == 200
    body = r.json()
    assert len(body["hits"]) == 3 and body["total"] > 3
    assert [tuple(h) for h in body["hits"]] == [HIT_FIELDS] * 3
    assert body["hits"][0]["url"].startswith("http://testserver/reports/havering/")
    assert set(body["facets"]) == {"authority", "kind", "year"}
    assert body["facets"]["authority"] == {"havering": body["total"]}
    assert sum(body["facets"]["year"].values()) == body["total"]


def test_running_server_picks_up_a_new_index(tmp_path: Path, corpus_copy: Path) -> None:
    out = tmp_path / "out"
    build([corpus_copy], out, site=False, index=True)
    client = TestClient(make_app(out))
    assert client.get("/api/search", params={"q": "zebracrossing"}).json()["total"] == 0
    # A new document arrives; the archive is rebuilt and swapped in while the server runs.
    src = corpus_copy / "havering" / "havering-2007-02-06-joint-area-review"
    text = src.with_suffix(".txt").read_text() + "\nThe zebracrossing outside the school is new.\n"
    src.with_suffix(".txt").write_text(text)
    from evidence_archive.corpus.store import sha256_file

    meta = src.with_suffix(".yml")
    old = meta.read_text().split("sha256: ")[1][:64]
    meta.write_text(meta.read_text().replace(old, sha256_file(src.with_suffix(".txt"))))
    build([corpus_copy], out, site=False, index=True)
    r = client.get("/api/search", params={"q": "zebracrossing"})
    assert r.status_code == 200 and r.json()["total"] == 1


def test_a_council_named_in_the_query_comes_first(searcher: Searcher, out: Path) -> None:
    """A plain query naming a council as printed: that council's paragraphs answering the rest
    of the query first, then the whole query's answer; said in 'understood' as a filter."""
    named = searcher.search("Havering young carers", limit=10)
    alone = searcher.search("young carers", Filters(authority=["havering"]), limit=10)
    whole = searcher.search("young carers", limit=10)
    assert named["understood"] == {"authority": ["havering"], "named": ["Havering"],
                                   "words": ["Havering"], "rest": "young carers"}  # fmt: skip
    first = [(h["id"], h["anchor"]) for h in alone["hits"]]
    assert [(h["id"], h["anchor"]) for h in named["hits"][: len(first)]] == first
    assert [h["rank"] for h in named["hits"]] == list(range(1, len(named["hits"]) + 1))
    assert len(named["hits"]) == 10 and all(h["authority"] == "havering" for h in alone["hits"])
    # Without the council named, other councils' paragraphs lead.
    assert any(h["authority"] != "havering" for h in whole["hits"][:3])
    # Not read as a council: given a council filter, exact words, a lowercase name, an
    # operator or phrase, a name with nothing else to search for.
    for text, kwargs in (
        ("Havering young carers", {"filters": Filters(authority=["hampshire"])}),
        ("Havering young carers", {"expand": False}),
        ("havering young carers", {}),
        ('"young carers" Havering', {}),
        ("Havering", {}),
    ):
        assert "understood" not in searcher.search(text, limit=5, **kwargs), text
    body = TestClient(make_app(out)).get("/api/search", params={"q": "Havering young carers"})
    assert body.json()["understood"]["authority"] == ["havering"]
    text = run_cli("search", "Havering young carers", "--index", str(out / "index")).stdout
    assert (
        "Paragraphs of Havering first (named in the query; 'young carers' --authority "
        "havering searches only there)" in text
    )


# --- result diversity, councils first, years and regions read in the query -------------------


def test_fold_keeps_three_of_a_report_and_folds_the_rest_under_it() -> None:
    from evidence_archive.search.fold import fold

    ranked = [f"{d}{n}" for n, d in enumerate("AAAABAC", start=1)]
    got = fold(ranked, limit=4, report=lambda item: item[0])
    assert got.hits == ["A1", "A2", "A3", "B5"]
    # Only what ranks above the last item shown is folded (A's sixth ranks below B's).
    assert got.more == {"A": ["A4"]}
    # Too few reports to fill the page: the folded items fill it, best first.
    got = fold([f"A{n}" for n in range(1, 6)], limit=4, report=lambda item: item[0])
    assert (got.hits, got.more) == (["A1", "A2", "A3", "A4"], {"A": ["A5"]})
    assert fold(["A1", "B2"], limit=4, report=lambda item: item[0]).more == {}


def test_a_search_shows_at_most_three_paragraphs_of_a_report(searcher: Searcher, out: Path) -> None:
    # The first of some searches where one report holds more than three of the ten best.
    query = next(
        q
        for q in ("private fostering", "inadequate", "joint area review")
        if searcher.search(q, limit=10).get("more")
    )
    result = searcher.search(query, limit=10)
    shown = [(h["id"], h["anchor"]) for h in result["hits"]]
    folded = [(d, h["anchor"]) for d, hits in result["more"].items() for h in hits]
    assert len(shown) == 10 and folded
    assert max(sum(1 for d, _ in shown if d == doc) for doc, _ in shown) <= 3
    assert set(result["more"]) <= {d for d, _ in shown} and not set(folded) & set(shown)
    # Shown and folded together are the unfolded ranking down to the last paragraph shown.
    unfolded = [(h["id"], h["anchor"])
                for h in searcher.search(query, limit=30, fold=False)["hits"]]  # fmt: skip
    last = max(unfolded.index(k) for k in shown)
    assert set(unfolded[: last + 1]) == set(shown) | set(folded)
    client = TestClient(make_app(out))
    api = client.get("/api/search", params={"q": query, "limit": "10"}).json()
    assert [(h["id"], h["anchor"]) for h in api["hits"]] == shown and api["more"]
    plain = client.get("/api/search", params={"q": query, "limit": "10", "fold": "0"})
    assert "more" not in plain.json() and [(h["id"], h["anchor"]) for h in
                                          plain.json()["hits"]] == unfolded[:10]  # fmt: skip
    text = run_cli("search", query, "--index", str(out / "index")).stdout
    assert "more from this report (" in text and "--no-fold lists them" in text
    text = run_cli("search", query, "--no-fold", "--index", str(out / "index")).stdout
    assert "more from this report" not in text


def test_councils_come_in_the_order_of_their_best_match(searcher: Searcher) -> None:
    result = searcher.search("care leavers", limit=20, facets=True)
    councils = result["councils"]
    assert [c["authority"] for c in councils] and councils[0]["best"] == 1
    assert councils[0]["authority"] == result["hits"][0]["authority"]
    ranked = [c["best"] for c in councils if c["best"] is not None]
    assert ranked == sorted(ranked)
    # Every council among the hits has a best rank.
    best = {c["authority"] for c in councils if c["best"] is not None}
    assert {h["authority"] for h in result["hits"]} <= best
    counts = result["facets"]["authority"]
    assert all(counts[c["authority"]] == c["paragraphs"] for c in councils)
    assert len(councils) == min(len(counts), 20)
    assert {c["name"] for c in councils} >= {"Havering", "Hampshire"}


def test_a_year_or_region_named_in_the_query_comes_first(searcher: Searcher) -> None:
    from evidence_archive.search.understand import understand

    everyone = frozenset({"havering", "dudley"})
    read = understand("neglect strategy 2016", Filters(), everyone)
    assert read is not None and (read.years, read.rest) == ((2016, 2016), "neglect strategy")
    read = understand("care leavers North West 2015-2017", Filters(), everyone)
    assert read is not None and (read.region, read.years) == ("North West", (2015, 2017))
    assert read.rest == "care leavers"
    read = understand("Dudley neglect 2018", Filters(), everyone)
    assert read is not None and read.councils == (("Dudley", "dudley"),) and read.region is None
    # Not read: a filter already fixes it, nothing else to search for, or not a plain query.
    assert understand("neglect 2016", Filters(year_from=2010), everyone) is None
    assert understand("2016", Filters(), everyone) is None
    assert understand('"neglect strategy" 2016', Filters(), everyone) is None
    assert understand("neglect London", Filters(region="london"), everyone) is None
    # The searcher: that year's paragraphs answering the rest first, then the whole query.
    named = searcher.search("care leavers 2016", limit=10)
    alone = searcher.search("care leavers", Filters(year_from=2016, year_to=2016), limit=10)
    assert named["understood"]["from"] == named["understood"]["to"] == 2016
    first = [(h["id"], h["anchor"]) for h in alone["hits"]]
    assert first and [(h["id"], h["anchor"]) for h in named["hits"][: len(first)]] == first
    assert all(searcher.documents[h["id"]]["year"] == 2016 for h in alone["hits"])
    # A year with no report: the query as typed, nothing said.
    assert "understood" not in searcher.search("care leavers 2031", limit=5)
    region = searcher.search("care leavers London", limit=10)
    assert region["understood"]["region"] == "london"
    londoners = {d for d, r in searcher.documents.items() if r["region"] == "london"}
    assert region["hits"][0]["id"] in londoners


def test_what_a_search_also_looked_for_is_shown(searcher: Searcher, out: Path) -> None:
    """Synonyms and the long forms of abbreviations are searched for below the words typed,
    and the result says which (exact words search for the words alone, and say nothing)."""
    result = searcher.search("respite for disabled children CAMHS", limit=5)
    also = {e["typed"]: e["also"] for e in result["expanded"]}
    assert also["respite"] == ["short breaks", "short break care"]
    assert "child and adolescent mental health services" in also["CAMHS"]
    assert "expanded" not in searcher.search("respite CAMHS", limit=5, expand=False)
    assert "expanded" not in searcher.search("young carers", limit=5)
    text = run_cli("search", "respite", "--index", str(out / "index")).stdout
    assert "Also searched for: short breaks, short break care (for 'respite')" in text
