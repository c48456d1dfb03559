"""How text becomes terms, wherever words are matched: British spellings, stemming, stop words
(the search index, and the recommendations tracker's matching of a recommendation to the next
report's paragraphs).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, cast

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import Filter
from whoosh.lang.porter import stem as porter_stem

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


_LED_WORDS = ("travel", "model", "cancel", "label", "fuel", "signal")
_LED = re.compile(rf"^({'|'.join(_LED_WORDS)})(ed|ing|er|ers)$")


_NOT_IZE = {"size", "sizes", "prize", "prizes", "seize", "seized", "citizen", "citizens"}


@functools.lru_cache(maxsize=200_000)
def british(word: str) -> str:
    """One spelling for words spelt both ways: organization -> organisation, color -> colour."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    if word.startswith(_OUR):
        stem = next(s for s in _OUR if word.startswith(s))
        return stem[:-2] + "our" + word[len(stem) :]
    # Each pattern tried only on a word it could match (most words match none).
    if "iz" in word and word not in _NOT_IZE and (m := _IZE.match(word)):
        return f"{m.group(1)}is{m.group(2)}"
    if "yz" in word and (m := _YZE.match(word)):
        return f"{m.group(1)}ys{m.group(2)}"
    if word.startswith(_LED_WORDS) and (m := _LED.match(word)):  # traveled -> travelled
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

    direct = _one_word(analyzer, options)
    if direct is not None:
        return functools.lru_cache(maxsize=200_000)(direct)

    @functools.lru_cache(maxsize=200_000)
    def term_of(word: str) -> str | None:
        found = [t.text for t in analyzer(word, **options)]
        return found[0] if len(found) == 1 else None

    return term_of


def _one_word(analyzer: Any, options: dict[str, Any]) -> Callable[[str], str | None] | None:
    """For the analyzers made here (WORD's tokenizer, then lowercase, British, stop and stem
    filters): what the analyzer makes of one word, its filters applied to the word directly,
    as each filter's own code does to a token. A quarter of the analyzer's time for a word
    (most of marking a new process's hits). None for any other analyzer, or options that
    change more than stop words. tests/test_terms.py compares the two on every word of the
    corpus."""
    items = getattr(analyzer, "items", None)
    if not items or set(options) - {"removestops", "mode"}:
        return None
    tokenizer, *filters = items
    if type(tokenizer) is not RegexTokenizer or tokenizer.expression.pattern != WORD.pattern:
        return None
    if tokenizer.gaps:
        return None
    removestops = options.get("removestops", True)
    steps: list[Callable[[str, bool], tuple[str | None, bool]]] = []
    for f in filters:
        if type(f) is LowercaseFilter:
            steps.append(lambda text, stopped: (text.lower(), stopped))
        elif type(f) is BritishFilter:
            steps.append(lambda text, stopped: (british(text), stopped))
        elif type(f) is StopFilter:
            steps.append(_stop_step(f.stops, f.min, f.max, removestops))
        elif type(f) is StemFilter and not f.lang:
            steps.append(_stem_step(f.stemfn, f.ignore))
        else:
            return None

    def term_of(word: str) -> str | None:
        text: str | None = word
        stopped = False
        for step in steps:
            text, stopped = step(cast(str, text), stopped)
            if text is None:
                return None
        return text

    return term_of


def term_positions(analyzer: Any) -> Callable[[str], list[tuple[int, str]]] | None:
    """text -> (position, term) of each term the analyzer makes of text, as it gives them with
    positions (mode 'index'), each word's term worked out once (_one_word); None for an
    analyzer _one_word does not know. The tokenizer numbers every word; a stop filter that
    renumbers numbers the words it keeps from the first kept word's place, one after another."""
    direct = _one_word(analyzer, {"mode": "index"})
    if direct is None:
        return None
    term_of = functools.lru_cache(maxsize=200_000)(direct)
    renumber = any(type(f) is StopFilter and f.renumber for f in analyzer.items[1:])

    def positions(text: str) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for n, word in enumerate(WORD.findall(text)):
            term = term_of(word)
            if term is not None:
                out.append((out[-1][0] + 1 if renumber and out else n, term))
        return out

    return positions


def keeps_first_letter(analyzer: Any) -> bool:
    """Whether every term the analyzer makes of a word begins with the word's first letter,
    lowercased: true of the analyzers made here, whose filters (lowercase, British spelling,
    stop words, Porter's stemmer) change only how a word ends; false of any other."""
    items = getattr(analyzer, "items", None)
    if _one_word(analyzer, {}) is None or not items:
        return False
    known = (LowercaseFilter, BritishFilter, StopFilter)
    return all(type(f) in known or (type(f) is StemFilter and f.stemfn is porter_stem)
               for f in items[1:])  # fmt: skip


def _stop_step(
    stops: frozenset[str], least: int, most: int | None, removestops: bool
) -> Callable[[str, bool], tuple[str | None, bool]]:
    """Whoosh's StopFilter on one token: a stop word (or one too short or long) is dropped,
    or, when stop words are kept, marked stopped (the stemmer leaves it as it is)."""

    def step(text: str, stopped: bool) -> tuple[str | None, bool]:
        if len(text) >= least and (most is None or len(text) <= most) and text not in stops:
            return text, False
        return (None, True) if removestops else (text, True)

    return step


def _stem_step(
    stem: Callable[[str], str], ignore: frozenset[str]
) -> Callable[[str, bool], tuple[str | None, bool]]:
    """Whoosh's StemFilter on one token: stemmed unless stopped or ignored."""

    def step(text: str, stopped: bool) -> tuple[str | None, bool]:
        return (text if stopped or text in ignore else stem(text)), stopped

    return step


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
