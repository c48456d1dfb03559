"""The static search index's files: one part written from reports' sections, and read back.

A part of the index (`static-search/`, and `static-search/new/`: see static_search) is:

- `meta.bin`: the documents as columns (id, date, number of sections, and each filter's value:
  council, region, kind, framework, year, overall judgement, judgements on the common scale),
  the first word of each word chunk and the first stem of each postings file. The first search
  loads it.
- `words/<n>.bin`: the words the reports print, in order, each with its stem's number.
- `postings/<n>.bin`: for each stem, in order: the sections that hold it (as gaps), the stem's
  weight in each (BM25 of the section, in 255 steps of the stem's highest) and the words printed
  for it (to mark them in an excerpt). A common stem has a file of its own; rarer ones share.
- `sections/<document>/<n>.bin`: a section's heading, paragraphs, link and its report's
  title, council, date and kind: what a result shows.

Every file is gzip (`.bin`, so that no host decodes it on the way: the page reads the gzip
itself, or plain bytes when a host has decoded them anyway), written without a time: the same
reports make the same bytes. The words are the search service's terms (`terms.py`: one spelling,
English stems), so `missing` finds *missed* and *misses* as the service does; but every word is
kept (no stop words), because a result must hold every word searched for: a run of words is
then found where it is printed.
"""

from __future__ import annotations

import gzip
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_archive import urls
from evidence_archive.corpus.store import SLUG
from evidence_archive.dates import doc_date
from evidence_archive.errors import ArchiveError
from evidence_archive.frameworks import (
    COMMON_SCALE,
    FRAMEWORKS,
    KINDS,
    areas_not_given,
    common_scale,
)
from evidence_archive.model import Document
from evidence_archive.registry import load_registry

META = "meta.bin"
"""A part's table of documents and the keys to its word and postings files."""
FORMAT = 1
"""The index's format, which the page checks."""
WORDS_PER_CHUNK = 1000
"""Words per word chunk (about 5 KB of gzip)."""
POSTINGS_BYTES = 16_000
"""A postings file holds stems until it is this large (before gzip); a larger stem is alone."""
K1, B = 1.2, 0.5
"""BM25's parameters: Whoosh's K1; B lower than its 0.75, because a section runs from one
sentence to thousands of words and a long one should not lose most of its weight (report-level
recall@10 on the 35 staff queries, `bench/static_search.py`: 0.46 with 0.75, 0.51 with 0.5;
0.54 for Pagefind, the last index, on the same queries)."""
COARSER = ((1 / 64, 64.0), (1 / 16, 16.0), (1 / 4, 4.0))
"""A stem in more than this share of the sections has its weights in this many steps (of 255
otherwise): the word *children*, in nine sections of ten, cost 2.2 bytes a section (gzip) with
255 steps and costs 0.96 with 4, and report-level recall@10 on the staff queries is the same."""
BLOCK = 1_000_000
"""Postings weighed and encoded at a time (about 40 MB of work)."""
FILTERS = ("council", "region", "kind", "framework", "year", "judgement")
"""The filters with one value per document (and `grade`: a list of `area:value`)."""


@dataclass(frozen=True)
class Section:
    """One section of a report as the static index holds it."""

    doc: str
    heading: str
    target: str
    """The link into the report page (relative to the site's root)."""
    paragraphs: tuple[str, ...]
    """Its paragraphs as printed (a number as '16. ')."""

    @property
    def text(self) -> str:
        return "\n".join((self.heading, *self.paragraphs))


