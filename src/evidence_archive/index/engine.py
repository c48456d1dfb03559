"""Query evaluation over the Whoosh paragraph index, set at a time, with NumPy.

Whoosh writes and stores the index, analyses text and parses queries; this module answers a
parsed query. Whoosh's own matchers walk postings one entry at a time in Python, score every
match and, for a phrase or a filter, step through every candidate entry: at a thousand reports
(200,000 entries) a query of common words took from 0.1 to 7 seconds. Here each term's postings
are read once into arrays (entry numbers, weights and, for phrases, positions) and kept in a
bounded cache; a query is answered with array operations:

- a term: its postings (restricted to the entries still in play), scored with BM25F;
- a phrase: the entries holding every word, then the words' positions one after another;
- AND: the rarest part first, each next part evaluated only where all before it matched;
- OR: the union, scores added; NOT: removed; prefix*: the words it expands to;
- a document filter (council, kind, years, grades, title): the entries of those documents.

Scores are BM25F as Whoosh computes it for a term (its idf, average field lengths and the
one-byte field lengths it stores); a phrase scores as its words do, a compound as the sum of its
matching parts times its boost. Equal scores are ordered by document id, then by the entry's
place in its document, so answers never depend on how the index was segmented.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterable
from itertools import islice
from math import log
from typing import Any

import numpy as np
from whoosh import query as q

from evidence_archive.errors import QueryError
from evidence_archive.index.codec import TermPostings
from evidence_archive.index.postings import Postings
from evidence_archive.index.sets import EMPTY_DOCS as _EMPTY_DOCS
from evidence_archive.index.sets import EMPTY_SCORES as _EMPTY_SCORES
from evidence_archive.index.sets import INT as _INT
from evidence_archive.index.sets import intersect as _intersect
from evidence_archive.index.sets import union
from evidence_archive.index.whoosh_internals import (
    LENGTH_OF_BYTE,
    length_bytes,
    segment_postings,
    whoosh_matches,
)

#: A prefix may stand for at most this many words (more is refused with a clear message).
MAX_PREFIX_TERMS = 2000
#: Memory for the whole-index answers of phrases an engine keeps.
PHRASE_CACHE_MB = 128


class DocumentSet(q.Query):  # type: ignore[misc]  # Whoosh is untyped
    """The entries of some documents (a filter, never scored): how query fields on documents
    (council, title, year, grades, ...) reach the evaluator."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = frozenset(ids)
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentSet) and other.ids == self.ids

    def __hash__(self) -> int:
        return hash(self.ids)

    def __repr__(self) -> str:
        return f"DocumentSet({len(self.ids)} documents)"

    __str__ = __repr__


def _restrict(docs: np.ndarray, within: np.ndarray | None) -> np.ndarray:
    """Indexes of the entries of docs that are in within (all of them when within is None)."""
    if within is None:
        return np.arange(len(docs))
    return _intersect(docs, within)[1]


