"""The evidence index: one Whoosh document per paragraph, list item, table row and heading.

Built into a temporary folder and renamed into place whole (the build swaps the whole OUT), so a
reader never sees a half-written index.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from evidence_archive import urls
from evidence_archive.files import link_or_copy
from evidence_archive.frameworks import areas_not_given, common_scale
from evidence_archive.index import store
from evidence_archive.index import whoosh_internals as internals
from evidence_archive.index.analysis import ParagraphSchema, long_forms
from evidence_archive.index.codec import CompactCodec
from evidence_archive.model import Block, Document
from evidence_archive.parse.abbreviations import ABBREVIATIONS
from evidence_archive.proc import die_with_parent
from evidence_archive.registry import load_registry, region_key

log = logging.getLogger(__name__)


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


def document_record(doc: Document, reg: Any) -> dict[str, Any]:
    """What a document's entries share: one row of the index's documents table."""
    m = doc.meta
    auth = reg.get(str(m.authority))
    date = str(m.published or m.inspection_end or m.plan_start or "")
    return {
        "title": str(m.title),
        "authority": str(m.authority),
        "authority_name": auth.name if auth else "England",
        "region": region_key(auth.region) if auth else "england",
        "kind": str(m.kind),
        "framework": str(m.framework),
        "year": int(date[:4]) if date[:4].isdigit() else 0,
        "published": str(m.published or ""),
        "date": date,
        "source_file": str(m.source_file),
        "publisher": str(m.publisher),
        "url": "/" + urls.url_of(doc),  # from the site's root
        "grades": grade_keywords(doc).split(),
    }


#: Headings and table rows help find a paragraph; paragraphs are the evidence.
BOOSTS = {"heading": 0.35, "table-row": 0.7}


def _row(e: Entry) -> tuple[Any, ...]:
    """An entry as the entry store keeps it (store.ROW)."""
    return (e.pid, e.block, e.section, e.anchor, e.paragraph, e.text)


def _add_document(w: Any, doc: Document) -> store.Blob:
    """Index a document's entries; return them as the entry store keeps them (the entries of a
    document are worked out once, for both)."""
    rows = []
    for e in entries(doc):
        w.add_document(
            _boost=BOOSTS.get(e.block, 1.0),
            doc_id=doc.id, block=e.block, content=e.text, exact=e.text, section=e.section,
        )  # fmt: skip
        rows.append(_row(e))
    return store.blob(rows)


#: A segment's layout: [document id, first entry within the segment, count], by segment id.
Known = dict[str, list[list[Any]]]


def _layout(dest: Path, known: Known | None = None) -> list[list[Any]]:
    """Which entries are whose, in entry order: [document id, first entry, count] (read once
    from the doc_id postings of the written index, so that opening it need not). known: the
    layouts of segments kept from the last index (_segment_layouts), not read again."""
    known = known or {}
    ix = whoosh_index.open_dir(str(dest))
    try:
        reader = ix.reader()
        rows = []
        for leaf, offset in reader.leaf_readers():
            held = known.get(leaf.segment().segment_id())
            if held is not None:
                rows += [[doc, offset + first, n] for doc, first, n in held]
                continue
            for term in leaf.lexicon("doc_id"):
                ids = list(leaf.postings("doc_id", term).all_ids())
                first, n = min(ids), len(ids)
                rows.append([as_text(term), offset + first, n])
        reader.close()
    finally:
        ix.close()
    return sorted(rows, key=lambda r: r[1])


def _segment_layouts(folder: Path, segments: list[Any]) -> Known:
    """Each segment's layout, from the index's layout file (entries are numbered segment after
    segment, in the order of the table of contents): reading it again from the postings of
    every kept segment took 1.4 s of each update at 5,000 reports."""
    layout = json.loads((folder / store.LAYOUT_FILE).read_text())
    out: Known = {}
    start, i = 0, 0
    for seg in segments:
        end = start + seg.doc_count_all()
        held = out.setdefault(seg.segment_id(), [])
        while i < len(layout) and layout[i][1] < end:
            doc, first, n = layout[i]
            held.append([doc, first - start, n])
            i += 1
        start = end
    return out


def _write_meta(
    dest: Path,
    docs: list[Document],
    abbreviations: dict[str, dict[str, list[str]]],
    blobs: dict[str, store.Blob],
    known: Known | None = None,
) -> int:
    """archive.json: counts, the documents table, the abbreviation table (and its long forms as
    each text field analyses them) and where each
    document's stored entries are (deterministic); entries.bin, the entry store; layout.json,
    which entry numbers are whose (known: the kept segments' layouts). Returns the number of
    entries."""
    reg = load_registry()
    table: dict[str, set[str]] = {k: set(v) for k, v in ABBREVIATIONS.items()}
    for doc in docs:
        for abbr, longs in abbreviations[doc.id].items():
            table.setdefault(abbr, set()).update(longs)
    layout = _layout(dest, known)
    abbrs = {k: sorted(v) for k, v in sorted(table.items())}
    schema = ParagraphSchema()
    meta = {
        "documents": {d.id: document_record(d, reg) for d in sorted(docs, key=lambda d: d.id)},
        "entries": sum(n for _, _, n in layout),
        "abbreviations": abbrs,
        "long_forms": {f: long_forms(abbrs, schema[f].analyzer) for f in ("content", "exact")},
        "store": store.write_store(dest, blobs),
    }
    # Entry numbers depend on how the index is segmented (an incremental build differs from a
    # clean one there, never in its answers): kept apart from archive.json.
    (dest / store.LAYOUT_FILE).write_text(json.dumps(layout) + "\n")
    (dest / "archive.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return int(meta["entries"])


#: The postings codec new segments are written with (codec.py; bench/index_size.py and the tests
#: write Whoosh's own beside it to show the answers are the same).
CODEC: Callable[[], Any] = CompactCodec

#: Documents per index segment. A clean build writes one segment per run of this many documents
#: (in id order, in parallel); an incremental build writes again only the segments that hold a
#: changed or removed document, and the small segments once there are more than SMALL_SEGMENTS
#: of them, from the documents themselves.
SEGMENT_DOCUMENTS = 24

#: Segments of fewer than SEGMENT_DOCUMENTS // 2 documents (a clean build's last one, those an
#: incremental build adds) are kept until there are more than this many, then written again
#: together: an added report then costs its own segment, not the small ones' again (10
#: documents, 2.8 s of every build at 5,000 reports), and the index does not crumble into
#: small segments.
SMALL_SEGMENTS = 8


def _write_segment(args: tuple[Path, list[Document]]) -> dict[str, store.Blob]:
    """Index some documents into a new single-segment index in a folder of their own; return
    their entries as the entry store keeps them, by document id."""
    folder, docs = args
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), ParagraphSchema())
    with ix.writer(limitmb=128, codec=CODEC()) as w:
        return {doc.id: _add_document(w, doc) for doc in docs}


def _write_segments(
    dest: Path, docs: list[Document], kept: list[Any], procs: int
) -> dict[str, store.Blob]:
    """Index docs (in id order, runs of SEGMENT_DOCUMENTS) as new segments in dest, and write the
    table of contents naming them and the kept segments (whose files are already in dest);
    return the documents' stored entries."""
    docs = sorted(docs, key=lambda d: d.id)
    parts = dest / ".parts"
    runs = [docs[i : i + SEGMENT_DOCUMENTS] for i in range(0, len(docs), SEGMENT_DOCUMENTS)]
    jobs = [(parts / f"{n:05d}", run) for n, run in enumerate(runs)]
    if procs > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(procs, len(jobs)), initializer=die_with_parent) as pool:
            blobs = {k: v for part in pool.map(_write_segment, jobs) for k, v in part.items()}
    else:
        blobs = {k: v for job in jobs for k, v in _write_segment(job).items()}
    segments = list(kept)
    for folder, _ in jobs:
        for seg in internals.segments(folder):
            for name in internals.segment_files(folder, seg):
                (folder / name).rename(dest / name)
            segments.append(seg)
    shutil.rmtree(parts, ignore_errors=True)
    for old in dest.glob("_MAIN_*.toc"):
        old.unlink()
    internals.write_contents(dest, ParagraphSchema(), segments)
    return blobs