def filters(doc: Document) -> dict[str, list[str]]:
    """The static index's filters of a report, key -> values (each value as shown)."""
    m = doc.meta
    auth = load_registry().get(str(m.authority))
    out: dict[str, list[str]] = {
        "council": [auth.name if auth else "England (national)"],
        "kind": [str(m.kind)],
        "framework": [str(m.framework)],
    }
    if auth is not None:
        out["region"] = [auth.region]
    if doc_date(doc):
        out["year"] = [doc_date(doc)[:4]]
    # The judgement filters take the values the search page's grade list gives: '1'..'4' on
    # the common scale, 'not-judged', 'not-given'; per area and for any area.
    grades: dict[str, set[str]] = {}
    for j in doc.judgements:
        if not j.area:
            continue
        scale = common_scale(j.grade)
        value = str(scale) if scale else j.grade.replace(" ", "-")
        for area in (j.area, "any"):
            grades.setdefault(area, set()).add(value)
    for area in areas_not_given(m):
        for key in (area, "any"):
            grades.setdefault(key, set()).add("not-given")
    for area, values in sorted(grades.items()):
        out[f"grade-{area}"] = sorted(values)
    overall = next((j for j in doc.judgements if j.area == "overall"), None)
    if overall is not None:
        scale = common_scale(overall.grade)
        out["judgement"] = [COMMON_SCALE[scale] if scale else overall.grade]
    elif "overall" in areas_not_given(m):
        out["judgement"] = ["not given under this framework"]
    return out


def sections_of(doc: Document) -> list[Section]:
    """The sections of a report the static index holds: each with text (figures aside), its
    heading (the report's opening has none: 'Opening of the report'), its paragraphs as printed
    (numbers included) and the link into the report page."""
    out = []
    for sec in doc.sections:
        blocks = [b for b in sec.blocks if b.text.strip() and b.kind != "figure"]
        if not blocks:
            continue
        heading = sec.title if sec.level else "Opening of the report"
        target = urls.url_of(doc) + (f"#{sec.anchor}" if sec.level and sec.anchor else "")
        paragraphs = tuple(((b.number + ". ") if b.number else "") + b.text for b in blocks)
        out.append(Section(doc.id, heading, target, paragraphs))
    return out


def shown(doc: Document) -> dict[str, str]:
    """What a result shows of its report: title, council, date, kind, framework."""
    m = doc.meta
    auth = load_registry().get(str(m.authority))
    return {
        "report": str(m.title),
        "council": auth.name if auth else "England (national)",
        "date": doc_date(doc),
        "kind": KINDS[str(m.kind)],
        "framework": FRAMEWORKS[str(m.framework)].name.split(" (")[0],
    }


# -- writing one part -----------------------------------------------------------------------


