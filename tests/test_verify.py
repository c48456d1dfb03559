"""Quote check: quotes from every document of the search build (the seeds and the real PDFs),
altered in each way a word processor or a memory alters them, are each found at rank 1 with the
right verbatim flag and the difference named; a quote that is nowhere says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.search.api import make_app
from evidence_archive.search.searcher import Searcher
from evidence_archive.search.verify import align, check_quote, found

from .conftest import PDFS, run_cli

WORD = re.compile(r"[^\W_]+")


@pytest.fixture(scope="module")
def searcher(search_build: Path) -> Searcher:
    return Searcher(search_build / "index")


def _entries(searcher: Searcher) -> list[dict]:
    return sorted(searcher.all_stored(), key=lambda f: f["pid"])


def _plain(text: str) -> str:
    """Words only, lowercased: a quote is unique when its words are (whatever the marks)."""
    return " ".join(WORD.findall(text.lower()))


def _window(text: str, start: int, n: int = 20) -> str | None:
    spans = [m.span() for m in WORD.finditer(text)]
    if len(spans) < start + n:
        return None
    return text[spans[start][0] : spans[start + n - 1][1]]


def picks(searcher: Searcher, need: str = "") -> list[tuple[str, str, str]]:
    """One quote per document: 20 words from the first long paragraph (holding `need`, when
    given) whose words are in no other entry. (document id, anchor, quote)."""
    entries = [e for e in _entries(searcher) if e["block"] == "paragraph"]
    texts = [_plain(e["verbatim"]) for e in entries]
    out: dict[str, tuple[str, str, str]] = {}
    for e in entries:
        if e["doc_id"] in out:
            continue
        for start in (3, 10, 20):
            quote = _window(e["verbatim"], start)
            if quote is None or (need and not re.search(need, quote)):
                continue
            if sum(_plain(quote) in t for t in texts) == 1:
                out[e["doc_id"]] = (e["doc_id"], e["anchor"], quote)
                break
    return sorted(out.values())


def _seps(quote: str) -> list[tuple[int, int]]:
    """The single spaces between words, as character spans."""
    spans = [m.span() for m in WORD.finditer(quote)]
    return [
        (a[1], b[0]) for a, b in zip(spans, spans[1:], strict=False) if quote[a[1] : b[0]] == " "
    ]


def _words(quote: str) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(quote)]


def punctuation(quote: str) -> str:
    a, b = _seps(quote)[4]
    return quote[:a] + ", " + quote[b:]


def curly(quote: str) -> str:
    return quote.replace("'", "\u2019") if "'" in quote else quote.replace("\u2019", "'")


def line_breaks(quote: str) -> str:
    seps = _seps(quote)
    for a, b in (seps[12], seps[6]):
        quote = quote[:a] + "\n" + quote[b:]
    return quote


def ellipsis(quote: str) -> str:
    w = _words(quote)
    return quote[: w[6][1]] + " ... " + quote[w[11][0] :]


def wrong_word(quote: str) -> str:
    w = _words(quote)
    return quote[: w[8][0]] + "purple" + quote[w[8][1] :]


ALTERATIONS: dict[str, tuple[Callable[[str], str], str, bool]] = {
    # name: (alteration, the kind of difference it must be reported as, same words?)
    "punctuation": (punctuation, "punctuation", True),
    "curly quotes": (curly, "quote marks", True),
    "line breaks": (line_breaks, "spacing", True),
    "ellipsis": (ellipsis, "omitted", True),
    "a word wrong": (wrong_word, "changed", False),
}


def _needs_pdfs(quotes: list) -> None:
    if not PDFS.is_dir():
        pytest.skip("needs ../shared/reports-pdf for quotes from ten documents")
    assert len(quotes) >= 10, f"quotes from only {len(quotes)} documents"


def test_verbatim_quotes_are_found_first_and_verbatim(searcher: Searcher) -> None:
    quotes = picks(searcher)
    _needs_pdfs(quotes)
    for doc, anchor, quote in quotes:
        result = check_quote(searcher, quote)
        top = result["matches"][0]
        assert (top["id"], top["anchor"]) == (doc, anchor), quote
        assert result["verbatim"] and top["differences"] == [], (quote, top["differences"])
        assert result["message"].startswith("Verbatim")
        # Quote marks around the whole quote are the quoter's, not a change.
        assert check_quote(searcher, f"\u201c{quote}\u201d")["verbatim"]


@pytest.mark.parametrize("name", list(ALTERATIONS))
def test_altered_quotes_found_first_never_verbatim(searcher: Searcher, name: str) -> None:
    alter, kind, same_words = ALTERATIONS[name]
    quotes = picks(searcher, need="['\u2019]" if name == "curly quotes" else "")
    _needs_pdfs(quotes)
    for doc, anchor, quote in quotes:
        altered = alter(quote)
        assert altered != quote
        result = check_quote(searcher, altered)
        assert result["found"], altered
        top = result["matches"][0]
        assert (top["id"], top["anchor"]) == (doc, anchor), (name, altered)
        assert result["verbatim"] is False, (name, altered)  # never a false "verbatim"
        assert kind in {d["kind"] for d in top["differences"]}, (name, top["differences"])
        assert result["same_words"] is same_words, (name, top["differences"])
        assert "<del" in top["marked"] or "<ins" in top["marked"]


def test_all_alterations_at_once(searcher: Searcher) -> None:
    quotes = picks(searcher)
    _needs_pdfs(quotes)
    for doc, anchor, quote in quotes:
        altered = f"\u201c{curly(wrong_word(punctuation(line_breaks(quote))))}\u201d"
        result = check_quote(searcher, altered)
        top = result["matches"][0]
        assert (top["id"], top["anchor"]) == (doc, anchor), altered
        assert not result["verbatim"] and not result["same_words"]


def test_differences_marked_exactly() -> None:
    source = ("The local authority has appointed 21 young people who have experience of being "
              "looked after to act as care ambassadors, and to represent and support Hampshire's "
              "looked after children.")  # fmt: skip
    a = align("has appointed 12 young people who have experience of being cared for", source)
    assert [(d.kind, d.quote, d.source) for d in a.differences] == [
        ("changed", "12", "21"), ("changed", "cared for", "looked after")]  # fmt: skip
    assert a.marked == ("has appointed <del>21</del><ins>12</ins> young people who have "
                        "experience of being <del>looked after</del><ins>cared for</ins>")  # fmt: skip
    a = align("The local authority has appointed 21 young people … to act as care", source)
    assert [(d.kind, d.source) for d in a.differences] == [
        ("omitted", "who have experience of being looked after")]  # fmt: skip
    a = align("appointed young people who have", source)
    assert [(d.kind, d.source) for d in a.differences] == [("missing", "21")]
    a = align("appointed 21 young people,\nwho have", source)
    assert [(d.kind, d.quote, d.source) for d in a.differences] == [("punctuation", ",\n", " ")]
    a = align("support Hampshire\u2019s looked after children!", source)
    assert [(d.kind, d.quote, d.source) for d in a.differences] == [
        ("quote marks", "\u2019", "'"), ("punctuation", "!", ".")]  # fmt: skip
    a = align("the local authority", source)
    assert [(d.kind, d.quote, d.source) for d in a.differences] == [("case", "the", "The")]
    # A quote may stop before the source's full stop, and that is still verbatim.
    assert align("support Hampshire's looked after children", source).verbatim
    assert not found(align("weather forecasts for the Western Isles tomorrow", source))


def test_text_markup_in_a_quote_is_escaped() -> None:
    source = "The report says <b>bold</b> & <script>x</script> claims."
    a = align("says <b>bold</b> & <script>x</script> claims", source)
    assert (
        a.verbatim
        and a.marked == "says &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt; claims"
    )
    a = align("says <i>bold</i> & <script>y</script> claims", source)
    assert "<" not in re.sub(r'</?(?:del|ins)>|<del class="omitted">', "", a.marked)
    assert "<ins>y</ins>&lt;/script&gt;" in a.marked


def test_quote_nowhere_says_so(searcher: Searcher) -> None:
    result = check_quote(searcher, "The moon is made of green cheese and the stars are lanterns")
    assert result["found"] is False and result["matches"] == []
    assert result["message"].startswith("Not found")


def test_cli_and_api(search_build: Path, searcher: Searcher) -> None:
    doc, anchor, quote = picks(searcher)[0]
    altered = wrong_word(quote)
    r = run_cli("verify", altered, "--index", str(search_build / "index"))
    assert r.returncode == 0, r.stderr
    assert "Not verbatim" in r.stdout and "{+purple+}" in r.stdout and f"#{anchor}" in r.stdout
    r = run_cli("verify", "The moon is made of green cheese entirely", "--index",
                str(search_build / "index"))  # fmt: skip
    assert r.returncode == 2 and r.stdout.startswith("Not found")
    r = run_cli("verify", "   ", "--index", str(search_build / "index"))
    assert r.returncode == 1 and r.stderr.startswith("error: empty quote")
    client = TestClient(make_app(search_build))
    body = client.get("/api/verify", params={"q": quote}).json()
    assert body["verbatim"] is True and body["matches"][0]["id"] == doc
    assert body["matches"][0]["url"].startswith("http://testserver/reports/")
    assert body["matches"][0]["url"].endswith(f"#{anchor}")
    assert client.get("/api/verify", params={"q": ""}).status_code == 400
