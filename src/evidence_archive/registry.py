"""The registry of English councils, and a lookup from any printed form of a council's name."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from evidence_archive import data_text

#: Words that surround a council's name in print but are not part of it, longest first.
_PREFIXES = (
    "the ",
    "council of the ",
    "council of ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "borough of ",
    "county of ",
    "city and county of ",
    "city of ",
)
_SUFFIXES = (
    " childrens services authority area",
    " metropolitan borough council",
    " metropolitan district council",
    " metropolitan council",
    " london borough council",
    " county borough council",
    " borough council",
    " county council",
    " district council",
    " city council",
    " council",
    " county",
    " city",
    " borough",
    " local authority",
)


class Authority(NamedTuple):
    """One English local authority (a council with children's services responsibilities).
    (A named tuple: a search that reads council names makes the class in a tenth of a frozen
    dataclass's 1.3 ms.)"""

    slug: str
    name: str
    la_code: str
    """DfE LA code: the 'reference no.' printed on the 2007 joint area reviews."""
    urn: str | None
    """Ofsted's unique reference number for the council's children's services."""
    ons_code: str | None
    region: str
    type: str | None
    current: bool
    """False for councils since merged or abolished (Poole, Cumbria, ...)."""
    successor: str | None
    printed_names: tuple[str, ...]
    statistical_neighbours: tuple[str, ...]
    """Slugs of the DfE statistical neighbours, closest first."""


def _squash(name: str) -> str:
    s = name.lower().replace("&", " and ")
    s = re.sub(r"[’'`]", "", s)
    s = re.sub(r"\bst\.", "st", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _core(squashed: str) -> str:
    """Strip the words printed around a council's name ('London Borough of', 'Council')."""
    s = squashed
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p) :], True
        for suf in _SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s, changed = s[: -len(suf)], True
    return s


class Registry:
    """All councils, looked up by slug, LA code or any printed name."""

    def __init__(self, authorities: list[Authority]) -> None:
        self.authorities = sorted(authorities, key=lambda a: a.slug)
        self._by_slug = {a.slug: a for a in self.authorities}
        self._by_code = {a.la_code: a for a in self.authorities}
        self._names: tuple[dict[str, Authority], dict[str, Authority]] | None = None

    def _printed(self) -> tuple[dict[str, Authority], dict[str, Authority]]:
        """Every printed name, squashed, and its core (made on the first lookup: a search that
        only finds names in a query, registry.name_finder, never needs them)."""
        if self._names is None:
            exact: dict[str, Authority] = {}
            core: dict[str, Authority] = {}
            for a in self.authorities:
                for printed in (a.name, *a.printed_names):
                    exact.setdefault(_squash(printed), a)
                    key = _core(_squash(printed))
                    # A current council wins a shared core name over a former one.
                    if key not in core or (a.current and not core[key].current):
                        core[key] = a
            self._names = exact, core
        return self._names

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.authorities)

    def __len__(self) -> int:
        return len(self.authorities)

    def get(self, slug: str) -> Authority | None:
        """The authority with this slug, or None."""
        return self._by_slug.get(slug)

    def by_urn(self, urn: str) -> Authority | None:
        """The authority with this Ofsted URN (a current council first), or None."""
        hits = [a for a in self.authorities if a.urn == str(urn).strip()]
        return next((a for a in hits if a.current), hits[0] if hits else None)

    def by_code(self, la_code: str) -> Authority | None:
        """The authority with this DfE LA code, or None."""
        return self._by_code.get(str(la_code).strip())

    def lookup(self, printed: str) -> Authority | None:
        """The authority a name as printed in a report refers to, or None."""
        squashed = _squash(printed)
        if not squashed:
            return None
        core = _core(squashed)
        exact, cores = self._printed()
        hit = exact.get(squashed) or cores.get(core)
        if hit is None and squashed.startswith("the "):
            hit = self.lookup(squashed[4:])
        if hit is None and len(core) > 3:
            # A short form that only one council's name begins with: 'East Riding',
            # 'Newcastle' (the reports' own short names for their councils).
            longer = {a.slug: a for k, a in cores.items() if k.startswith(core + " ")}
            current = [a for a in longer.values() if a.current]
            if len(current) == 1:
                hit = current[0]
        return hit

    def current(self) -> list[Authority]:
        """The councils that exist today (153 in England)."""
        return [a for a in self.authorities if a.current]

    def regions(self) -> list[str]:
        """Region names, sorted."""
        return sorted({a.region for a in self.authorities})


@cache
def load_registry() -> Registry:
    """The registry shipped with the package (made by scripts/make_registry.py)."""
    raw = data_text("authorities.json")
    items = json.loads(raw)
    return Registry(
        [
            Authority(
                slug=i["slug"],
                name=i["name"],
                la_code=i["la_code"],
                urn=i["urn"],
                ons_code=i["ons_code"],
                region=i["region"],
                type=i["type"],
                current=i["current"],
                successor=i["successor"],
                printed_names=tuple(i["printed_names"]),
                statistical_neighbours=tuple(i["statistical_neighbours"]),
            )
            for i in items
        ]
    )


_WORD_CHAR = re.compile(r"[\w-]")


class NameFinder:
    """Finds whole council names in text, longest first, left to right, without overlaps: what
    one regular expression of every name would find, but a name is only tried where a word
    starts with its first three characters (one big alternation
    was 25 s for 1,000 reports)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_start: dict[str, list[str]] = defaultdict(list)
        for n in sorted(names, key=lambda n: (-len(n), n)):
            self.by_start[n[:3]].append(n)
        firsts = "".join(sorted({re.escape(n[0]) for n in self.by_start}))
        self.starts = re.compile(rf"(?<![\w-])[{firsts}]") if firsts else None

    def names_in(self, text: str) -> list[str]:
        out: list[str] = []
        if self.starts is None:
            return out
        end = 0
        for m in self.starts.finditer(text):
            i = m.start()
            if i < end:
                continue
            for name in self.by_start.get(text[i : i + 3], ()):
                j = i + len(name)
                if text.startswith(name, i) and not _WORD_CHAR.match(text, j):
                    out.append(name)
                    end = j
                    break
        return out


@cache
def name_finder() -> tuple[NameFinder, dict[str, str]]:
    """A finder of every council's name and printed forms (over three characters), and the
    slug each names."""
    slug_of: dict[str, str] = {}
    for a in load_registry():
        for n in {a.name, *a.printed_names}:
            if len(n) > 3:
                slug_of.setdefault(n, a.slug)
    return NameFinder(slug_of), slug_of


def councils_named(text: str) -> set[str]:
    """The slugs of the councils a text names."""
    finder, slug_of = name_finder()
    return {slug_of[name] for name in finder.names_in(text)}


def region_key(region: str) -> str:
    """A region as a filter value: 'Yorkshire and the Humber' -> 'yorkshire-and-the-humber'."""
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")
