"""How text becomes terms, wherever words are matched: British spellings, stemming, stop words
(the search index, and the recommendations tracker's matching of a recommendation to the next
report's paragraphs).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import Filter

#: American spellings -> the British spelling the reports use (single words).
SPELLINGS: dict[str, str] = {
    "program": "programme", "programs": "programmes", "judgment": "judgement",
    "judgments": "judgements", "enrollment": "enrolment", "counseling": "counselling",
    "counselor": "counsellor", "pediatric": "paediatric", "fulfill": "fulfil",
    "center": "centre", "centers": "centres", "defense": "defence", "license": "licence",
    "practice": "practice", "aging": "ageing", "gray": "grey", "mold": "mould",
}  # fmt: skip


_OUR = ("behavior", "color", "favor", "honor", "labor", "neighbor", "rumor", "harbor", "endeavor")


_IZE = re.compile(r"^(\w{3,})iz(e|es|ed|er|ers|ing|ation|ations|ational)$")


_YZE = re.compile(r"^(\w+)yz(e|es|ed|ing)$")


_LED = re.compile(r"^(travel|model|cancel|label|fuel|signal)(ed|ing|er|ers)$")


_NOT_IZE = {"size", "sizes", "prize", "prizes", "seize", "seized", "citizen", "citizens"}


@functools.lru_cache(maxsize=200_000)
def british(word: str) -> str:
    """One spelling for words spelt both ways: organization -> organisation, color -> colour."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    for stem in _OUR:
        if word.startswith(stem):
            return stem[:-2] + "our" + word[len(stem) :]
    if word not in _NOT_IZE and (m := _IZE.match(word)):
        return f"{m.group(1)}is{m.group(2)}"
    if m := _YZE.match(word):
        return f"{m.group(1)}ys{m.group(2)}"
    if m := _LED.match(word):  # traveled -> travelled, modeling -> modelling
        return f"{m.group(1)}l{m.group(2)}"
    return word


class BritishFilter(Filter):  # type: ignore[misc]  # Whoosh is untyped
    """A Whoosh filter that maps each token to its British spelling."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            t.text = british(t.text)
            yield t


#: A word, as the analyzers' tokenizer finds words.
WORD = re.compile(r"\w+(?:[’']\w+)?")


def stemming_analyzer() -> Any:
    """Words, lowercased, one spelling, stop words out, stemmed (English)."""
    return (
        RegexTokenizer(WORD.pattern)
        | LowercaseFilter()
        | BritishFilter()
        | StopFilter()
        | StemFilter()
    )


def exact_analyzer() -> Any:
    """Words, lowercased, one spelling; no stemming, no stop words (exact search)."""
    return RegexTokenizer(WORD.pattern) | LowercaseFilter() | BritishFilter()


@functools.lru_cache(maxsize=1)
def _stemming() -> Any:
    return stemming_analyzer()


def stems(text: str) -> list[tuple[int, str, int, int]]:
    """(position, stem, first and end character) of each word the stemming analyzer keeps of
    text, in order: the index's terms, for matching words outside the index. What the analyzer
    gives, each word's term worked out once (term_function): the stop filter numbers the words
    it keeps from the first kept word's place, one after another."""
    stem_of = _stem_of()
    out: list[tuple[int, str, int, int]] = []
    for n, m in enumerate(WORD.finditer(text)):
        term = stem_of(m.group())
        if term is not None:
            out.append((out[-1][0] + 1 if out else n, term, m.start(), m.end()))
    return out


def term_function(analyzer: Any, **options: Any) -> Callable[[str], str | None]:
    """word -> its term under analyzer (None for a stop word), each word worked out once.

    Every filter of the analyzers here works on one word at a time, so a text's terms are its
    words' terms (WORD.findall): the same as running the analyzer over the text, without its
    generator chain for every word of every text (options: the analyzer's, e.g. keeping stop
    words as Whoosh's highlighting does)."""

    @functools.lru_cache(maxsize=200_000)
    def term_of(word: str) -> str | None:
        found = [t.text for t in analyzer(word, **options)]
        return found[0] if len(found) == 1 else None

    return term_of


@functools.lru_cache(maxsize=1)
def _stem_of() -> Callable[[str], str | None]:
    return term_function(_stemming())


@functools.lru_cache(maxsize=1)
def every_word_stem() -> Callable[[str], str | None]:
    """word -> its stem, stop words kept as themselves (the stemming analyzer with Whoosh's
    removestops=False): the static search index's terms, where a search needs every word, so
    that a run of words is found where it is printed."""
    return term_function(_stemming(), removestops=False)


def stem_terms(text: str) -> list[str]:
    """The stemming analyzer's terms of text, in order (what stems() gives, only faster)."""
    stem_of = _stem_of()
    return [t for w in WORD.findall(text) if (t := stem_of(w)) is not None]
