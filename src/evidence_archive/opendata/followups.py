"""What came next: for each recommendation, the passages of the council's next inspection
report that speak to it, and the change of grade in the judgement area it belongs to.

The passages are found as evidence search finds paragraphs: the recommendation's words, analysed
as the index analyses text (terms.py: British spellings, stop words out, stemmed), ranked by
BM25 over the paragraphs of that one report; a passage must share at least three of the
recommendation's words. These are passages that speak to the recommendation; whether it was met
is for the reader, and the report, to say.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from evidence_archive.dates import doc_date
from evidence_archive.frameworks import common_scale, variant_for
from evidence_archive.model import Block, Document, Judgement, Recommendation
from evidence_archive.terms import stem_terms

K1, B = 1.2, 0.75
MIN_SHARED = 3
PASSAGES = 2


@dataclass(frozen=True)
class Passage:
    block: Block
    section: str
    score: float


@dataclass(frozen=True)
class FollowUp:
    recommendation: Recommendation
    next_doc: Document
    passages: tuple[Passage, ...]
    before: Judgement | None
    """The grade of the recommendation's area in the report that made it."""
    after: Judgement | None
    """The grade of that area in the next report."""


def is_inspection(doc: Document) -> bool:
    """A graded inspection of a council: the reports whose recommendations are tracked."""
    v = variant_for(doc.meta)
    return v is not None and v.recommends and bool(v.areas)


def next_inspection(doc: Document, docs: list[Document]) -> Document | None:
    """The council's first inspection report after doc, if the archive holds one."""
    later = sorted((d for d in docs if is_inspection(d) and doc_date(d) > doc_date(doc)),
                   key=lambda d: (doc_date(d), d.id))  # fmt: skip
    return later[0] if later else None


def grade_in(doc: Document, area: str | None) -> Judgement | None:
    if area is None:
        return None
    for j in doc.judgements:
        if j.area == area and common_scale(j.grade):
            return j
    return None


class _Report:
    """One report's paragraphs as BM25 sees them."""

    def __init__(self, doc: Document) -> None:
        self.places = [
            (blk, sec.title)
            for sec in doc.sections
            for blk in sec.blocks
            if blk.kind in ("paragraph", "list-item", "quote") and len(blk.text.split()) >= 8
        ]
        self.terms = [Counter(stem_terms(blk.text)) for blk, _ in self.places]
        self.lengths = [sum(c.values()) for c in self.terms]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.df: Counter[str] = Counter()
        for c in self.terms:
            self.df.update(c.keys())

    def best(self, words: set[str], n: int) -> list[Passage]:
        total = len(self.places)
        scored = []
        for i, counts in enumerate(self.terms):
            shared = words & counts.keys()
            if len(shared) < MIN_SHARED:
                continue
            score = 0.0
            for w in shared:
                idf = math.log(1 + (total - self.df[w] + 0.5) / (self.df[w] + 0.5))
                tf = counts[w]
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[i] / self.avg))
            scored.append((-score, i))
        scored.sort()
        return [Passage(self.places[i][0], self.places[i][1], round(-s, 3)) for s, i in scored[:n]]


def follow_ups(docs: list[Document]) -> dict[str, list[FollowUp]]:
    """One council's documents -> for each report with recommendations and a later inspection,
    what that inspection says on each recommendation's subject (keyed by the report's id)."""
    out: dict[str, list[FollowUp]] = {}
    reports: dict[str, _Report] = {}
    for doc in sorted(docs, key=lambda d: (doc_date(d), d.id)):
        if not doc.recommendations or not doc_date(doc):
            continue
        nxt = next_inspection(doc, docs)
        if nxt is None:
            continue
        if nxt.id not in reports:  # a report is the next one of at most a few
            reports[nxt.id] = _Report(nxt)
        report = reports[nxt.id]
        out[doc.id] = [
            FollowUp(r, nxt, tuple(report.best(set(stem_terms(r.text)), PASSAGES)),
                     grade_in(doc, r.area), grade_in(nxt, r.area))
            for r in doc.recommendations
        ]  # fmt: skip
    return out
