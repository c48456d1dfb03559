"""The set-at-a-time engine answers every kind of query exactly as Whoosh's own matchers do:
the same entries match, and for words and phrases the same BM25F scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import query as q

from evidence_archive.errors import QueryError
from evidence_archive.index.engine import DocumentSet
from evidence_archive.search.contract import Filters
from evidence_archive.search.searcher import WEIGHTING, Searcher


@pytest.fixture(scope="module")
def searcher(search_build: Path) -> Searcher:
    return Searcher(search_build / "index")


def _as_whoosh(node: Any) -> Any:
    """The same query for Whoosh: document sets become doc_id terms."""
    if isinstance(node, DocumentSet):
        return q.Or([q.Term("doc_id", d) for d in sorted(node.ids)]) if node.ids else q.NullQuery
    if isinstance(node, q.CompoundQuery):
        return node.__class__([_as_whoosh(s) for s in node.subqueries], boost=node.boost)
    if isinstance(node, q.Not):
        return q.Not(_as_whoosh(node.query))
    return node


QUERIES = [
    "looked after children",
    "care leavers accommodation",
    '"looked after children"',
    '"children in care" pledge',
    "CAMHS",
    "LAC health",
    "social work* vacanc*",
    "fostering OR adoption",
    "adoption NOT fostering",
    "(young carers) OR (private fostering)",
    "section:safeguarding",
    "authority:havering children",
    "title:joint review",
    "year:2014 adoption",
    "grades:overall:inadequate",
    '"safe hands"',
    "bed and breakfast",
    "neet",
    "organization",
    "multi-agency",
    "section:[s TO t]",
    '"looked children"~2',
    '"children care"~3 health',
    '"care leavers"~1',
    "children section:[a TO c]",
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("expand", [True, False])
def test_same_entries_as_whoosh(searcher: Searcher, text: str, expand: bool) -> None:
    query = searcher.parse(text, expand)
    docs, scores = searcher.engine.evaluate(query)
    ws = searcher.whoosh_searcher()
    expected = sorted(ws.docs_for_query(_as_whoosh(query)))
    assert docs.tolist() == expected
    assert len(docs) == len(scores) and np.all(np.isfinite(scores))


@pytest.mark.parametrize(
    "text", ["looked after children", "bed breakfast", "adoption OR fostering"]
)
def test_word_scores_are_whooshs_bm25f(searcher: Searcher, text: str) -> None:
    query = searcher.parse(text, expand=False)
    docs, scores = searcher.engine.evaluate(query)
    results = searcher.whoosh_searcher().search(query, limit=None, optimize=False)
    theirs = {r.docnum: r.score for r in results}
    assert set(theirs) == set(docs.tolist())
    for d, s in zip(docs.tolist(), scores.tolist(), strict=True):
        assert s == pytest.approx(theirs[d], rel=1e-5)
    assert WEIGHTING.B == searcher.engine.B


def test_filter_keeps_exactly_the_documents_entries(searcher: Searcher) -> None:
    f = Filters(authority=["havering"])
    within = searcher._allowed(f)
    assert within is not None
    docs, _ = searcher.engine.evaluate(searcher.parse("children"), within)
    unfiltered, _ = searcher.engine.evaluate(searcher.parse("children"))
    havering = {d for d, r in searcher.documents.items() if r["authority"] == "havering"}
    names = {searcher.engine.doc_ids[i] for i in searcher.engine.doc_of[docs]}
    assert names <= havering and names
    kept = [
        d
        for d in unfiltered.tolist()
        if searcher.engine.doc_ids[searcher.engine.doc_of[d]] in havering
    ]
    assert docs.tolist() == kept


def test_entry_order_follows_the_document(searcher: Searcher) -> None:
    e = searcher.engine
    for d in range(min(e.count, 400)):
        stored = searcher.stored(d)
        assert e.doc_ids[e.doc_of[d]] == stored["doc_id"]
    # Within a document, order is the place of the entry: strictly increasing along its run.
    same = e.doc_of[1:] == e.doc_of[:-1]
    order = e.order_of(np.arange(e.count))
    assert np.all(np.diff(order)[same] == 1)
    # Across documents, by document id: each document's entries after those of the ids before.
    places = [e.where(d) for d in range(e.count)]
    assert [int(i) for i in np.argsort(order, kind="stable")] == sorted(
        range(e.count), key=places.__getitem__
    )


@pytest.mark.parametrize("text", ["a*", "e*"])
def test_too_broad_prefix_is_refused(searcher: Searcher, text: str) -> None:
    with pytest.raises(QueryError):
        searcher.search(text)


def test_concurrent_first_searches_agree_with_one_at_a_time(search_build: Path) -> None:
    """Threads that read and decode the same postings at once (a fresh server) get the same
    answers as one thread alone."""
    from concurrent.futures import ThreadPoolExecutor

    texts = ['"looked after children"', "care leavers", '"children in care" health', "CAMHS",
             "adoption NOT fostering", "social work*"] * 4  # fmt: skip
    alone = Searcher(search_build / "index")
    expected = [alone.search(t, limit=15) for t in texts]
    together = Searcher(search_build / "index")
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda t: together.search(t, limit=15), texts))
    assert got == expected


def test_positions_are_read_as_they_were_written(searcher: Searcher) -> None:
    """The NumPy reading of the index's compact positions gives the positions the analyzer
    gave, for every posting of common and rare words (one, several and far positions), and
    Whoosh's own matchers (which phrase checks in these tests use) read the same."""
    from evidence_archive.index.analysis import CompactPositions, decode_varints

    reader = searcher.engine.reader
    fmt = reader.schema["content"].format
    assert isinstance(fmt, CompactPositions)
    checked = 0
    for word in ("children", "care", "the", "of", "gooshays", "adolesc", "servic"):
        for field in ("content", "exact"):
            for leaf, _ in reader.leaf_readers():
                if (field, word) not in leaf:
                    continue
                m = leaf.postings(field, word)
                values, freqs = [], []
                while m.is_active():
                    values.append(m.value())
                    freqs.append(m.weight())
                    m.next()
                flat, counts = decode_varints(values)
                expected = [fmt.decode_positions(v) for v in values]
                assert counts.tolist() == [fmt.decode_frequency(v) for v in values]
                assert all(e == sorted(set(e)) for e in expected)
                # Deltas restart per posting: positions are the running sums within each.
                per = np.split(flat, np.cumsum(counts)[:-1])
                assert [np.cumsum(d).tolist() for d in per] == expected
                checked += len(values)
    assert checked > 1000
    # Large positions take two, three and four bytes; deltas restart per value.
    big = [fmt.encode([p]) for p in (5, 300, 70000, 2**20)] + [fmt.encode([3, 9, 400])]
    assert [len(b) for b in big[:4]] == [1, 2, 3, 3]
    flat, counts = decode_varints(big)
    assert counts.tolist() == [1, 1, 1, 1, 3]
    assert flat.tolist() == [5, 300, 70000, 2**20, 3, 6, 391]
    assert fmt.decode_positions(big[4]) == [3, 9, 400]


