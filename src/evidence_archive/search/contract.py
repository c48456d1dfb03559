"""The `evidence search` contract, independent of the engine behind it: what a query may be, the
filters, and the shape of a result and of a hit (the JSON other tools depend on).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, Protocol, TypedDict

from evidence_archive.errors import QueryError

MAX_QUERY = 1000

#: Fields a query may name (field:value), and what they mean.
QUERY_FIELDS = {
    "authority": "council slug, e.g. authority:havering",
    "region": "region, e.g. region:london",
    "kind": "kind of document, e.g. kind:single-inspection",
    "framework": "framework, e.g. framework:sif",
    "year": "year of the document, e.g. year:2016",
    "section": "words of the section heading",
    "title": "words of the document title",
    "grades": "a grade of the document, e.g. grades:overall:inadequate",
}


class Hit(TypedDict):
    """One paragraph found, as the API's JSON and `evidence search --format json` give it (the
    README documents every field): where it comes from and how to cite it."""

    rank: int
    score: float
    id: str
    """The document's id."""
    source_file: str
    authority: str
    title: str
    published: str | None
    section: str
    paragraph: str | None
    """The paragraph number as printed, where the paragraph is numbered."""
    anchor: str
    url: str
    """The paragraph's permalink: the report page's address and the paragraph's anchor."""
    text: str
    """The paragraph as printed."""
    highlight: str
    """The text as HTML (escaped), the query's words marked with <mark>."""
    citation: str


#: The fields of a hit, in the order the JSON gives them.
HIT_FIELDS = tuple(Hit.__annotations__)


class Result(TypedDict):
    """The answer to one search."""

    query: str
    total: int
    """How many paragraphs match (those with every word, then those with most of them)."""
    all_words: int
    """How many paragraphs hold every word of the query."""
    hits: list[Hit]
    more: NotRequired[dict[str, list[Hit]]]
    """More from a report: by document id, its paragraphs that rank among the hits but were
    folded under it (at most a few paragraphs of one report are hits), best first."""
    facets: NotRequired[dict[str, dict[str, int]]]
    """Counts of the matching paragraphs per council, kind and year."""
    councils: NotRequired[list[dict[str, Any]]]
    """With facets: the councils of the matching paragraphs, those whose paragraphs rank
    highest first, at most 20 ('authority', 'name', 'paragraphs', 'best': the rank of the
    council's best paragraph before folding, or None)."""
    expanded: NotRequired[list[dict[str, Any]]]
    """What the search looked for besides the words typed (not with exact words): per word or
    term, 'typed' and 'also', the synonyms and long forms of abbreviations it also found,
    ranked below the words as typed."""
    understood: NotRequired[dict[str, Any]]
    """What the search read in the query and acted on (search.understand), whose paragraphs
    were put first: 'authority', the councils it names (as printed), and 'named', those names;
    'region' and 'region_name', a region it names; 'from' and 'to', a year or range; 'words',
    the names and years as typed; 'rest', the query without them. A suggested search: 'rest'
    with those filters."""


class Backend(Protocol):
    """What the commands, the API and the quote check need of a search engine: the one Whoosh
    engine today (search.searcher.Searcher); another (SQLite FTS5, OpenSearch) would stand
    behind the same calls."""

    @property
    def documents(self) -> Mapping[str, Mapping[str, Any]]:
        """The archive's documents by id, as the index records them (title, date, council)."""
        ...

    def search(
        self, text: str, filters: Filters | None = None, limit: int = 20, expand: bool = True,
        facets: bool = False, base_url: str = "", fold: bool = True,
    ) -> Result: ...  # fmt: skip

    def candidates(self, quote: str, limit: int) -> list[dict[str, Any]]:
        """The stored entries (paragraphs) that hold most of the words of a quote, best first:
        'doc_id', 'verbatim' (the text as printed) and where it stands."""
        ...

    def hit_fields(self, stored: Mapping[str, Any], base_url: str = "") -> dict[str, Any]:
        """Where a stored entry comes from: the fields of a Hit but rank, score and highlight
        (and its document's date)."""
        ...

    def generation(self) -> Any:
        """Which index answers now: any value that changes when another is opened (the API
        keeps answers per generation)."""
        ...


@dataclass
class Filters:
    """Filters that narrow a search."""

    authority: list[str] = field(default_factory=list)
    region: str | None = None
    kind: str | None = None
    framework: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    grade: list[str] = field(default_factory=list)
    """Judgement filters 'area:grade': 'overall:inadequate', 'help-and-protection:1', 'any:good'."""

    @classmethod
    def from_params(cls, values: Callable[[str], Sequence[Any]]) -> Filters:
        """Filters from parameters by their API names, however they arrive (the API's query
        string, the CLI's options, a mapping): values(name) gives every value of one name.
        authority and grade may repeat; of the others the last value counts; from and to must
        be whole numbers."""

        def last(name: str) -> Any:
            given = values(name)
            return (given[-1] if given else None) or None

        return cls(
            authority=[str(a) for a in values("authority") if a],
            region=last("region"),
            kind=last("kind"),
            framework=last("framework"),
            year_from=whole_number(last("from"), "from"),
            year_to=whole_number(last("to"), "to"),
            grade=[str(g) for g in values("grade") if g],
        )

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> Filters:
        """Filters from a mapping with the API's parameter names (a value or a list of them)."""

        def values(name: str) -> Sequence[Any]:
            v = m.get(name)
            return v if isinstance(v, list | tuple) else [] if v is None else [v]

        return cls.from_params(values)


def whole_number(value: Any, name: str) -> int | None:
    """A parameter that must be a whole number (None when not given)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as err:
        raise QueryError(None, f"{name} must be a whole number, not {value!r}") from err


def check_query(text: str) -> str:
    """Reject what no query parser should see: one clear message, never a traceback."""
    if text is None or not text.strip():
        raise QueryError(None, "empty query: type some words to search for")
    if len(text) > MAX_QUERY:
        raise QueryError(None, f"query too long ({len(text)} characters; at most {MAX_QUERY})")
    if any(unicodedata.category(c) == "Cc" and c not in "\t" for c in text):
        raise QueryError(None, "the query contains control characters")
    text = text.replace("“", '"').replace("”", '"')
    if text.count('"') % 2:
        raise QueryError(None, 'unbalanced quotes: every " needs a closing "')
    depth = 0
    for c in re.sub(r'"[^"]*"', "", text):
        depth += c == "("
        depth -= c == ")"
        if depth < 0:
            break
    if depth != 0:
        raise QueryError(None, "unbalanced brackets: every ( needs a closing )")
    bare = re.sub(r'"[^"]*"', " x ", text)
    words = bare.split()
    ops = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
    if all(w in ops or not re.search(r"\w", w) for w in words):
        raise QueryError(None, "the query has operators but no words to search for")
    if words[0] in ops - {"NOT"} or words[-1] in ops:
        raise QueryError(None, f"an operator ({words[0] if words[0] in ops else words[-1]}) "
                         "needs words on both sides")  # fmt: skip
    for name in re.findall(r"(?<![\w\":-])([A-Za-z_]+):(?=\S)", bare):
        if name not in QUERY_FIELDS:
            raise QueryError(
                None, f"unknown field '{name}': fields are {', '.join(sorted(QUERY_FIELDS))}"
            )
    return text


def plain_words(text: str) -> bool:
    """True for a list of words with no operators, phrases, fields or prefixes."""
    return not re.search(r'["()*:]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b', text)
