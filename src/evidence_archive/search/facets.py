"""Facets of a search: how many matching paragraphs each council, kind and year holds, and the
councils in the order of their best match (the councils whose reports answer best come first,
each one click from a filter). Engine-independent: the counting takes how many matching
paragraphs each document holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


class FacetTable:
    """The council, kind and year of each document of an index, as codes in the order of the
    index's documents: a search's facets are then three weighted counts."""

    KEYS = ("authority", "kind", "year")

    def __init__(self, doc_ids: list[str], documents: Mapping[str, Mapping[str, Any]]) -> None:
        self.columns = {
            key: np.unique([str(documents[d][key]) for d in doc_ids], return_inverse=True)
            for key in self.KEYS
        }

    def counts(self, per_document: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts by council, kind and year from the matching paragraphs of each document."""
        out = {}
        for key, (labels, codes) in self.columns.items():
            n = np.bincount(codes, weights=per_document, minlength=len(labels))
            out[key] = {str(labels[i]): int(n[i]) for i in np.flatnonzero(n)}
        return out


#: How many councils a search lists first (the facets count every council).
COUNCILS_FIRST = 20


def councils_first(ranked: list[str], counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The councils of a search, those whose paragraphs rank highest first (by their best
    paragraph in `ranked`, the council of each ranked paragraph), then the others by how many
    paragraphs they hold, at most COUNCILS_FIRST: slug, name, paragraphs, best rank (None
    beyond those ranked)."""
    from evidence_archive.registry import load_registry

    registry = load_registry()
    best: dict[str, int] = {}
    for n, authority in enumerate(ranked, start=1):
        best.setdefault(authority, n)
    order = sorted(counts, key=lambda a: (best.get(a, len(ranked) + 1), -counts[a], a))
    out = []
    for slug in order[:COUNCILS_FIRST]:
        auth = registry.get(slug)
        name = auth.name if auth else "England (national)"
        out.append({"authority": slug, "name": name, "paragraphs": counts[slug],
                    "best": best.get(slug)})  # fmt: skip
    return out
