"""Era synonyms (terms that changed between frameworks) and staff words (what people type for
what the reports print) match each other in a search.

The table is `data/synonyms.txt`, one group per line, written for people to read and extend.
A query is rewritten before it is parsed: each term of a group, typed as words or as an exact
"phrase", becomes `((term as typed) OR "term 2"^0.5 OR ...)`, so stemming and spelling still
apply to each, the typed words keep their meaning, and they rank first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evidence_archive import data_text
from evidence_archive.errors import ArchiveError

#: The weight of a group's other terms against the term as typed: a search for "children in
#: care" finds "looked after children" too, but ranks the words the reader typed first.
OTHER_TERMS = 0.5


@lru_cache(maxsize=1)
def groups() -> tuple[tuple[str, ...], ...]:
    """The synonym groups, in the table's order (each group's terms as written)."""
    text = data_text("synonyms.txt")
    return parse_table(text, "data/synonyms.txt")


def parse_table(text: str, name: str) -> tuple[tuple[str, ...], ...]:
    """Groups from the table's text; a malformed line is an error naming the line."""
    out = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = tuple(t.strip() for t in line.split("|"))
        if len(terms) < 2 or not all(terms):
            raise ArchiveError(f"{name}:{n}", "a group needs two or more terms separated by ' | '")
        for t in terms:
            key = _key(t)
            if key in seen:
                raise ArchiveError(f"{name}:{n}", f"'{t}' is already in a group (line {seen[key]})")
            seen[key] = n
        out.append(terms)
    return tuple(out)


def _key(term: str) -> str:
    return " ".join(re.findall(r"[\w/]+", term.lower()))


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple[str, ...]]:
    """Each term's key -> its group."""
    return {_key(t): g for g in groups() for t in g}


@lru_cache(maxsize=256)
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern that finds the terms of some keys in a query."""
    # Longest first; a term is whole words, not preceded by a field name or inside a word.
    alts = sorted(keys, key=lambda k: (-len(k), k))
    words = [r"[\s\-]+".join(re.escape(w) for w in re.split(r"\s+", k)) for k in alts]
    body = "|".join(words)
    # Unquoted, a term may take a plural 's' ("new social workers" is "new social worker").
    return re.compile(rf'"(?:{body})"|(?<![\w:/"*-])(?:{body})s?(?![\w/*:-])', re.IGNORECASE)


def _candidates(text: str, lookup: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The keys whose every word the query holds (as a word of its own, or with an 's'): the
    only terms the pattern of all of them could find in it, so the pattern of these finds the
    same. One pattern of the whole table costs more to compile than a search."""
    typed = set(re.findall(r"[\w/]+", text.lower()))
    return tuple(k for k in lookup
                 if all(w in typed or w + "s" in typed for w in k.split(" ")))  # fmt: skip


def _matches(text: str) -> list[tuple[re.Match[str], str, tuple[str, ...]]]:
    """The group terms a query holds: (match, the term's key as typed, its group)."""
    lookup = _lookup()
    keys = _candidates(text, lookup)
    if not keys:
        return []
    pattern = _pattern(keys)
    out = []
    for m in pattern.finditer(text):
        if _inside_phrase(text, m.start()) and not m.group().startswith('"'):
            continue  # a term inside a longer "exact phrase" stays as typed
        typed = _key(m.group().strip('"'))
        if typed not in lookup:  # the plural of a term
            typed = typed[:-1]
        out.append((m, typed, lookup[typed]))
    return out


def expand(text: str) -> str:
    """The query with every era term replaced by its whole group, OR-ed."""
    out, pos = [], 0
    for m, typed, group in _matches(text):
        out.append(text[pos : m.start()])
        # The term as typed keeps its meaning (loose words stay loose words, a "phrase" stays a
        # phrase); the group's other terms are added as phrases, ranked below it.
        terms = [
            (f"({m.group()})" if " " in m.group() else m.group()) if _key(t) == typed
            else _term(t, OTHER_TERMS)
            for t in group
        ]  # fmt: skip
        out.append("(" + " OR ".join(terms) + ")")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def applied(text: str) -> list[tuple[str, list[str]]]:
    """What expand adds to a query, to show the reader: (the term as typed, the group's other
    terms) for each term of a group the query holds."""
    return [(m.group().strip('"'), [t for t in group if _key(t) != typed])
            for m, typed, group in _matches(text)]  # fmt: skip


def _term(term: str, boost: float) -> str:
    quoted = f'"{term}"' if " " in term or "/" in term else term
    return quoted if boost == 1.0 else f"{quoted}^{boost}"


def _inside_phrase(text: str, at: int) -> bool:
    """True when position `at` is inside a "quoted phrase"."""
    return text.count('"', 0, at) % 2 == 1