def build_index(built: Iterable[Any], dest: Path, procs: int = 1) -> int:
    """Write the index of every document into dest (a new folder); return the entry count.

    Every segment is written from the documents themselves (never merged from other segments,
    which would round the field lengths the scores use), procs processes at a time."""
    built = list(built)
    dest.mkdir(parents=True, exist_ok=False)
    blobs = _write_segments(dest, [b.doc for b in built], [], procs)
    count = _write_meta(dest, [b.doc for b in built], {b.doc.id: b.abbreviations for b in built},
                        blobs)  # fmt: skip
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
    the small ones, are written again from the documents. previous is only read.

    A changed document whose entries are the same as before (its metadata changed, not its
    text: its stored entries, which hold everything its index entries are made of, are the same
    bytes) leaves its segment as it is; the documents table is written again in any case."""
    built = list(built)
    by_id = {b.doc.id: b.doc for b in built}
    before = json.loads((previous / "archive.json").read_text()).get("store", {})
    was = store.read_blobs(previous, before, set(changed) & set(by_id))
    fresh = {d: store.blob([_row(e) for e in entries(by_id[d])]) for d in sorted(was)}
    same = {d for d in was if fresh[d] == was[d]}
    changed = set(changed) - same
    touched = changed | set(removed)
    schema = ParagraphSchema()
    kept, redo = [], set(changed)
    dest.mkdir(parents=True, exist_ok=False)
    segments = internals.segments(previous)
    held = [{as_text(t) for t in internals.segment_terms(previous, schema, seg, "doc_id")}
            for seg in segments]  # fmt: skip
    small = [len(ids) < SEGMENT_DOCUMENTS // 2 for ids in held]
    merge = sum(s for s, ids in zip(small, held, strict=True) if not ids & touched) > SMALL_SEGMENTS
    for seg, ids, is_small in zip(segments, held, small, strict=True):
        if ids & touched or (is_small and merge):
            redo |= ids
        else:
            kept.append(seg)
            for name in internals.segment_files(previous, seg):
                # Segment files are written once and never changed: a link, not a copy.
                link_or_copy(str(previous / name), str(dest / name))
    redo -= set(removed)
    blobs = _write_segments(dest, [by_id[d] for d in sorted(redo)], kept, procs)
    blobs.update({d: was[d] for d in same if d not in blobs})  # read above: not again
    blobs.update(store.read_blobs(previous, before, set(by_id) - set(blobs) - changed))
    for d in sorted(set(by_id) - set(blobs)):  # not in the previous store (never expected)
        blobs[d] = store.blob([_row(e) for e in entries(by_id[d])])
    layouts = _segment_layouts(previous, segments)
    known = {seg.segment_id(): layouts[seg.segment_id()] for seg in kept}
    count = _write_meta(dest, [b.doc for b in built], {b.doc.id: b.abbreviations for b in built},
                        blobs, known)  # fmt: skip
    log.info("index updated: %d segments reused, %d documents indexed again (%d entries)",
             len(kept), len(redo), count)  # fmt: skip
    return count


def as_text(value: Any) -> str:
    """A stored or lexicon value as text (Whoosh gives bytes for ID terms)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
