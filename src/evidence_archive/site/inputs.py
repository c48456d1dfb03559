"""What each generated page or feed is made from, as a digest, so that an incremental build makes
only those whose inputs changed.

A page's inputs are the build cache keys of the documents it shows (a key covers a document's
text, metadata and the code) and whatever else it takes from other documents, as text (a council
page's comparison rows). The site's manifest keeps them; a page whose inputs are the last build's
is the last build's page, and is not made again: at 5,000 reports, making every report, council
and recommendations page and every feed took 3 s of each build that changed one report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping


class Inputs:
    """The inputs of this build's pages (now) against the last build's (last)."""

    def __init__(self, last: Mapping[str, str] | None = None) -> None:
        self.last = dict(last or {})
        self.now: dict[str, str] = {}

    def same(self, path: str, parts: Iterable[str]) -> bool:
        """Record path's inputs; True when the last build made path from the same inputs, so
        that its page (or feed) then is the last build's and need not be made."""
        h = hashlib.sha256()
        for part in parts:
            h.update(part.encode("utf-8") + b"\0")
        key = h.hexdigest()[:24]
        self.now[path] = key
        return self.last.get(path) == key


def documents(ids: Iterable[str], keys: Mapping[str, str]) -> Iterator[str]:
    """Documents as inputs: each id and its build cache key, in their order."""
    for doc_id in ids:
        yield doc_id
        yield keys[doc_id]
