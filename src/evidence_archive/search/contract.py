"""The `evidence search` contract, independent of the engine behind it: what a query may be, the
filters, and the shape of a result and of a hit (the JSON other tools depend on).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

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


HIT_FIELDS = (
    "rank", "score", "id", "source_file", "authority", "title", "published", "section",
    "paragraph", "anchor", "url", "text", "highlight", "citation",
)  # fmt: skip


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
    def from_mapping(cls, m: dict[str, Any]) -> Filters:
        """Filters from a mapping with the API's parameter names (authority, from, to, ...)."""
        return cls(
            authority=list(m.get("authority", [])),
            region=m.get("region"),
            kind=m.get("kind"),
            framework=m.get("framework"),
            year_from=m.get("from"),
            year_to=m.get("to"),
            grade=list(m.get("grade", [])),
        )


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
