"""Evidence search over the paragraph index (Whoosh): queries, expansion, filters, ranking,
facets and highlights, answering in the shape of search.contract.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.qparser import AndGroup, QueryParser
from whoosh.qparser.plugins import FieldsPlugin, PrefixPlugin, WildcardPlugin
from whoosh.scoring import BM25F

from evidence_archive.errors import IndexUnavailable, QueryError
from evidence_archive.index.analysis import DOCUMENT_FIELDS, long_forms
from evidence_archive.index.engine import DocumentSet, Engine
from evidence_archive.index.sets import union
from evidence_archive.index.store import LAYOUT_FILE, EntryStore
from evidence_archive.search import fold as folding
from evidence_archive.search import synonyms
from evidence_archive.search.contract import (
    HIT_FIELDS,
    Filters,
    Hit,
    Result,
    check_query,
    plain_words,
)
from evidence_archive.search.documents import DocumentTable
from evidence_archive.search.facets import FacetTable, councils_first
from evidence_archive.search.formats import citation, escape_html
from evidence_archive.search.understand import understand
from evidence_archive.terms import WORD, keeps_first_letter, term_function

#: BM25F with milder length normalisation: a whole paragraph should not lose to a short heading.
WEIGHTING = BM25F(B=0.4, K1=1.2)


class _Ranked(NamedTuple):
    """One query's best entries (entry, score), best first, and what the search counted."""

    engine: Engine
    query: Any
    field_name: str
    found: list[tuple[int, float]]
    total: int
    all_words: int
    facets: dict[str, dict[str, int]] | None


