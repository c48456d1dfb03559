"""The evidence index: one Whoosh document per paragraph, list item, table row and heading.

Built into a temporary folder and renamed into place whole (build.py swaps the whole OUT), so a
reader never sees a half-written index.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import Filter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, SchemaClass

from .frameworks import areas_not_given, common_scale
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
    """One indexed paragraph, list item, table row or heading.

    Only what differs from entry to entry is stored per entry; what a document's entries share
    (title, council, dates, grades) is in the index's documents table (archive.json), and the
    document-level query fields and filters are answered from that table (search.py).
    """

    pid = ID(stored=True, unique=True)
    doc_id = ID(stored=True, sortable=True)
    content = TEXT(analyzer=stemming_analyzer(), phrase=True)
    exact = TEXT(analyzer=exact_analyzer(), phrase=True)
    verbatim = STORED()
    section = TEXT(stored=True)
    paragraph = STORED()
    anchor = STORED()
    block = ID(stored=True)
    # Document-level fields: declared so that queries naming them parse; never indexed per entry.
    title = TEXT()
    authority = ID()
    region = ID()
    kind = ID()
    framework = ID()
    year = NUMERIC(bits=32)
    grades = KEYWORD(lowercase=True, commas=False)


#: Query fields answered from the documents table rather than from the entries.
DOCUMENT_FIELDS = ("title", "authority", "region", "kind", "framework", "year", "grades")


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
    """The grades of a document as keywords: area:word, area:scale, any:word, any:scale, and
    area:not-given for the compared areas its framework does not judge."""
    words = set()
    for j in doc.judgements:
        scale = common_scale(j.grade)
        grade = j.grade.replace(" ", "-")
        for area in ((j.area,) if j.area else ()) + ("any",):
            words.add(f"{area}:{grade}")
            if scale:
                words.add(f"{area}:{scale}")
    # An area the framework does not judge can be asked for too: 'overall:not-given'.
    for area in areas_not_given(doc.meta):
        words.update((f"{area}:not-given", "any:not-given"))
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

_ABBR = re.compile(r"\s\(([A-Z][A-Za-z&]{1,7}s?)\)")
_WORDS_BEFORE = re.compile(r"((?:[A-Za-z][\w’'-]*\s+){0,9}[A-Za-z][\w’'-]*)\s*\Z")
_SMALL = {"and", "of", "for", "the", "in", "or", "to", "on", "with", "a", "an"}


def defined_abbreviations(text: str) -> dict[str, str]:
    """'child and adolescent mental health services (CAMHS)' -> {'camhs': 'child and ...'}."""
    found = {}
    for m in _ABBR.finditer(text):
        # Up to ten words just before the bracket (looked for there, not all over the text).
        before = _WORDS_BEFORE.search(text, max(0, m.start() - 300), m.start() + 1)
        if before is None:
            continue
        words, abbr = before.group(1).split(), m.group(1)
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


def document_abbreviations(doc: Document) -> dict[str, list[str]]:
    """Abbreviations a document defines: 'Full Words (FW)' in its text and glossary rows."""
    text = "\n".join(b.text for b in doc.blocks())
    found: dict[str, set[str]] = {}
    for source in (defined_abbreviations(text), glossary_abbreviations(doc)):
        for abbr, long in source.items():
            found.setdefault(abbr, set()).add(long)
    return {k: sorted(v) for k, v in sorted(found.items())}


def document_record(doc: Document, reg: Any) -> dict[str, Any]:
    """What a document's entries share: one row of the index's documents table."""
    m = doc.meta
    auth = reg.get(str(m["authority"]))
    date = str(m.get("published") or m.get("inspection_end") or m.get("plan_start") or "")
    return {
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
        "url": page_url(doc),
        "grades": grade_keywords(doc).split(),
    }


#: Headings and table rows help find a paragraph; paragraphs are the evidence.
BOOSTS = {"heading": 0.35, "table-row": 0.7}


def _add_document(w: Any, doc: Document) -> int:
    n = 0
    for e in entries(doc):
        w.add_document(
            _boost=BOOSTS.get(e.block, 1.0),
            pid=e.pid, doc_id=doc.id, block=e.block, content=e.text, exact=e.text,
            verbatim=e.text, section=e.section, anchor=e.anchor, paragraph=e.paragraph,
        )  # fmt: skip
        n += 1
    return n


def _write_meta(
    dest: Path, docs: list[Document], abbreviations: dict[str, dict[str, list[str]]]
) -> None:
    """archive.json: counts, the documents table and the abbreviation table (deterministic)."""
    reg = load_registry()
    table: dict[str, set[str]] = {k: set(v) for k, v in ABBREVIATIONS.items()}
    for doc in docs:
        for abbr, longs in abbreviations[doc.id].items():
            table.setdefault(abbr, set()).update(longs)
    meta = {
        "documents": {d.id: document_record(d, reg) for d in sorted(docs, key=lambda d: d.id)},
        "entries": sum(len(entries(d)) for d in docs),
        "abbreviations": {k: sorted(v) for k, v in sorted(table.items())},
    }
    (dest / "archive.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")


#: Documents per index segment. A clean build writes one segment per run of this many documents
#: (in id order, in parallel); an incremental build writes again only the segments that hold a
#: changed or removed document, and the small segments, from the documents themselves.
SEGMENT_DOCUMENTS = 24


def _write_segment(args: tuple[Path, list[Document]]) -> int:
    """Index some documents into a new single-segment index in a folder of their own."""
    folder, docs = args
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), ParagraphSchema())
    with ix.writer(limitmb=128) as w:
        return sum(_add_document(w, doc) for doc in docs)


def _write_segments(dest: Path, docs: list[Document], kept: list[Any], procs: int) -> int:
    """Index docs (in id order, runs of SEGMENT_DOCUMENTS) as new segments in dest, and write the
    table of contents naming them and the kept segments (whose files are already in dest)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    docs = sorted(docs, key=lambda d: d.id)
    parts = dest / ".parts"
    runs = [docs[i : i + SEGMENT_DOCUMENTS] for i in range(0, len(docs), SEGMENT_DOCUMENTS)]
    jobs = [(parts / f"{n:05d}", run) for n, run in enumerate(runs)]
    if procs > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(procs, len(jobs))) as pool:
            count = sum(pool.map(_write_segment, jobs))
    else:
        count = sum(_write_segment(job) for job in jobs)
    segments = list(kept)
    for folder, _ in jobs:
        for seg in TOC.read(FileStorage(str(folder)), "MAIN").segments:
            for name in seg.list_files(FileStorage(str(folder))):
                (folder / name).rename(dest / name)
            segments.append(seg)
    shutil.rmtree(parts, ignore_errors=True)
    for old in dest.glob("_MAIN_*.toc"):
        old.unlink()
    TOC(ParagraphSchema(), segments, 1).write(FileStorage(str(dest)), "MAIN")
    return count


