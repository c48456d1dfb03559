"""The evidence index: one Whoosh document per paragraph, list item, table row and heading.

Built into a temporary folder and renamed into place whole (build.py swaps the whole OUT), so a
reader never sees a half-written index.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import Filter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, SchemaClass

from .frameworks import common_scale
from .model import Block, Document
from .registry import load_registry

log = logging.getLogger(__name__)

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


class BritishFilter(Filter):
    """A Whoosh filter that maps each token to its British spelling."""

    def __call__(self, tokens: Iterator) -> Iterator:
        for t in tokens:
            t.text = british(t.text)
            yield t


def stemming_analyzer():  # type: ignore[no-untyped-def]
    """Words, lowercased, one spelling, stop words out, stemmed (English)."""
    return (
        RegexTokenizer(r"\w+(?:[’']\w+)?")
        | LowercaseFilter()
        | BritishFilter()
        | StopFilter()
        | StemFilter()
    )


def exact_analyzer():  # type: ignore[no-untyped-def]
    """Words, lowercased, one spelling; no stemming, no stop words (exact search)."""
    return RegexTokenizer(r"\w+(?:[’']\w+)?") | LowercaseFilter() | BritishFilter()


class ParagraphSchema(SchemaClass):
    """One indexed paragraph, list item, table row or heading."""

    pid = ID(stored=True, unique=True)
    doc_id = ID(stored=True)
    content = TEXT(analyzer=stemming_analyzer(), phrase=True)
    exact = TEXT(analyzer=exact_analyzer(), phrase=True)
    verbatim = STORED()
    title = TEXT(stored=True)
    authority = ID(stored=True)
    authority_name = TEXT(stored=True)
    region = ID(stored=True)
    kind = ID(stored=True)
    framework = ID(stored=True)
    year = NUMERIC(stored=True, bits=32)
    published = ID(stored=True)
    date = STORED()
    section = TEXT(stored=True)
    paragraph = STORED()
    anchor = ID(stored=True)
    url = STORED()
    block = ID(stored=True)
    source_file = STORED()
    publisher = STORED()
    grades = KEYWORD(stored=True, lowercase=True, commas=False)
    """The grades of the document: 'overall:inadequate overall:1 lscb:good ...' (search by
    judgement)."""


def region_key(region: str) -> str:
    """A region as a filter value: 'Yorkshire and the Humber' -> 'yorkshire-and-the-humber'."""
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")


@dataclass(frozen=True)
class Entry:
    """One entry of the index, before it is written."""

    pid: str
    block: str
    text: str
    section: str
    anchor: str
    paragraph: str | None


def entries(doc: Document) -> list[Entry]:
    """Every paragraph, list item, footnote, table row and heading of a document, in order."""
    out = []
    for sec in doc.sections:
        if sec.level and sec.title:
            out.append(Entry(f"{doc.id}#{sec.anchor}", "heading", sec.title, sec.title,
                             sec.anchor, None))  # fmt: skip
        for b in sec.blocks:
            out += _block_entries(doc, sec.title, b)
    for b in doc.boilerplate:
        out += _block_entries(doc, "Publication information", b)
    return out


def _block_entries(doc: Document, section: str, b: Block) -> list[Entry]:
    if b.kind == "table":
        rows = b.text.splitlines()
        return [
            Entry(f"{doc.id}#{b.anchor}-r{n}", "table-row", row, section, b.anchor, None)
            for n, row in enumerate(rows, start=1)
            if row.strip(" |")
        ]
    kind = "paragraph" if b.kind in ("paragraph", "quote", "figure") else b.kind
    return [Entry(f"{doc.id}#{b.anchor}", kind, b.text, section, b.anchor, b.number)]


def grade_keywords(doc: Document) -> str:
    """The grades of a document as keywords: area:word, area:scale, any:word, any:scale."""
    words = set()
    for j in doc.judgements:
        scale = common_scale(j.grade)
        grade = j.grade.replace(" ", "-")
        for area in ((j.area,) if j.area else ()) + ("any",):
            words.add(f"{area}:{grade}")
            if scale:
                words.add(f"{area}:{scale}")
    return " ".join(sorted(words))


def page_url(doc: Document) -> str:
    """The site URL of a document's page, relative to the site root."""
    return f"/reports/{doc.meta['authority']}/{doc.id}/"


ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "lac": ("looked after children",),
    "cla": ("children looked after",),
    "cic": ("children in care",),
    "camhs": ("child and adolescent mental health services",),
    "mash": ("multi-agency safeguarding hub",),
    "neet": ("not in education, employment or training",),
    "lscb": ("local safeguarding children board",),
    "iro": ("independent reviewing officer",),
    "iros": ("independent reviewing officers",),
    "sen": ("special educational needs",),
    "send": (
        "special educational needs and disabilities",
        "special educational needs and/or disabilities",
    ),
    "cin": ("child in need", "children in need"),
    "yot": ("youth offending team",),
    "cse": ("child sexual exploitation",),
    "lado": ("local authority designated officer",),
    "dcs": ("director of children's services",),
    "ehcp": ("education, health and care plan",),
    "uasc": ("unaccompanied asylum-seeking children",),
    "caf": ("common assessment framework",),
    "ldd": ("learning difficulties and/or disabilities",),
    "pct": ("primary care trust",),
    "apa": ("annual performance assessment",),
    "jar": ("joint area review",),
    "cypp": ("children and young people's plan",),
    "hmi": ("her majesty's inspector", "his majesty's inspector"),
}  # fmt: skip
"""The archive's own table of abbreviations; definitions found in the documents are added."""

