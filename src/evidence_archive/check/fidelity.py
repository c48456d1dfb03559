"""Fidelity: the words of each page, in order, are the words of its source.

The source side is read with its own small stripper (tags, entities, superscript marks), not
with the parser, so a parser that loses or changes a word cannot also hide it. A page may drop
only the lines the parser marked as layout (contents pages, graphic remains, rules, page
furniture), and those are counted by reason; boilerplate is moved to the end of the page and
compared as its own stream.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from evidence_archive.corpus.store import CorpusEntry
from evidence_archive.model import Document
from evidence_archive.parse.document import parse
from evidence_archive.parse.inline import EXTRACTOR_TAGS, tags_to_text
from evidence_archive.render.markdown import BOILERPLATE_OPEN, page_text, render

_TOKEN = re.compile(r"[^\W_]+")
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def source_words(text: str) -> list[str]:
    """The words of source text: markup tags and entities are not words."""
    s = text.replace("<sup>&</sup>lt;sup>", "<sup>")
    s = s.replace("\\<", "\\\x00")  # an escaped '<' opens no tag
    s = tags_to_text(s, EXTRACTOR_TAGS)
    s = _superscripts(s)
    # The source is characters, not HTML: '&lt;' in a report is shown as '&lt;' on its page.
    return _TOKEN.findall(s)


def _superscripts(s: str) -> str:
    """Superscript digits are footnote marks or raised numbers: the same word, said as digits."""
    return re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: " " + m.group(1).translate(_SUPER) + " ", s)


def page_words(markdown: str) -> list[str]:
    """The words of rendered Markdown, syntax removed."""
    return _TOKEN.findall(_superscripts(page_text(markdown)))


@dataclass
class Fidelity:
    """What a page kept, dropped and changed of its source."""

    id: str
    source: int = 0
    page: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    boilerplate: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every difference is explained."""
        return not self.differences


def _diff(src: list[str], page: list[str], where: str) -> list[str]:
    out: list[str] = []
    if src == page:  # the usual case: no need to align
        return out
    sm = difflib.SequenceMatcher(None, src, page, autojunk=False)
    for op, a1, a2, b1, b2 in sm.get_opcodes():
        if op == "equal":
            continue
        context = " ".join(src[max(0, a1 - 5) : a1])
        out.append(
            f"{where}: {op} source {' '.join(src[a1:a2])[:120]!r} -> page "
            f"{' '.join(page[b1:b2])[:120]!r} after '…{context[-60:]}'"
        )
    return out


def compare(text: str, doc: Document, markdown: str) -> Fidelity:
    """Compare a source text with the page rendered from it."""
    lines = text.split("\n")
    reason: list[str] = ["body"] * len(lines)
    for d in doc.dropped:
        for i in range(d.lines[0] - 1, d.lines[1]):
            reason[i] = d.reason
    for b in doc.boilerplate:
        for i in range(b.lines[0] - 1, b.lines[1]):
            if reason[i] == "body":
                reason[i] = "boilerplate"
    streams: dict[str, list[str]] = {"body": [], "boilerplate": []}
    result = Fidelity(doc.id)
    for line, why in zip(lines, reason, strict=True):
        words = source_words(line)
        result.source += len(words)
        if why in streams:
            streams[why] += words
        else:
            result.dropped[why] += len(words)
    body_md, _, boiler_md = markdown.partition(BOILERPLATE_OPEN)
    page_body, page_boiler = page_words(body_md), page_words(boiler_md)
    result.page = len(page_body) + len(page_boiler)
    result.boilerplate = len(streams["boilerplate"])
    result.differences = _diff(streams["body"], page_body, "body") + _diff(
        streams["boilerplate"], page_boiler, "boilerplate"
    )
    return result


def check_entry(entry: CorpusEntry) -> Fidelity:
    """Parse, render and compare one corpus document."""
    text = entry.read_text()
    doc = parse(text, entry.meta)
    return compare(text, doc, render(doc))