def build_index(built: Iterable[Any], dest: Path, procs: int = 1) -> int:
    """Write the index of every document into dest (a new folder); return the entry count.

    Every segment is written from the documents themselves (never merged from other segments,
    which would round the field lengths the scores use), procs processes at a time."""
    built = list(built)
    dest.mkdir(parents=True, exist_ok=False)
    count = _write_segments(dest, [b.doc for b in built], [], procs)
    _write_meta(dest, [b.doc for b in built], {b.doc.id: b.abbreviations for b in built})
    log.info("indexed %d entries of %d documents", count, len(built))
    return count


def update_index(
    previous: Path,
    dest: Path,
    built: Iterable[Any],
    changed: Iterable[str],
    removed: Iterable[str],
    procs: int = 1,
) -> int:
    """Make dest from the index in previous for a corpus in which some documents were added,
    changed or removed: segments holding none of them are reused file for file; the others, and
    the small ones, are written again from the documents. previous is only read."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC
    from whoosh.reading import SegmentReader

    built = list(built)
    by_id = {b.doc.id: b.doc for b in built}
    touched = set(changed) | set(removed)
    storage = FileStorage(str(previous))
    schema = ParagraphSchema()
    kept, redo = [], set(changed)
    dest.mkdir(parents=True, exist_ok=False)
    for seg in TOC.read(storage, "MAIN").segments:
        reader = SegmentReader(storage, schema, seg)
        try:
            ids = {as_text(t) for t in reader.lexicon("doc_id")}
        finally:
            reader.close()
        if ids & touched or len(ids) < SEGMENT_DOCUMENTS // 2:
            redo |= ids
        else:
            kept.append(seg)
            for name in seg.list_files(storage):
                shutil.copy2(previous / name, dest / name)
    redo -= set(removed)
    count = _write_segments(dest, [by_id[d] for d in sorted(redo)], kept, procs)
    _write_meta(dest, [b.doc for b in built], {b.doc.id: b.abbreviations for b in built})
    log.info("index updated: %d segments reused, %d documents indexed again (%d entries)",
             len(kept), len(redo), count)  # fmt: skip
    return count


def as_text(value: Any) -> str:
    """A stored or lexicon value as text (Whoosh gives bytes for ID terms)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
