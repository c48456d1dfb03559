"""Facets of a search: how many matching paragraphs each council, kind and year holds, and the
councils in the order of their best match (the councils whose reports answer best come first,
each one click from a filter). Engine-independent but for the counting, which takes the
matching entries' documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


def count_facets(
    per_document: Iterable[tuple[str, int]], documents: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, int]]:
    """Counts by council, kind and year from (document id, matching paragraphs) pairs."""
    counts: dict[str, Counter[str]] = {"authority": Counter(), "kind": Counter(),
                                       "year": Counter()}  # fmt: skip
    for doc_id, n in per_document:
        rec = documents[doc_id]
        counts["authority"][rec["authority"]] += n
        counts["kind"][rec["kind"]] += n
        counts["year"][str(rec["year"])] += n
    return {k: dict(sorted(v.items())) for k, v in counts.items()}


def councils_first(ranked: list[str], counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The councils of a search, those whose paragraphs rank highest first (by their best
    paragraph in `ranked`, the council of each ranked paragraph), then the others by how many
    paragraphs they hold: slug, name, paragraphs, best rank (None beyond those ranked)."""
    from evidence_archive.registry import load_registry

    registry = load_registry()
    best: dict[str, int] = {}
    for n, authority in enumerate(ranked, start=1):
        best.setdefault(authority, n)
    order = sorted(counts, key=lambda a: (best.get(a, len(ranked) + 1), -counts[a], a))
    out = []
    for slug in order:
        auth = registry.get(slug)
        name = auth.name if auth else "England (national)"
        out.append({"authority": slug, "name": name, "paragraphs": counts[slug],
                    "best": best.get(slug)})  # fmt: skip
    return out
