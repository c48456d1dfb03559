"""Query understanding: the councils, region and years a plain query names, read as a
suggested filter. Engine-independent: the searcher puts the paragraphs inside that filter first
(answering the rest of the query there), then the whole query as typed, and says what it read.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from evidence_archive.search.contract import Filters, plain_words

#: Years a query may name as a date window (the archive's reports run from 2005).
FIRST_YEAR, LAST_YEAR = 2000, 2039
_YEARS = re.compile(r"(?<![\w/.-])(20[0-3]\d)(?:\s*(?:-|–|to)\s*(20[0-3]\d))?(?![\w/.-])")


class Understood(NamedTuple):
    """What a query names: councils (slug and the name as typed), a region (its name as
    printed), a window of years; and the query without them. (A named tuple: a new search
    process makes the class in a tenth of a frozen dataclass's 1 ms.)"""

    rest: str
    councils: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    years: tuple[int, int] | None = None
    words: tuple[str, ...] = ()
    """The names and years as typed, in the order found."""

    def filters(self, base: Filters) -> Filters:
        """base narrowed to what the query names."""
        from dataclasses import replace

        out = base
        if self.councils:
            out = replace(out, authority=sorted({slug for _, slug in self.councils}))
        if self.region:
            out = replace(out, region=self.region)
        if self.years:
            out = replace(out, year_from=self.years[0], year_to=self.years[1])
        return out

    def as_dict(self) -> dict[str, Any]:
        """The result's 'understood': the filter as API parameters, the names, the rest."""
        from evidence_archive.registry import region_key

        out: dict[str, Any] = {"authority": sorted({s for _, s in self.councils}),
                               "named": sorted({n for n, _ in self.councils})}  # fmt: skip
        if self.region:
            out["region"] = region_key(self.region)
            out["region_name"] = self.region
        if self.years:
            out["from"], out["to"] = self.years
        out["words"] = list(self.words)
        out["rest"] = self.rest
        return out


def understand(text: str, filters: Filters, councils: frozenset[str]) -> Understood | None:
    """What a plain query names that its filters do not already fix: councils of this archive
    (as printed: 'Isle of Wight', 'Dudley'), a region ('North West', 'London') when it names no
    council, a year or a range ('2016', '2015-2017'); None when it names none, or nothing else
    is left to search for."""
    if not plain_words(text):
        return None
    rest, words = text, []
    named: list[tuple[str, str]] = []
    region = None
    if not filters.authority and not text.islower():  # every name has a capital
        from evidence_archive.registry import name_finder

        finder, slug_of = name_finder()
        named = [(n, slug_of[n]) for n in finder.names_in(text) if slug_of[n] in councils]
        for name, _ in named:
            rest = rest.replace(name, " ")
            words.append(name)
        if not named and not filters.region:
            region = _region_in(rest)
            if region:
                rest = re.sub(rf"(?<![\w-]){re.escape(region)}(?![\w-])", " ", rest)
                words.append(region)
    years = None
    if filters.year_from is None and filters.year_to is None:
        found = list(_YEARS.finditer(rest))
        if len(found) == 1:
            m = found[0]
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            years = (min(a, b), max(a, b))
            rest = rest[: m.start()] + " " + rest[m.end() :]
            words.append(m.group())
    rest = " ".join(rest.split())
    if not (named or region or years) or not re.search(r"\w", rest):
        return None
    return Understood(rest, tuple(named), region, years, tuple(words))


def _region_in(text: str) -> str | None:
    """The region a query names as printed, the longest first."""
    from evidence_archive.registry import load_registry

    for region in sorted(load_registry().regions(), key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(region)}(?![\w-])", text):
            return region
    return None
