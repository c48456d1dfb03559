"""Sets of index entries as sorted NumPy arrays of entry numbers: union with counts and summed
scores, and intersection with the places of the common entries in each."""

from __future__ import annotations

import numpy as np

INT = np.int64
EMPTY_DOCS = np.zeros(0, dtype=INT)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)


def union(
    parts: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries matched by any of some (entries, scores) parts: (entries, how many parts match
    each, summed scores)."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY_DOCS, EMPTY_DOCS, EMPTY_SCORES
    if len(parts) == 1:
        return parts[0][0], np.ones(len(parts[0][0]), dtype=INT), parts[0][1]
    every, weights = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    end = int(max(p[0][-1] for p in parts)) + 1
    if len(every) * 16 > end:  # many entries: count them in place of sorting them
        held = np.bincount(every, minlength=end)
        docs = np.flatnonzero(held).astype(INT)
        return docs, held[docs], np.bincount(every, weights=weights, minlength=end)[docs]
    docs, inverse = np.unique(every, return_inverse=True)
    held = np.bincount(inverse, minlength=len(docs))
    return docs, held, np.bincount(inverse, weights=weights, minlength=len(docs))


def intersect(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted unique arrays a and b: (common values, their indexes in a, their indexes in b)."""
    if len(a) == 0 or len(b) == 0:
        return EMPTY_DOCS, EMPTY_DOCS, EMPTY_DOCS
    if len(a) > len(b):
        common, ib, ia = intersect(b, a)
        return common, ia, ib
    ib = np.searchsorted(b, a)
    ok = ib < len(b)
    ok[ok] = b[ib[ok]] == a[ok]
    ia = np.flatnonzero(ok)
    return a[ia], ia, ib[ia]
