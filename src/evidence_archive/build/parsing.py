"""Corpus -> Built: parse and render every document, in worker processes, reusing the cache."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from evidence_archive.build import cache as build_cache  # code_version looked up at call time
from evidence_archive.build.cache import Built, Cache, Stats, document_key
from evidence_archive.corpus.store import CorpusEntry, ScanCache, load_corpus
from evidence_archive.errors import ArchiveError, BuildErrors, WorkerFailure
from evidence_archive.model import Document
from evidence_archive.parse.abbreviations import document_abbreviations
from evidence_archive.parse.document import parse
from evidence_archive.proc import die_with_parent
from evidence_archive.render.markdown import front_matter, page_markdown, render_body


def parse_entry(entry: CorpusEntry) -> Built | ArchiveError:
    """Parse and render one corpus document (in a worker process, when there are several).
    Bad input comes back as a plain ArchiveError (one per document, all reported); a bug is
    raised as a WorkerFailure that names the document and keeps the traceback."""
    try:
        return _parse_and_render(entry)
    except ArchiveError as err:
        return ArchiveError(err.path, err.problem)  # plain, so that it pickles
    except Exception as err:
        raise WorkerFailure.here(entry.text_path) from err


def _parse_and_render(entry: CorpusEntry) -> Built:
    doc = parse(entry.read_text(), entry.meta)
    page = f"pages/{doc.meta.authority}/{doc.id}.md"
    body = render_body(doc)
    front = front_matter(doc, body)
    markdown = page_markdown(front, body)
    return Built.of(
        doc, markdown, page, str(entry.meta["source_file"]), len(markdown) - len(body), front,
        document_abbreviations(doc), councils_named_in(doc),
    )  # fmt: skip


def councils_named_in(doc: Document) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Headings and blocks of a document that name councils other than its own."""
    from evidence_archive.registry import councils_named

    own = str(doc.meta.authority)
    out = []
    for si, sec in enumerate(doc.sections):
        places = [(-1, sec.title)] + [(bi, blk.text) for bi, blk in enumerate(sec.blocks)]
        for bi, text in places:
            slugs = tuple(sorted(councils_named(text) - {own}))
            if slugs:
                out.append((si, bi, slugs))
    return tuple(out)


def parse_corpus(
    roots: Iterable[Path],
    cache: Cache | None = None,
    jobs: int = 1,
    stats: Stats | None = None,
    freeze: bool = False,
) -> list[Built]:
    """Parse and render every corpus document, reusing cached results for unchanged ones;
    every failure is collected, then raised.

    freeze: the documents taken from the cache are left out of garbage collection (gc.freeze)
    before collection resumes, for a caller that keeps them to its end and then unfreezes
    (pipeline.build). Otherwise the first collections after loading walk all of them: 1.4 s
    of every 5,000-report build."""
    cache = cache or Cache(None)
    stats = stats if stats is not None else Stats()
    code = build_cache.code_version()
    seen = cache.metadata(code)
    scanned = None if seen is None else ScanCache(seen)
    entries = load_corpus(roots, scanned)
    if scanned is not None and scanned.used != seen:
        cache.put_metadata(code, scanned.used)
    keys = {e.id: document_key(e, code) for e in entries}
    done: dict[str, Built] = {}
    # Unpickling makes millions of small objects, none of them garbage: with the cyclic
    # collector paused it takes a third of the time (0.42 -> 0.12 s for the real archive).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for e in entries:
            hit = cache.get(keys[e.id])
            if hit is not None:
                done[e.id] = hit
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()
    todo = [e for e in entries if e.id not in done]
    stats.parsed, stats.reused = len(todo), len(done)
    if jobs > 1 and len(todo) >= 2 * jobs:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, initializer=die_with_parent) as pool:
            results = list(pool.map(parse_entry, todo, chunksize=4))
    else:
        results = [parse_entry(e) for e in todo]
    errors: list[ArchiveError] = []
    for e, result in zip(todo, results, strict=True):
        if isinstance(result, ArchiveError):
            errors.append(result)
        else:
            done[e.id] = result
            cache.put(keys[e.id], result)
    if errors:
        raise BuildErrors(errors)
    stats.keys = keys
    return [done[e.id] for e in entries]