class Engine:
    """Answers parsed queries over one open Whoosh index."""

    def __init__(
        self, ix: Any, layout: list[list[Any]], B: float, K1: float, cache_mb: int = 768
    ) -> None:
        self.reader = ix.reader()
        self.B, self.K1 = B, K1
        self.leaves = list(self.reader.leaf_readers())
        self.count = int(self.reader.doc_count_all())
        self._lock = threading.Lock()
        self._local = threading.local()
        self._cache: OrderedDict[tuple[str, bytes], Postings | None] = OrderedDict()
        self._cache_bytes = 0
        self._cache_limit = cache_mb * 2**20
        self._lengths: dict[str, np.ndarray] = {}
        self._avg: dict[str, float] = {}
        self._prefixes: dict[tuple[str, str], list[Any]] = {}
        # Whole-index answers of phrases (a synonym's long form, "looked after children", is
        # in many searches): least recently used out past PHRASE_CACHE_MB.
        self._phrases: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._phrase_bytes = 0
        # Which document each entry belongs to, and the entry's place in it, from the layout
        # the writer recorded ([document id, first entry, count] in entry order): a document's
        # entries are written together, in the document's order.
        self.doc_ids = sorted(row[0] for row in layout)
        number = {d: i for i, d in enumerate(self.doc_ids)}
        self.first = np.zeros(len(self.doc_ids), dtype=_INT)
        rows = sorted(layout, key=lambda row: row[1])
        numbers = np.array([number[d] for d, _, _ in rows], dtype=_INT)
        counts = np.array([n for _, _, n in rows], dtype=_INT)
        firsts = np.array([first for _, first, _ in rows], dtype=_INT)
        self.first[numbers] = firsts
        #: Each document's first entry and count of entries.
        self._doc_entries: dict[str, tuple[int, int]] = {d: (first, n) for d, first, n in rows}
        if int(counts.sum()) == self.count and np.array_equal(firsts, np.cumsum(counts) - counts):
            self.doc_of = np.repeat(numbers, counts)  # the documents' entries, one after another
        else:  # never written so, but read as written
            self.doc_of = np.zeros(self.count, dtype=_INT)
            for i, first, n in zip(numbers.tolist(), firsts.tolist(), counts.tolist(), strict=True):
                self.doc_of[first : first + n] = i

    def order_of(self, entries: np.ndarray) -> np.ndarray:
        """The order of equal scores, for some entries: document id, then place in the document.
        (Worked out for the entries ranked, not kept for all: three arrays of the index's size
        fewer to make when a new search process opens the index.)"""
        docs = self.doc_of[entries]
        result: np.ndarray = docs * (1 << 24) + (entries - self.first[docs])
        return result

    def where(self, entry: int) -> tuple[str, int]:
        """(document id, place in the document) of an entry number."""
        return self.doc_ids[i := int(self.doc_of[entry])], entry - int(self.first[i])

    def close(self) -> None:
        self.reader.close()

    # --- statistics -----------------------------------------------------------------------

    def lengths(self, field: str) -> np.ndarray:
        """Every entry's length in a field, as Whoosh stores it (one byte, logarithmic)."""
        if field not in self._lengths:
            parts = [LENGTH_OF_BYTE[length_bytes(leaf, field)] for leaf, _ in self.leaves]
            # The average first: a thread that finds the lengths also finds the average.
            self._avg[field] = (self.reader.field_length(field) / (self.count or 1)) or 1.0
            self._lengths[field] = np.concatenate(parts) if parts else _EMPTY_SCORES
        return self._lengths[field]

    def idf(self, postings: Postings) -> float:
        """Whoosh's idf, log(N / (df + 1)) + 1, for a term's postings (no entry is ever deleted:
        every index is written whole)."""
        return log(self.count / (len(postings.docs) + 1)) + 1

    # --- postings -------------------------------------------------------------------------

    def _bytes(self, field: str, text: Any) -> bytes:
        """A term as its field stores it."""
        result: bytes = (
            text if isinstance(text, bytes) else self.reader.schema[field].to_bytes(text)
        )
        return result

    def postings(self, field: str, text: bytes) -> Postings | None:
        """A term's postings across every segment (cached, least recently used out)."""
        key = (field, text)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._read(field, text)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = found
                self._cache_bytes += found.nbytes if found else 0
                while self._cache_bytes > self._cache_limit and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._cache_bytes -= old.nbytes if old else 0
        return found

    def _read(self, field: str, text: bytes) -> Postings | None:
        positional = self.reader.schema[field].format.supports("positions")
        gathered = TermPostings(positional)
        for m, offset in segment_postings(self.leaves, field, text):
            gathered.add(m, offset)
        found = gathered.arrays()
        if found is None:
            return None
        ids, weights, values, counts = found
        p = Postings(ids, weights, (values, counts) if positional else None)
        p.scores = self._bm25(field, p, p.docs, p.weights)  # every posting scored once, kept
        p.nbytes += p.scores.nbytes
        return p

    # --- evaluation -----------------------------------------------------------------------

    def entries_of(self, doc_ids: Iterable[str]) -> np.ndarray:
        """The entry numbers of some documents, sorted. (Each entry is one document's: a sort,
        not np.unique, whose plain form imports numpy.ma, 9 ms of a new process's search.)"""
        held = self._doc_entries
        runs = [held[d] for d in dict.fromkeys(doc_ids) if d in held]
        parts = [np.arange(first, first + n, dtype=_INT) for first, n in runs]
        return np.sort(np.concatenate(parts)) if parts else _EMPTY_DOCS

    def evaluate(
        self, node: Any, within: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(sorted entry numbers that match node, their scores), only among within if given."""
        self._local.memo = {}
        try:
            return self._eval(node, within)
        finally:
            self._local.memo = {}

    def _eval(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        # A part that occurs twice in a query (expansions overlap) is evaluated once.
        memo: dict[tuple[Any, int], tuple[np.ndarray, np.ndarray]] = self._local.memo
        if isinstance(node, q.Term | q.Phrase) and node.boost != 1.0:
            # A word's or phrase's score scales with its boost: evaluate it once, unboosted.
            plain = copy.copy(node)
            plain.boost = 1.0
            docs, scores = self._eval(plain, within)
            return docs, scores * node.boost
        key = (node, id(within))
        if key not in memo:
            memo[key] = self._dispatch(node, within)
        return memo[key]

    def _dispatch(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, DocumentSet):
            docs = self.entries_of(node.ids)
            if within is not None:
                docs = _intersect(docs, within)[0]
            return docs, np.zeros(len(docs))
        if isinstance(node, q.Term):
            return self._term(node.fieldname, node.text, within)
        if isinstance(node, q.Phrase):
            return self._phrase(node, within)
        if isinstance(node, q.Prefix):
            return self._prefix(node, within)
        if isinstance(node, q.And):
            return self._and(list(node.subqueries), within, node.boost)
        if isinstance(node, q.Or):
            return self._or(list(node.subqueries), within, node.boost)
        if isinstance(node, q.AndNot):
            docs, scores = self._eval(node.a, within)
            return self._without(docs, scores, node.b)
        if isinstance(node, q.Not):
            every = np.arange(self.count, dtype=_INT) if within is None else within
            return self._without(every, np.zeros(len(every)), node.query)
        if isinstance(node, q.AndMaybe):
            docs, scores = self._eval(node.a, within)
            mdocs, mscores = self._eval(node.b, docs)
            _, ia, ib = _intersect(docs, mdocs)
            scores = scores.copy()
            scores[ia] += mscores[ib]
            return docs, scores
        if isinstance(node, q.Require):
            docs, scores = self._eval(node.a, within)
            rdocs, _ = self._eval(node.b, docs)
            _, ia, _ = _intersect(docs, rdocs)
            return docs[ia], scores[ia]
        if node is q.NullQuery or isinstance(node, type(q.NullQuery)):
            return _EMPTY_DOCS, _EMPTY_SCORES
        if isinstance(node, q.Every):
            docs = np.arange(self.count, dtype=_INT) if within is None else within
            return docs, np.ones(len(docs))
        return self._by_whoosh(node, within)

    def _by_whoosh(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Any other kind of query (a range, say): Whoosh's own matcher, one entry at a time."""
        with self._lock:
            d, sc = whoosh_matches(self.reader, node, self.B, self.K1)
        order = np.argsort(d, kind="stable")
        d, sc = d[order], sc[order]
        idx = _restrict(d, within)
        return d[idx], sc[idx]

    def _without(self, docs: np.ndarray, scores: np.ndarray, node: Any) -> tuple[Any, Any]:
        out, _ = self._eval(node, docs)
        keep = np.ones(len(docs), dtype=bool)
        keep[_intersect(docs, out)[1]] = False
        return docs[keep], scores[keep]

    def _term(
        self, field: str, text: Any, within: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """A word, unboosted (_eval applies a word's or phrase's boost)."""
        btext = self._bytes(field, text)
        p = self.postings(field, btext)
        if p is None:
            return _EMPTY_DOCS, _EMPTY_SCORES
        idx = _restrict(p.docs, within)
        docs = p.docs[idx]
        return docs, self._scores(p)[idx]

    @staticmethod
    def _scores(p: Postings) -> np.ndarray:
        assert p.scores is not None  # set when the postings were read
        return p.scores

    def _bm25(self, field: str, p: Postings, docs: np.ndarray, tf: np.ndarray) -> np.ndarray:
        if not self.reader.schema[field].scorable:
            return tf.astype(np.float64)
        fl = self.lengths(field)[docs]
        avgfl = self._avg[field]
        B, K1 = self.B, self.K1
        result: np.ndarray = self.idf(p) * (
            (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))
        )
        return result

    def _phrase(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """A phrase, unboosted (_eval applies its boost): its whole-index answer, once worked
        out, is kept and narrowed to `within` (a phrase matches inside one entry)."""
        key = (node.fieldname, tuple(node.words), max(1, int(getattr(node, "slop", 1))))
        with self._lock:
            kept = self._phrases.get(key)
            if kept is not None:
                self._phrases.move_to_end(key)
        if kept is None:
            if within is not None:
                return self._phrase_in(node, within)
            kept = self._phrase_in(node, None)
            with self._lock:
                self._phrases[key] = kept
                self._phrase_bytes += kept[0].nbytes + kept[1].nbytes
                while self._phrase_bytes > PHRASE_CACHE_MB * 2**20 and len(self._phrases) > 1:
                    _, (d, sc) = self._phrases.popitem(last=False)
                    self._phrase_bytes -= d.nbytes + sc.nbytes
        docs, scores = kept
        if within is None:
            return docs, scores
        idx = _restrict(docs, within)
        return docs[idx], scores[idx]

    def _phrase_in(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        field = node.fieldname
        words = [self._bytes(field, w) for w in node.words]
        if not words:
            return _EMPTY_DOCS, _EMPTY_SCORES
        found = [self.postings(field, w) for w in words]
        if any(p is None for p in found):
            return _EMPTY_DOCS, _EMPTY_SCORES
        plist: list[Postings] = [p for p in found if p is not None]
        # The entries holding every word, rarest word first.
        cand = within
        for p in sorted(plist, key=lambda p: len(p.docs)):
            cand = p.docs[_restrict(p.docs, cand)]
        assert cand is not None
        if len(words) > 1 and len(cand):
            slop = max(1, int(getattr(node, "slop", 1)))
            keys: np.ndarray | None = None
            for i, p in enumerate(plist):
                pdocs, pos = p.positions(_intersect(p.docs, cand)[1])
                if slop == 1:
                    # Sorted and unique already: entries in order, positions rising in each.
                    k = pdocs * (1 << 32) + (pos - i)
                    k = k[pos >= i]
                    keys = k if keys is None else _intersect(keys, k)[0]
                else:
                    keys = _near(keys, pdocs, pos, slop) if keys is not None else (
                        pdocs * (1 << 32) + pos)  # fmt: skip
            assert keys is not None
            held = keys >> 32
            cand = held[np.r_[True, held[1:] != held[:-1]]] if len(held) else _EMPTY_DOCS
        total = np.zeros(len(cand))
        for p in plist:
            idx = _intersect(p.docs, cand)[1]
            total += self._scores(p)[idx]
        return cand, total

    def _prefix(self, node: Any, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        field = node.fieldname
        text = node.text if isinstance(node.text, str) else node.text.decode()
        if len(text) < 2:
            raise QueryError(None, f"'{text}*' is too short a prefix: give at least two letters")
        terms = self.expand_prefix(field, text)
        if len(terms) > MAX_PREFIX_TERMS:
            raise QueryError(None, f"'{text}*' matches too many words: give a longer prefix")
        return self._or([q.Term(field, t) for t in terms], within, node.boost)

    def _and(
        self, subs: list[Any], within: np.ndarray | None, boost: float
    ) -> tuple[np.ndarray, np.ndarray]:
        positive = [s for s in subs if not isinstance(s, q.Not)]
        negative = [s.query for s in subs if isinstance(s, q.Not)]
        if not positive:
            positive = [q.Every()]
        parts = []
        docs = within
        for s in sorted(positive, key=self._estimate):
            sdocs, sscores = self._eval(s, docs)
            parts.append((sdocs, sscores))
            docs = sdocs
            if len(docs) == 0:
                return _EMPTY_DOCS, _EMPTY_SCORES
        assert docs is not None
        scores = np.zeros(len(docs))
        for sdocs, sscores in parts:
            scores += sscores[_intersect(sdocs, docs)[1]]
        for n in negative:
            docs, scores = self._without(docs, scores, n)
        return docs, scores * boost

    def _or(
        self, subs: list[Any], within: np.ndarray | None, boost: float
    ) -> tuple[np.ndarray, np.ndarray]:
        docs, _, scores = union([self._eval(s, within) for s in subs])
        return docs, scores * boost

    def _estimate(self, node: Any) -> float:
        """How many entries a part of an AND may match (to evaluate the rarest first)."""
        if isinstance(node, DocumentSet):
            return float(sum(self._doc_entries.get(d, (0, 0))[1] for d in node.ids))
        if isinstance(node, q.Term):
            p = self.postings(node.fieldname, self._bytes(node.fieldname, node.text))
            return float(len(p.docs)) if p is not None else 0.0
        if isinstance(node, q.Phrase):
            return min((self._estimate(q.Term(node.fieldname, w)) for w in node.words), default=0)
        if isinstance(node, q.And):
            return min((self._estimate(s) for s in node.subqueries), default=0)
        if isinstance(node, q.Or):
            return sum(self._estimate(s) for s in node.subqueries)
        return float(self.count)

    def top(
        self, docs: np.ndarray, scores: np.ndarray, limit: int, words: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The best `limit` (entry, score) pairs: most words first (when words are given), then
        highest score (to 9 decimals), then document id and place in the document."""
        if len(docs) == 0:
            return []
        rounded = np.round(scores, 9)
        if len(docs) > limit:
            # Keep what ranks at least as well as the limit-th entry (ties included).
            if words is None:
                cut = np.partition(-rounded, limit - 1)[limit - 1]
                keep = np.flatnonzero(-rounded <= cut)
            else:
                w_cut = -np.partition(-words, limit - 1)[limit - 1]
                above, at = np.flatnonzero(words > w_cut), np.flatnonzero(words == w_cut)
                room = limit - len(above)
                if len(at) > room:
                    cut = np.partition(-rounded[at], room - 1)[room - 1]
                    at = at[-rounded[at] <= cut]
                keep = np.concatenate([above, at])
            docs, scores, rounded = docs[keep], scores[keep], rounded[keep]
            words = words[keep] if words is not None else None
        keys = [self.order_of(docs), -rounded] + ([-words] if words is not None else [])
        order = np.lexsort(keys)[:limit]
        return [(int(docs[i]), float(scores[i])) for i in order]

    def expand_prefix(self, field: str, text: str) -> list[Any]:
        """The words of field that start with text, at most MAX_PREFIX_TERMS + 1 (kept)."""
        key = (field, text)
        found = self._prefixes.get(key)
        if found is None:
            found = list(islice(self.reader.expand_prefix(field, text), MAX_PREFIX_TERMS + 1))
            with self._lock:
                if len(self._prefixes) > 1024:
                    self._prefixes.clear()
                self._prefixes[key] = found
        return found

    def terms_in(self, node: Any, docnums: list[int]) -> list[set[tuple[str, bytes]]]:
        """For each of some entries, the (field, term) pairs of a query that occur in it (for
        highlighting): each term's postings looked up once for all of them."""
        pairs: list[tuple[str, bytes]] = []
        for leaf in node.leaves():
            if isinstance(leaf, q.Prefix):
                text = leaf.text if isinstance(leaf.text, str) else leaf.text.decode()
                pairs += [(leaf.fieldname, t) for t in
                          self.expand_prefix(leaf.fieldname, text)][:MAX_PREFIX_TERMS]  # fmt: skip
            elif leaf.has_terms():
                pairs += list(leaf.terms(phrases=True))
        wanted = np.asarray(docnums, dtype=_INT)
        out: list[set[tuple[str, bytes]]] = [set() for _ in docnums]
        for field, text in dict.fromkeys(pairs):
            btext = self._bytes(field, text)
            p = self.postings(field, btext)
            if p is None or not len(wanted):
                continue
            i = np.minimum(np.searchsorted(p.docs, wanted), len(p.docs) - 1)
            for k in np.flatnonzero(p.docs[i] == wanted).tolist():
                out[k].add((field, btext))
        return out


def _near(keys: np.ndarray, pdocs: np.ndarray, pos: np.ndarray, slop: int) -> np.ndarray:
    """Phrase with slop: keep the places of the next word that follow a kept place of the
    words before it by 1..slop positions (keys are entry << 32 | position)."""
    nxt = pdocs * (1 << 32) + pos
    ok = np.zeros(len(nxt), dtype=bool)
    for gap in range(1, slop + 1):
        ok |= np.isin(nxt - gap, keys)
    result: np.ndarray = nxt[ok]
    return result