def _pack(data: bytes) -> bytes:
    """gzip, the same bytes for the same data (no time or name in the header)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _pack_json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _pack(text.encode("utf-8"))


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


WORD = re.compile(r"\w+")
"""A word of the static index: a run of letters, digits and underscores (Council's is two
words, council and s), as the page splits what is typed."""


def write_part(docs: list[Document], out: Path) -> int:
    """Index these documents' sections into the folder `out` (which must not exist); the
    number of sections indexed."""
    import numpy as np

    from evidence_archive.terms import every_word_stem

    stem_of = every_word_stem()
    docs = sorted(docs, key=lambda d: d.id)
    stem_cache: dict[str, str | None] = {}
    postings: dict[str, tuple[array[int], array[int]]] = {}
    surfaces: dict[str, str] = {}
    lengths = array("I")
    columns: dict[str, list[Any]] = {k: [] for k in ("id", "date", "n", *FILTERS, "grade")}
    values: dict[str, dict[str, int]] = {k: {} for k in (*FILTERS, "grade")}
    (out / "sections").mkdir(parents=True)
    n_sec = 0
    for doc in docs:
        secs = sections_of(doc)
        if not secs:
            continue
        if not SLUG.fullmatch(doc.id):  # a folder of the site is named by it
            raise ArchiveError(doc.id, "not a document id: the static index names a folder by it")
        f = filters(doc)
        columns["id"].append(doc.id)
        columns["date"].append(doc_date(doc))
        columns["n"].append(len(secs))
        for key in FILTERS:
            v = f.get(key)
            columns[key].append(values[key].setdefault(v[0], len(values[key])) if v else -1)
        grade = [f"{k[len('grade-') :]}:{v}" for k in f if k.startswith("grade-") for v in f[k]]
        columns["grade"].append(
            [values["grade"].setdefault(g, len(values["grade"])) for g in grade]
        )
        head = shown(doc)
        folder = out / "sections" / doc.id
        folder.mkdir()
        for local, sec in enumerate(secs):
            counts: Counter[str] = Counter()
            for word in WORD.findall(sec.text):
                low = word.lower()
                if low not in stem_cache:
                    stem_cache[low] = stem_of(low)
                stem = stem_cache[low]
                if stem is not None:
                    counts[stem] += 1
                    surfaces[low] = stem
            lengths.append(sum(counts.values()))
            for stem, freq in counts.items():
                got = postings.get(stem)
                if got is None:
                    got = postings[stem] = (array("I"), array("I"))
                got[0].append(n_sec)
                got[1].append(freq)
            record = {"heading": sec.heading, "target": sec.target,
                      "paragraphs": list(sec.paragraphs), **head}  # fmt: skip
            (folder / f"{local}.bin").write_bytes(_pack_json(record))
            n_sec += 1
    stems = sorted(postings)
    stem_id = {s: i for i, s in enumerate(stems)}
    forms: dict[str, list[str]] = {}
    for low in sorted(surfaces):
        forms.setdefault(surfaces[low], []).append(low)
    # Each stem's record, in stem order, into postings files of about POSTINGS_BYTES; the
    # weights and gaps worked out for a block of stems at a time (a bounded amount of memory).
    dl = np.frombuffer(lengths, dtype=np.uint32).astype(np.float32)
    norm = K1 * (1 - B + B * dl / (float(dl.mean()) if n_sec else 1.0))
    files: list[bytes] = []
    firsts: list[int] = []
    current = bytearray()
    for block in _blocks(stems, postings):
        for stem, entry in zip(block, _records(block, postings, forms, norm, n_sec), strict=True):
            if current and len(current) + len(entry) > POSTINGS_BYTES:
                files.append(bytes(current))
                current = bytearray()
            if not current:
                firsts.append(stem_id[stem])
            current += entry
    if current:
        files.append(bytes(current))
    (out / "postings").mkdir()
    for n, packed in enumerate(files):
        (out / "postings" / f"{n}.bin").write_bytes(_pack(packed))
    words = sorted(surfaces)
    chunks = [words[i : i + WORDS_PER_CHUNK] for i in range(0, len(words), WORDS_PER_CHUNK)]
    (out / "words").mkdir()
    for n, chunk in enumerate(chunks):
        listed = {"words": chunk, "stems": [stem_id[surfaces[w]] for w in chunk]}
        (out / "words" / f"{n}.bin").write_bytes(_pack_json(listed))
    meta = {
        "format": FORMAT,
        "sections": n_sec,
        "docs": columns,
        "values": {k: list(v) for k, v in values.items()},
        "words": [c[0] for c in chunks],
        "postings": firsts,
        "stems": len(stems),
    }
    (out / META).write_bytes(_pack_json(meta))
    return n_sec


def _blocks(
    stems: list[str], postings: dict[str, tuple[array[int], array[int]]]
) -> Iterable[list[str]]:
    """The stems in order, in blocks of about BLOCK postings."""
    block: list[str] = []
    size = 0
    for stem in stems:
        block.append(stem)
        size += len(postings[stem][0])
        if size >= BLOCK:
            yield block
            block, size = [], 0
    if block:
        yield block


def _records(
    block: list[str],
    postings: dict[str, tuple[array[int], array[int]]],
    forms: dict[str, list[str]],
    norm: Any,
    n_sec: int,
) -> list[bytes]:
    """Each stem's record in its postings file: its number of sections, its top weight (in
    thousandths), its printed words, its sections as gaps (varints) and its weight in each (in
    steps of its top weight: 1-255). The weight is BM25's (`norm`: K1 and each section's
    length as BM25 weighs it)."""
    import numpy as np

    count = np.array([len(postings[s][0]) for s in block], dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    secs = np.concatenate([np.frombuffer(postings[s][0], dtype=np.uint32) for s in block])
    tf = np.concatenate([np.frombuffer(postings[s][1], dtype=np.uint32) for s in block])
    tf = tf.astype(np.float32)
    idf = np.log(1.0 + (n_sec - count + 0.5) / (count + 0.5)).astype(np.float32)
    weight = np.repeat(idf, count) * tf * np.float32(K1 + 1) / (tf + norm[secs])
    top = np.maximum.reduceat(weight, start)
    # The commoner a stem, the fewer steps (a weight that matters less, and postings that a
    # reader downloads most often: fewer distinct bytes compress better).
    levels = np.full(len(block), 255.0, dtype=np.float32)
    for share, fewer in COARSER:
        levels[count > share * n_sec] = fewer
    level = np.repeat(levels, count)
    steps = np.ceil(weight / np.repeat(top, count) * level).clip(1, level)
    steps = np.round(steps * 255 / level).astype(np.uint8)
    gaps = secs.astype(np.int64)
    gaps[1:] -= secs[:-1]
    gaps[start] = secs[start]
    gap_bytes, gap_ends = _varints(gaps)
    steps_bytes = steps.tobytes()
    out = []
    for i, stem in enumerate(block):
        body = bytearray()
        _varint(int(count[i]), body)
        _varint(round(float(top[i]) * 1000), body)
        _varint(len(forms[stem]), body)
        for form in forms[stem]:
            b = form.encode("utf-8")
            _varint(len(b), body)
            body += b
        a, z = int(start[i]), int(start[i] + count[i])
        body += gap_bytes[int(gap_ends[a - 1]) if a else 0 : int(gap_ends[z - 1])]
        body += steps_bytes[a:z]
        entry = bytearray()
        _varint(len(body), entry)
        out.append(bytes(entry + body))
    return out


def _varints(values: Any) -> tuple[bytes, Any]:
    """Each value (not negative, below 2**35) as a varint, all in one string; and where each
    one ends in it."""
    import numpy as np

    v = values.astype(np.uint64)
    size = np.ones(len(v), dtype=np.int64)
    for k in (7, 14, 21, 28):
        size += v >= (1 << k)
    ends = np.cumsum(size)
    out = np.zeros(int(ends[-1]) if len(v) else 0, dtype=np.uint8)
    begin = ends - size
    for k in range(5):
        has = size > k
        byte = (v[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = size[has] > k + 1
        out[begin[has] + k] = (byte | (more.astype(np.uint64) << np.uint64(7))).astype(np.uint8)
    return out.tobytes(), ends


def read_part(folder: Path) -> dict[str, Any]:
    """A part's meta.bin, read back (for tests and the bench)."""
    return json.loads(gzip.decompress((folder / META).read_bytes()))  # type: ignore[no-any-return]