class Searcher:
    """A search over one index folder; reopens the index when the folder is swapped."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._ix: Any = None
        self.abbreviations: dict[str, list[str]] = {}
        self._open()

    def _current_stamp(self) -> tuple[int, int]:
        st = (self.index_dir / "archive.json").stat()
        return (st.st_ino, st.st_mtime_ns)

    def _open(self) -> None:
        if not (self.index_dir / "archive.json").exists():
            raise IndexUnavailable(self.index_dir, "no index here: run `evidence build` first")
        try:
            stamp = self._current_stamp()
            ix = whoosh_index.open_dir(str(self.index_dir))
            meta = json.loads((self.index_dir / "archive.json").read_text())
            # One engine for the life of this index: opening readers is slow, and the engine
            # keeps the postings it has read.
            layout = json.loads((self.index_dir / LAYOUT_FILE).read_text())
            engine = Engine(ix, layout, B=WEIGHTING.B, K1=WEIGHTING.K1)
            store = EntryStore(self.index_dir, meta["store"])
        except Exception as err:  # noqa: BLE001 - a damaged index fails in many ways
            raise IndexUnavailable(
                self.index_dir, f"the index cannot be read ({type(err).__name__}): build it again"
            ) from err
        old = getattr(self, "_searcher", None)
        self._ix, self._stamp = ix, stamp
        self.schema = ix.schema  # read once: Index.schema reads the table of contents again
        # A Whoosh searcher is opened only when asked for.
        self._searcher: Any = None
        old_engine, old_store = getattr(self, "engine", None), getattr(self, "store", None)
        self.engine, self.store = engine, store
        self._filters: dict[tuple[Any, ...], Any] = {}
        self.abbreviations = meta["abbreviations"]
        self.documents: dict[str, dict[str, Any]] = meta["documents"]
        self._councils = frozenset(r["authority"] for r in self.documents.values())
        self.table = DocumentTable(self.documents, self.schema)
        # Made by the first search with facets, for the engine it searched.
        self._facet_table: tuple[Engine, FacetTable] | None = None
        self._long: dict[str, dict[tuple[str, ...], list[str]]] = {}
        self._long_rows: dict[str, list[list[Any]]] = meta.get("long_forms", {})
        self._term_of: dict[str, tuple[Any, bool]] = {}
        if old is not None:
            old.close()
        if old_engine is not None:
            old_engine.close()
        if old_store is not None:
            old_store.close()

    def facet_table(self, engine: Engine, documents: dict[str, dict[str, Any]]) -> FacetTable:
        """The council, kind and year of each document of the index engine reads (documents:
        its table), for facets: a search without facets, the CLI's, never makes it."""
        held = self._facet_table
        if held is None or held[0] is not engine:
            held = (engine, FacetTable(list(engine.doc_ids), documents))
            self._facet_table = held
        return held[1]

    def index(self) -> Any:
        """The open index, reopened if a new one has been swapped in since."""
        try:
            fresh = self._current_stamp() != self._stamp
        except FileNotFoundError:
            fresh = False  # mid-swap: keep the open one (its files stay readable)
        if fresh:
            with self._lock:
                try:
                    if self._current_stamp() != self._stamp:
                        self._open()
                except (FileNotFoundError, OSError):
                    pass
        return self._ix

    def generation(self) -> tuple[int, int] | None:
        """Which index answers: the one in the folder now (a stat, no reopening: the next
        search reopens it), None in the middle of a swap."""
        try:
            return self._current_stamp()
        except FileNotFoundError:
            return None

    # --- queries -------------------------------------------------------------------------

    def parse(self, text: str, expand: bool = True) -> Any:
        """Parse a query: words (all must appear), "phrases", AND/OR/NOT, prefix*, field:value."""
        text = check_query(text)
        if expand:
            text = synonyms.expand(text)
        field_name = "content" if expand else "exact"
        self.index()
        # Words must all appear (as staff expect of evidence search); OR says otherwise.
        parser = QueryParser(field_name, self.schema, group=AndGroup)
        parser.remove_plugin_class(WildcardPlugin)
        parser.remove_plugin_class(FieldsPlugin)
        # Fields first, so that 'title:insp*' is a prefix of the title, not of 'title:insp'.
        parser.add_plugin(FieldsPlugin(remove_unknown=False))
        parser.add_plugin(PrefixPlugin())
        # 'grades:overall:inadequate' holds a colon: quote the value so it stays one term.
        text = re.sub(r"\bgrades:([\w-]+:[\w-]+)", r"grades:'\1'", text)
        try:
            parsed = parser.parse(text)
        except Exception as err:  # noqa: BLE001 - whoosh raises many kinds; all mean bad query
            raise QueryError(None, f"cannot read the query: {err}") from err
        if parsed is q.NullQuery or isinstance(parsed, type(q.NullQuery)):
            raise QueryError(None, "the query has no words that can be searched for")
        parsed = self._documents_level(parsed)
        return self._expand(parsed, field_name, text) if expand else parsed

    # --- fields of the document (title, council, year, grades): answered from its table ------

    def _documents_level(self, node: Any) -> Any:
        """Replace each query on a document field by the documents that satisfy it."""
        if getattr(node, "fieldname", None) in DOCUMENT_FIELDS:
            return DocumentSet(self.table.matching(node))
        if isinstance(node, q.CompoundQuery):
            return node.__class__([self._documents_level(s) for s in node.subqueries],
                                  boost=node.boost)  # fmt: skip
        if isinstance(node, q.Not):
            return q.Not(self._documents_level(node.query))
        return node

    def _long_forms(self, field_name: str) -> dict[tuple[str, ...], list[str]]:
        """Long forms, as the field analyses them, -> their abbreviations (once per index)."""
        if field_name not in self._long:
            rows = self._long_rows.get(field_name)
            if rows is None:  # an index written before archive.json kept them
                rows = long_forms(self.abbreviations, self.schema[field_name].analyzer)
            self._long[field_name] = {tuple(terms): abbrs for terms, abbrs in rows}
        return self._long[field_name]

    def _phrase(self, words: str, field_name: str) -> Any:
        self.index()
        analyzer = self.schema[field_name].analyzer
        terms = [t.text for t in analyzer(words)]
        if not terms:
            return None
        return q.Term(field_name, terms[0]) if len(terms) == 1 else q.Phrase(field_name, terms)

    def _expand(self, node: Any, field_name: str, text: str) -> Any:
        """Abbreviations match their long forms and the long forms match the abbreviation."""
        if isinstance(node, q.Term) and node.fieldname == field_name:
            # The word as typed: the term itself is already stemmed ('CAMHS' -> 'camh').
            start, end = getattr(node, "startchar", None), getattr(node, "endchar", None)
            raw = text[start:end] if start is not None and end is not None else str(node.text)
            alts = [node]
            for long in self.abbreviations.get(raw.lower(), []):
                p = self._phrase(long, field_name)
                if p is not None:
                    alts.append(p)
            return q.Or(alts, boost=node.boost) if len(alts) > 1 else node
        if isinstance(node, q.Phrase) and node.fieldname == field_name:
            abbrs = self._long_forms(field_name).get(tuple(node.words), [])
            alts = [node, *(q.Term(field_name, a, boost=node.boost) for a in abbrs)]
            return q.Or(alts, boost=node.boost) if len(alts) > 1 else node
        if isinstance(node, q.CompoundQuery):
            return node.__class__(
                [self._expand(s, field_name, text) for s in node.subqueries], boost=node.boost
            )  # fmt: skip
        if isinstance(node, q.Not):
            return q.Not(self._expand(node.query, field_name, text))
        return node

    def _allowed(self, f: Filters) -> np.ndarray | None:
        """The entries a filter lets through (sorted entry numbers), once per index and filter."""
        key = (tuple(f.authority), f.region, f.kind, f.framework, f.year_from, f.year_to,
               tuple(f.grade))  # fmt: skip
        if not any(v is not None and v != () for v in key):
            return None
        if key not in self._filters:
            if len(self._filters) > 256:
                self._filters.clear()
            self._filters[key] = self.engine.entries_of(sorted(self.table.filtered(f)))
        result: np.ndarray = self._filters[key]
        return result

    def search(
        self, text: str, filters: Filters | None = None, limit: int = 20, expand: bool = True,
        facets: bool = False, base_url: str = "", fold: bool = True,
    ) -> Result:  # fmt: skip
        """Run a query; return {'query', 'total', 'all_words', 'hits'[, 'more', 'facets',
        'councils', 'expanded', 'understood']} (search.contract.Result), hits best first.

        A plain query, not exact, that names a council as printed ('Isle of Wight', 'Dudley'),
        a region or a year (search.understand) its filters leave open: the paragraphs inside
        what it names that answer the rest of the query come first, then the answer to the
        whole query as typed; 'understood' says so, as a suggested filter.
        With fold, at most search.fold.PER_REPORT paragraphs of one report are among the hits;
        the report's other paragraphs that rank above the last hit are in 'more', by report."""
        if not 1 <= limit <= 500:
            raise QueryError(None, "limit must be between 1 and 500")
        depth = min(500, limit * folding.DEPTH) if fold else limit
        f = filters or Filters()
        read = understand(text, f, self._councils) if expand else None
        main = self._rank(text, f, depth, expand, facets)
        items = [(main, d, sc) for d, sc in main.found]
        first = self._rank(read.rest, read.filters(f), depth, expand, False) if read else None
        if first is None or not first.found:
            read = None  # nothing inside what the query names: the query as typed, unremarked
        else:
            seen = {d for d, _ in first.found}
            items = [(first, d, sc) for d, sc in first.found] + [
                it for it in items if it[1] not in seen
            ]
            items = items[:depth]
        engine = main.engine

        def report(item: tuple[_Ranked, int, float]) -> str:
            return engine.where(item[1])[0]

        out: Result = {"query": text, "total": main.total, "all_words": main.all_words,
                       "hits": []}  # fmt: skip
        if expand and (also := self._also(text)):
            out["expanded"] = also
        if read is not None:
            out["understood"] = read.as_dict()
        if main.facets is not None:
            out["facets"] = main.facets
            ranked = [self.documents[report(it)]["authority"] for it in items]
            out["councils"] = councils_first(ranked, main.facets["authority"])
        shown = folding.fold(items, limit, report) if fold else folding.Folded(items[:limit])
        hits = self._hits([*shown.hits, *(it for v in shown.more.values() for it in v)], base_url)
        out["hits"] = folding.renumbered([hits[(id(r), d)] for r, d, _ in shown.hits])
        if shown.more:
            out["more"] = {doc: folding.renumbered([hits[(id(r), d)] for r, d, _ in v])
                           for doc, v in shown.more.items()}  # fmt: skip
        return out

    def _also(self, text: str) -> list[dict[str, Any]]:
        """What a search looks for besides the words typed: synonyms, and the long forms of
        the abbreviations typed (as the index knows them)."""
        out = [{"typed": typed, "also": also} for typed, also in synonyms.applied(text)]
        taken = {w.lower() for o in out for w in WORD.findall(str(o["typed"]))}
        for word in dict.fromkeys(WORD.findall(re.sub(r'"[^"]*"|\w+:\S+', " ", text))):
            longs = self.abbreviations.get(word.lower())
            if longs and word.lower() not in taken:
                out.append({"typed": word, "also": list(longs)})
        return out

    def _rank(self, text: str, filters: Filters, limit: int, expand: bool, facets: bool) -> _Ranked:
        """The best `limit` entries for a query (those with every word, then those with most
        of them), with the counts and facets of the search."""
        query = self.parse(text, expand)
        self.index()
        with self._lock:
            engine, documents = self.engine, self.documents
            within = self._allowed(filters or Filters())
        docs, scores = engine.evaluate(query, within)
        all_words = total = len(docs)
        found = [(int(d), float(sc)) for d, sc in engine.top(docs, scores, limit)]
        if len(found) < limit and plain_words(text) and isinstance(query, q.And):
            # Fewer paragraphs hold every word than were asked for: fill up with the
            # paragraphs that hold most of them, ranked after (most words first, then score).
            more, docs = self._fill_up(engine, query, within, docs, limit - len(found))
            found, total = found + more, len(docs)
        counts = None
        if facets:
            per_doc = np.bincount(engine.doc_of[docs], minlength=len(engine.doc_ids))
            counts = self.facet_table(engine, documents).counts(per_doc)
        field_name = "content" if expand else "exact"
        return _Ranked(engine, query, field_name, found, total, all_words, counts)

    def _hits(
        self, items: list[tuple[_Ranked, int, float]], base_url: str
    ) -> dict[tuple[int, int], Hit]:
        """Hits of ranked entries, by (id of their ranking, entry): the words each query
        matched in them marked (the matched terms of one query's entries found at once)."""
        out: dict[tuple[int, int], Hit] = {}
        for r in {id(r): r for r, _, _ in items}.values():
            mine = [(d, sc) for rr, d, sc in items if rr is r]
            matched = r.engine.terms_in(r.query, [d for d, _ in mine])
            for (d, sc), terms in zip(mine, matched, strict=True):
                words = {t for f, t in terms if f == r.field_name}
                out[(id(r), d)] = self._hit(d, sc, words, r.field_name, base_url)
        return out

    def _any_word(
        self, engine: Engine, query: Any, within: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Entries holding any part of an AND query: (entries, words held, summed scores)."""
        docs, held, scores = union([engine.evaluate(sub, within) for sub in query.subqueries])
        return docs, held.astype(np.float64), scores * query.boost

    def _fill_up(
        self, engine: Engine, query: Any, within: np.ndarray | None, have: np.ndarray, n: int
    ) -> tuple[list[tuple[int, float]], np.ndarray]:
        """The best n entries holding some but not all words, and every entry holding any."""
        docs, words, scores = self._any_word(engine, query, within)
        fresh = np.ones(len(docs), dtype=bool)
        fresh[np.searchsorted(docs, have)] = False  # every all-words entry is among docs
        best = engine.top(docs[fresh], scores[fresh], n, words[fresh])
        return best, docs

    def whoosh_searcher(self) -> Any:
        """A Whoosh searcher of the open index (reopened when a new index is swapped in)."""
        ix = self.index()
        with self._lock:
            if self._searcher is None:
                self._searcher = ix.searcher(weighting=WEIGHTING)
            return self._searcher

    def all_stored(self) -> list[dict[str, Any]]:
        """The stored fields of every entry, in entry order."""
        return [self.stored(n) for n in range(self.engine.count)]

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of an index entry."""
        return self.store.entry(*self.engine.where(docnum))

    def candidates(self, quote: str, limit: int) -> list[dict[str, Any]]:
        """The entries that hold most of the words of a quote, best first (for the quote check):
        any of its words as the exact field indexes them, ranked by BM25F."""
        cq = candidate_query(quote, self.index().schema["exact"].analyzer)
        engine = self.engine
        docs, scores = engine.evaluate(cq)
        return [self.stored(docnum) for docnum, _ in engine.top(docs, scores, limit)]

    def hit_fields(self, stored: Mapping[str, Any], base_url: str = "") -> dict[str, Any]:
        """Where an index entry comes from: document, section, paragraph, URL, text, citation."""
        f = {**self.documents[stored["doc_id"]], **stored}
        f["url"] = f"{f['url']}#{f['anchor']}"
        return {
            "id": stored["doc_id"],
            "source_file": f["source_file"],
            "authority": f["authority"],
            "title": f["title"],
            "published": f.get("published") or None,
            "date": f.get("date") or None,
            "section": f["section"],
            "paragraph": f.get("paragraph"),
            "anchor": f["anchor"],
            "url": base_url.rstrip("/") + f["url"],
            "text": stored["verbatim"],
            "citation": citation(f, base_url.rstrip("/")),
        }

    def _hit(
        self, docnum: int, score: float, terms: set[bytes], field_name: str, base_url: str
    ) -> Hit:
        """A hit, unranked (search numbers the hits it shows and folds)."""
        fields = self.hit_fields(self.stored(docnum), base_url)
        words = {self.schema[field_name].from_bytes(t) for t in terms}
        marked = self._mark(fields["text"], words, field_name)
        hit = {"rank": 0, "score": round(score, 4), **fields}
        hit["highlight"] = marked or escape_html(fields["text"])
        return cast(Hit, {k: hit[k] for k in HIT_FIELDS})

    def _mark(self, text: str, words: set[str], field_name: str) -> str:
        """text, HTML-escaped, each word whose term is one of words in <mark class="match
        termN"> (N counting the distinct words marked, 0 to 4), or "" when none is: what
        Whoosh's highlight() with a whole-text fragment gives, without running the analyzer
        chain over every word of every hit (each word's term is worked out once, cached)."""
        known = self._term_of.get(field_name)
        if known is None:
            analyzer = self.schema[field_name].analyzer
            # Stop words kept, as Whoosh's highlighting analyses.
            known = (term_function(analyzer, removestops=False, mode="query"),
                     keeps_first_letter(analyzer))  # fmt: skip
            self._term_of[field_name] = known
        term_of, first_kept = known
        # Where a word's term begins with its first letter, a word whose letter begins none of
        # the terms is passed over unanalysed (most words of a hit; a third of its marking).
        firsts = {w[:1] for w in words} if first_kept else None
        out: list[str] = []
        seen: dict[str, int] = {}
        index = 0
        for m in WORD.finditer(text):
            word = m.group()
            if firsts is not None and word[:1].lower()[:1] not in firsts:
                continue
            if term_of(word) not in words:
                continue
            start, end = m.span()
            if start > index:
                out.append(escape_html(text[index:start]))
            word = escape_html(text[start:end])
            n = seen.setdefault(word, len(seen) % 5)
            out.append(f'<mark class="match term{n}">{word}</mark>')
            index = end
        if not out:
            return ""
        out.append(escape_html(text[index:]))
        return "".join(out)


def candidate_query(quote: str, analyzer: Any) -> Any:
    """Any of the quote's words (as the exact field indexes them), apostrophes either way."""
    terms: set[str] = set()
    for variant in {quote, quote.replace("’", "'"), quote.replace("'", "’")}:
        terms.update(t.text for t in analyzer(variant))
    from whoosh.analysis import STOP_WORDS

    content = sorted(t for t in terms if t not in STOP_WORDS) or sorted(terms)
    return q.Or([q.Term("exact", t) for t in content])


def open_searcher(index_dir: Path) -> Searcher:
    """A Searcher over an index folder, or QueryError naming it."""
    return Searcher(Path(index_dir))
