"""The documents of a search: the document fields a query may name (title, council, region,
kind, framework, year, grades), answered from the index's table of documents rather than from
its postings, and the filters that narrow a search to some documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh import query as q

from evidence_archive.search.contract import Filters


class DocumentTable:
    """The documents of one index (id -> record: title, authority, region, kind, framework,
    year, grades), and the title of each as the title field analyses it (worked out once)."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]], schema: Any) -> None:
        self.documents = documents
        self.schema = schema
        self._titles: dict[str, list[str]] | None = None

    def _title_terms(self) -> dict[str, list[str]]:
        if self._titles is None:
            analyzer = self.schema["title"].analyzer
            self._titles = {
                d: [t.text for t in analyzer(rec["title"])] for d, rec in self.documents.items()
            }
        return self._titles

    def matching(self, node: Any) -> set[str]:
        """The ids of the documents whose field satisfies one query node."""
        name = node.fieldname
        docs = self.documents
        if name == "title":
            titles = self._title_terms()
            if isinstance(node, q.Phrase):
                words = list(node.words)
                return {d for d, t in titles.items() if _contains_run(t, words)}
            if isinstance(node, q.Prefix):
                return {d for d, t in titles.items() if any(w.startswith(node.text) for w in t)}
            return {d for d, t in titles.items() if str(node.text) in t}
        if name == "year":
            if isinstance(node, q.NumericRange):
                lo, hi = node.start, node.end
                return {d for d, r in docs.items() if (lo is None or r["year"] >= lo)
                        and (hi is None or r["year"] <= hi)}  # fmt: skip
            year = _year(node, self.schema["year"])
            return {d for d, r in docs.items() if r["year"] == year}
        texts = getattr(node, "words", None) or [getattr(node, "text", "")]
        value = " ".join(str(t) for t in texts).lower()
        if name == "grades":
            if isinstance(node, q.Prefix):
                return {d for d, r in docs.items() if any(g.startswith(value) for g in r["grades"])}
            return {d for d, r in docs.items() if value in r["grades"]}
        if name == "region":
            from evidence_archive.registry import region_key

            value = region_key(value)
        if isinstance(node, q.Prefix):
            return {d for d, r in docs.items() if str(r[name]).startswith(value)}
        return {d for d, r in docs.items() if str(r[name]) == value}

    def filtered(self, f: Filters) -> set[str]:
        """The ids of the documents a filter lets through."""
        from evidence_archive.registry import region_key

        return {
            d
            for d, r in self.documents.items()
            if (not f.authority or r["authority"] in f.authority)
            and (not f.region or r["region"] == region_key(f.region))
            and (not f.kind or r["kind"] == f.kind)
            and (not f.framework or r["framework"] == f.framework)
            and (f.year_from is None or r["year"] >= f.year_from)
            and (f.year_to is None or r["year"] <= f.year_to)
            and all(g.lower().replace(" ", "-") in r["grades"] for g in f.grade)
        }


def _contains_run(words: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(words[i : i + n] == run for i in range(len(words) - n + 1))


def _year(node: Any, field: Any) -> int | None:
    """The year a 'year:2016' query node names (the parser encodes numbers as sortable bytes)."""
    value = node.text
    try:
        return int(field.from_bytes(value) if isinstance(value, bytes) else value)
    except (TypeError, ValueError):
        return None