def sections_stored(folder: Path) -> list[dict[str, Any]]:
    """Every section a part stores, as its file holds it, with its document (tests, bench)."""
    out = []
    paths = (folder / "sections").glob("*/*.bin")
    for path in sorted(paths, key=lambda p: (p.parent.name, int(p.stem))):
        record = json.loads(gzip.decompress(path.read_bytes()))
        out.append({"doc": path.parent.name, "n": int(path.stem), **record})
    return out


def read_index(folder: Path) -> tuple[dict[str, int], dict[int, tuple[list[str], dict[int, int]]]]:
    """A part's words (printed word -> stem number) and postings (stem number -> its printed
    words and its sections, each with its weight step), decoded as the page decodes them
    (tests and the bench)."""
    meta = read_part(folder)
    words: dict[str, int] = {}
    for n in range(len(meta["words"])):
        chunk = json.loads(gzip.decompress((folder / "words" / f"{n}.bin").read_bytes()))
        words.update(zip(chunk["words"], chunk["stems"], strict=True))
    postings: dict[int, tuple[list[str], dict[int, int]]] = {}
    for n, first in enumerate(meta["postings"]):
        data = _Reader(gzip.decompress((folder / "postings" / f"{n}.bin").read_bytes()))
        stem = first
        while data.pos < len(data.data):
            end = data.varint()
            end += data.pos
            count = data.varint()
            data.varint()  # the stem's top weight
            forms = [data.take(data.varint()).decode("utf-8") for _ in range(data.varint())]
            secs, last = [], 0
            for k in range(count):
                last = data.varint() + (last if k else 0)
                secs.append(last)
            postings[stem] = (forms, dict(zip(secs, data.take(count), strict=True)))
            data.pos = end
            stem += 1
    return words, postings


class _Reader:
    """Varints and bytes, read one after another from a postings file."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def varint(self) -> int:
        value = shift = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value

    def take(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n : self.pos]