_DEFINED = re.compile(
    r"((?:[A-Za-z][\w’'-]*\s+){1,9}[A-Za-z][\w’'-]*)\s+\(([A-Z][A-Za-z&]{1,7}s?)\)"
)
_SMALL = {"and", "of", "for", "the", "in", "or", "to", "on", "with", "a", "an"}


def defined_abbreviations(text: str) -> dict[str, str]:
    """'child and adolescent mental health services (CAMHS)' -> {'camhs': 'child and ...'}."""
    found = {}
    for m in _DEFINED.finditer(text):
        words, abbr = m.group(1).split(), m.group(2)
        letters = abbr.rstrip("s").lower().replace("&", "")
        # Take the shortest tail of words whose initials spell the abbreviation.
        for start in range(len(words) - 1, -1, -1):
            tail = words[start:]
            initials = "".join(w[0].lower() for w in tail if w.lower() not in _SMALL)
            if initials == letters:
                found[abbr.lower()] = " ".join(tail).lower()
                break
    return found


def glossary_abbreviations(doc: Document) -> dict[str, str]:
    """Rows of a glossary table: 'CAMHS | Child and Adolescent Mental Health Services.'."""
    found = {}
    for b in doc.blocks():
        if b.kind != "table":
            continue
        for row in b.text.splitlines():
            cells = [c.strip() for c in row.split(" | ")]
            if len(cells) == 2 and re.fullmatch(r"[A-Z][A-Za-z&]{1,6}", cells[0]):
                first = re.split(r"[.;]", cells[1])[0].strip()
                initials = "".join(w[0].lower() for w in first.split() if w.lower() not in _SMALL)
                if initials.startswith(cells[0].lower()[:2]) and len(first.split()) <= 8:
                    found[cells[0].lower()] = first.lower()
    return found


def abbreviation_table(docs: Iterable[Document]) -> dict[str, list[str]]:
    """Abbreviation -> expansions: the archive's table plus every definition in the documents."""
    table: dict[str, set[str]] = {k: set(v) for k, v in ABBREVIATIONS.items()}
    for doc in docs:
        text = "\n".join(b.text for b in doc.blocks())
        for source in (defined_abbreviations(text), glossary_abbreviations(doc)):
            for abbr, long in source.items():
                table.setdefault(abbr, set()).add(long)
    return {k: sorted(v) for k, v in sorted(table.items())}


def build_index(built: Iterable, dest: Path) -> int:
    """Write the index of every document into dest (a new folder); return the entry count."""
    reg = load_registry()
    docs = [b.doc for b in built]
    dest.mkdir(parents=True, exist_ok=False)
    ix = whoosh_index.create_in(str(dest), ParagraphSchema())
    count = 0
    with ix.writer(limitmb=256) as w:
        for doc in sorted(docs, key=lambda d: d.id):
            m = doc.meta
            auth = reg.get(str(m["authority"]))
            date = str(m.get("published") or m.get("inspection_end") or m.get("plan_start") or "")
            common = {
                "doc_id": doc.id,
                "title": str(m["title"]),
                "authority": str(m["authority"]),
                "authority_name": auth.name if auth else "England",
                "region": region_key(auth.region) if auth else "england",
                "kind": str(m["kind"]),
                "framework": str(m["framework"]),
                "year": int(date[:4]) if date[:4].isdigit() else 0,
                "published": str(m.get("published") or ""),
                "date": date,
                "source_file": str(m["source_file"]),
                "publisher": str(m["publisher"]),
                "grades": grade_keywords(doc),
            }
            url = page_url(doc)
            for e in entries(doc):
                # Paragraphs are the evidence; headings and table rows help find them.
                boost = {"heading": 0.35, "table-row": 0.7}.get(e.block, 1.0)
                w.add_document(
                    _boost=boost,
                    pid=e.pid, block=e.block, content=e.text, exact=e.text, verbatim=e.text,
                    section=e.section, anchor=e.anchor, paragraph=e.paragraph,
                    url=f"{url}#{e.anchor}", **common,
                )  # fmt: skip
                count += 1
    meta = {
        "documents": len(docs),
        "entries": count,
        "abbreviations": abbreviation_table(docs),
    }
    (dest / "archive.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    log.info("indexed %d entries of %d documents", count, len(docs))
    return count