@pytest.mark.parametrize("seed", range(6))
def test_top_is_a_full_sort_cut_short(searcher: Searcher, seed: int) -> None:
    """top() keeps exactly what sorting everything would put first: ties (many equal scores, as
    in reports that share paragraphs) broken by document and place, never by entry number."""
    e = searcher.engine
    rng = np.random.default_rng(seed)
    docs = np.sort(rng.choice(e.count, size=min(e.count, 400), replace=False))
    scores = rng.choice([1.5, 2.25, 3.0, 0.1 + 1e-12], size=len(docs))
    words = rng.integers(1, 4, size=len(docs)).astype(float)
    for w in (None, words):
        for limit in (1, 7, 50, 1000):
            got = e.top(docs, scores, limit, w)
            key = [((-w[i] if w is not None else 0), -round(scores[i], 9), e.where(int(d)))
                   for i, d in enumerate(docs)]  # fmt: skip
            expected = [int(docs[i]) for i in sorted(range(len(docs)), key=key.__getitem__)]
            assert [d for d, _ in got] == expected[:limit]


def test_segment_files_read_as_streams_without_copying() -> None:
    """The stream that stands for Whoosh's copy of a segment file reads, seeks, finds lines and
    unpickles as a BytesIO of the same bytes would."""
    import io
    import pickle

    from evidence_archive.index.whoosh_internals import _ViewFile

    data = b"line one\nline two\n" + pickle.dumps({"a": [1, 2]}, 0) + pickle.dumps((1, "x"), 2)
    data += b"z" * 600 + b"\n" + b"tail"
    ours, theirs = _ViewFile(memoryview(data)), io.BytesIO(data)
    for f in (ours, theirs):
        assert f.readline() == b"line one\n"
        assert f.readline(4) == b"line"
    for f in (ours, theirs):
        f.seek(18)
        assert pickle.load(f) == {"a": [1, 2]}
        assert pickle.load(f) == (1, "x")
        assert f.readline() == b"z" * 600 + b"\n"
        assert f.read() == b"tail" and f.read() == b""
        f.seek(-4, 2)
        assert f.read(10) == b"tail" and f.tell() == len(data)
        f.seek(5)
        f.seek(3, 1)
        buf = bytearray(5)
        assert f.readinto(buf) == 5 and bytes(buf) == b"\nline"


