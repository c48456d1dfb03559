"""Result diversity: at most a few paragraphs of one report among the hits shown, the rest of
that report's paragraphs folded under it ("more from this report"). Engine-independent: it
works on any ranked list, given the report of each item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from evidence_archive.search.contract import Hit

PER_REPORT = 3
"""At most this many paragraphs of one report among the hits shown."""
DEPTH = 3
"""How many hits per hit shown a folded search ranks (limit x DEPTH, at most 500): enough for
a page of other reports' paragraphs when one report holds the best matches."""

T = TypeVar("T")


@dataclass
class Folded(Generic[T]):
    """Items shown, best first, and per report the items folded under it, best first."""

    hits: list[T]
    more: dict[str, list[T]] = field(default_factory=dict)


def fold(
    ranked: list[T], limit: int, report: Callable[[T], str], per_report: int = PER_REPORT
) -> Folded[T]:
    """The first `limit` items of `ranked` taking at most `per_report` of any one report; the
    other items of those reports that rank above the last item shown are folded under their
    report. When too few reports hold matches to fill `limit` (a search filtered to a council),
    the folded items fill it, best first, after the others."""
    shown: list[T] = []
    rest: list[T] = []
    count: dict[str, int] = {}
    for item in ranked:
        if len(shown) == limit:
            break
        doc = report(item)
        if count.get(doc, 0) < per_report:
            count[doc] = count.get(doc, 0) + 1
            shown.append(item)
        else:
            rest.append(item)
    room = limit - len(shown)
    shown, rest = shown + rest[:room], rest[room:]
    more: dict[str, list[T]] = {}
    for item in rest:
        more.setdefault(report(item), []).append(item)
    return Folded(shown, more)


def renumbered(hits: list[Hit]) -> list[Hit]:
    """The hits ranked 1.. in their order."""
    return [cast(Hit, {**h, "rank": n}) for n, h in enumerate(hits, start=1)]
