"""One term's postings over the whole index, as NumPy arrays: entry numbers, weights, scores,
and positions decoded from their varint deltas on first need."""

from __future__ import annotations

import numpy as np

from evidence_archive.index.analysis import decode_varints
from evidence_archive.index.sets import INT


class Postings:
    """One term's postings over the whole index: sorted entry numbers, weights, and positions
    (read on first need)."""

    __slots__ = ("docs", "weights", "_values", "_decoded", "nbytes", "scores")

    def __init__(
        self,
        docs: np.ndarray,
        weights: np.ndarray,
        positions: tuple[list[bytes], np.ndarray] | None,
    ) -> None:
        """positions: the positions' varint deltas (pieces to be read one after another; the
        deltas restart at each posting) and each posting's count of them."""
        self.docs = docs
        self.weights = weights
        self._values = positions
        self._decoded: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """Every position, and where each posting's run of them starts and how long it is."""
        held = sum(map(len, positions[0])) + positions[1].nbytes if positions else 0
        self.nbytes = docs.nbytes + weights.nbytes + held
        self.scores: np.ndarray | None = None
        """Each posting's BM25F score (set once by the engine that read it)."""

    def positions(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(entry number, position) of every occurrence in the postings idx (sorted indexes),
        in entry then position order."""
        decoded = self._decoded
        if decoded is None:
            pieces, counts = self._values or ([], np.zeros(0, dtype=INT))
            flat, _ = decode_varints(pieces)
            total = np.cumsum(flat)
            starts = np.cumsum(counts) - counts
            # Deltas restart at each entry: subtract the running total before each entry.
            before = (
                np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0) if len(total) else counts
            )
            decoded = (total - np.repeat(before, counts), starts, counts)
            # One assignment: a thread reading at the same time sees all of it or none.
            self._decoded = decoded
            self._values = None
            scored = self.scores.nbytes if self.scores is not None else 0
            self.nbytes = self.docs.nbytes + self.weights.nbytes + decoded[0].nbytes * 3 + scored
        pos, pos_start, pos_count = decoded
        lengths = pos_count[idx]
        starts = pos_start[idx]
        # The positions of the chosen postings: runs of `lengths` from `starts`, concatenated.
        run_offsets = np.cumsum(lengths) - lengths
        flat = np.arange(int(lengths.sum()), dtype=INT) + np.repeat(starts - run_offsets, lengths)
        return np.repeat(self.docs[idx], lengths), pos[flat]