def test_one_word_terms_are_the_analyzers_on_every_word_of_the_corpus() -> None:
    """term_function's direct path (terms._one_word: the filters applied to a word without the
    analyzer's chain) gives what the analyzer gives, for every distinct word of every document
    of the corpus and some made to try each filter, with every option set the archive uses;
    and an analyzer it does not know is run as it is."""
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
    from whoosh.support.charset import accent_map

    from evidence_archive.terms import (
        WORD,
        _one_word,
        exact_analyzer,
        keeps_first_letter,
        stemming_analyzer,
        term_function,
    )

    root = Path(__file__).resolve().parents[1] / "corpus"
    words = {w for p in root.rglob("*.txt") for w in WORD.findall(p.read_text("utf-8"))}
    words |= {"A", "I", "THE", "The", "Organizations", "Behavior", "modeling", "Analyze",
              "children's", "Children’s", "x" * 80, "café", "İstanbul", "ǅemal", "MMXXIV"}  # fmt: skip
    assert len(words) > 15_000
    checked = 0
    for analyzer in (stemming_analyzer(), exact_analyzer()):
        for options in ({}, {"removestops": False}, {"removestops": False, "mode": "query"}):
            direct = _one_word(analyzer, options)
            assert direct is not None  # the archive's analyzers take the direct path
            for word in sorted(words):
                found = [t.text for t in analyzer(word, **options)]
                assert direct(word) == (found[0] if len(found) == 1 else None), (word, options)
                # What the marking of hits counts on (Searcher._mark): the first letter kept.
                assert not found or found[0][:1] == word.lower()[:1], (word, options)
                checked += 1
        assert keeps_first_letter(analyzer)
    assert checked > 90_000
    folding = RegexTokenizer(WORD.pattern) | LowercaseFilter() | CharsetFilter(accent_map)
    assert _one_word(folding, {}) is None and not keeps_first_letter(folding)
    assert not keeps_first_letter(RegexTokenizer(WORD.pattern) | StemFilter(lambda w: "x" + w))
    assert term_function(folding)("Café") == "cafe"  # Whoosh's chain, as it is


def test_terms_word_by_word_are_the_analyzers_terms() -> None:
    """stems (position, term and characters) and stem_terms (each word's term, cached) give what
    the stemming analyzer gives over the whole text, for every paragraph, item and row of reports of every framework; and a hit's
    marking keeps stop words as Whoosh's highlighting does."""
    from evidence_archive.build.parsing import parse_entry
    from evidence_archive.corpus.store import load_corpus
    from evidence_archive.terms import (
        exact_analyzer,
        stem_terms,
        stemming_analyzer,
        stems,
        term_function,
    )

    root = Path(__file__).resolve().parents[1] / "corpus"
    entries = load_corpus([root])
    analyzer = stemming_analyzer()
    frameworks, texts = set(), 0
    for entry in entries[::25]:
        built = parse_entry(entry)
        assert not isinstance(built, Exception)
        frameworks.add(built.doc.meta.framework)
        for sec in built.doc.sections:
            for b in sec.blocks:
                given = [(t.pos, t.text, t.startchar, t.endchar)
                         for t in analyzer(b.text, positions=True, chars=True)]  # fmt: skip
                assert stems(b.text) == given
                assert stem_terms(b.text) == [s for _, s, _, _ in given]
                texts += 1
    assert texts > 1000 and len(frameworks) >= 3
    exact = term_function(exact_analyzer())
    assert exact("Organizations") == "organisations"
    assert stem_terms("the and of a") == []
    assert term_function(stemming_analyzer(), removestops=False)("the") == "the"
