"""`evidence build`, top to bottom: corpus -> parse and render (build/) -> pages and open data
(opendata/) -> the search index (index/) and the site (site/), side by side -> swap into OUT.

Everything is written into a temporary folder beside OUT and swapped in whole at the end, so a
build that fails on any document publishes nothing and leaves the previous OUT as it was.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from evidence_archive.build import cache as build_cache  # code_version looked up at call time
from evidence_archive.build.cache import Built, Cache, Stats
from evidence_archive.build.outdir import (
    MANIFEST,
    MARKER,
    check_out,
    clean_stale,
    default_cache,
    read_manifest,
    swap_in,
)
from evidence_archive.build.parsing import parse_corpus
from evidence_archive.corpus import ids
from evidence_archive.errors import BuildErrors
from evidence_archive.files import LinkedTree, link_or_copy
from evidence_archive.opendata.database import update_database, write_database
from evidence_archive.opendata.tables import DATABASE, data_files, tables
from evidence_archive.proc import Forked

log = logging.getLogger(__name__)


def write_outputs(
    built: list[Built],
    data: dict[str, str],
    dest: Path,
    last: Path | None = None,
    same: frozenset[str] = frozenset(),
) -> None:
    """Write pages and the open data files (the database is written in its place) into dest
    (a fresh folder). A page of a document in same (its
    cache key unchanged since the build in last, so its page is the same) is hard-linked from
    last instead of written again."""
    for b in built:
        path = dest / b.page
        path.parent.mkdir(parents=True, exist_ok=True)
        if last is not None and b.doc.id in same and (last / b.page).is_file():
            link_or_copy(str(last / b.page), str(path))
        else:
            path.write_text(b.markdown, encoding="utf-8")
    for rel, content in data.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(content, encoding="utf-8")


def alongside(child_job: Any, job: Any, stats: Stats, nice: int = 0) -> None:
    """Run child_job in a forked child process while job runs here; the child's stage times
    and flags come back into stats; a failure of either is raised here. The fork happens
    before job starts, while this process runs no other thread, and the child dies with it.
    nice: how much lower the child's scheduling priority is (and its own children's)."""

    def child() -> tuple[dict[str, float], bool]:
        if nice:
            os.nice(nice)
        child_job()
        return stats.seconds, stats.incremental

    forked = Forked(child)
    try:
        job()
    except BaseException:
        forked.stop()
        raise
    seconds, flag = forked.result()
    stats.seconds.update({k: v for k, v in seconds.items() if k not in stats.seconds})
    stats.incremental = bool(flag)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """The objects alive now, and those frozen inside the block (the parsed documents, frozen
    as they are loaded and parsed), are left out of garbage collection until the block ends:
    they live until the end of the build and hold no garbage; at 5,000 reports every full
    collection would walk tens of millions of them again, seconds each."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _timed(stats: Stats, stage: str, start: float) -> float:
    now = time.perf_counter()
    stats.seconds[stage] = round(now - start, 3)
    return now


def build(
    roots: Iterable[Path],
    out: Path,
    *,
    site: bool = True,
    index: bool = True,
    cache: Path | None = None,
    incremental: bool = True,
    jobs: int | None = None,
    stats: Stats | None = None,
) -> list[Built]:
    """Build the pages and open data (and the index and site when asked) into out.

    With incremental (the default), documents whose text, metadata and code version are unchanged
    are taken from the cache, and the previous OUT's index and site are updated for the documents
    that were added, changed or removed instead of being made again; the result is the same as a
    clean build's. cache=None uses default_cache(out); jobs defaults to the number of CPUs."""
    out = out.resolve()
    roots = list(roots)
    stats = stats if stats is not None else Stats()
    jobs = jobs or os.cpu_count() or 1
    check_out(out, roots)
    started = t = time.perf_counter()
    store = Cache((cache or default_cache(out)) if incremental else None)
    with _frozen():
        previous = read_manifest(out) if incremental else None
        code = build_cache.code_version()
        if previous is not None and previous.get("code") != code:
            previous = None
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        db: Forked | None = None
        subjects_made: Forked | None = None
        linked: LinkedTree | None = None
        try:
            tmp.chmod(0o755)
            (tmp / MARKER).write_text("made by evidence build; a build may replace this folder\n")
            if site and previous is not None:
                from evidence_archive.site.mkdocs import reusable_site

                if reusable_site(out / "site", previous.get("site")):
                    # The last site, hard-linked into the new one (kernel work on the second
                    # processor, idle while the documents are loaded): 2 s at 5,000 reports.
                    linked = LinkedTree(out / "site", tmp / "site")
            built = parse_corpus(roots, store, jobs, stats, freeze=True)
            gc.freeze()  # and the documents parsed now
            lost = ids.stale({b.doc.id: b.doc for b in built}, roots)
            if lost:
                raise BuildErrors(lost)
            t = _timed(stats, "parse", t)
            before: dict[str, str] = previous["documents"] if previous else {}
            stats.changed = sorted(d for d, k in stats.keys.items() if before.get(d) != k)
            stats.removed = sorted(set(before) - set(stats.keys))
            if site:
                # The subjects' pages (the longest part of the pages), begun now, beside
                # the open data files, not when the site's other pages are made.
                from evidence_archive.site.pages import subject_pages_forked

                subjects_made = subject_pages_forked(built)
            made = tables(built)
            # The open-data database (its FTS5 index of every paragraph is the longest part of
            # the open data) is written in a child process while the files, pages and site are
            # made here; the site waits for it only when MkDocs writes the site. An incremental
            # build updates the last build's for the documents that changed.
            (tmp / DATABASE).parent.mkdir(parents=True, exist_ok=True)
            last_db = out / DATABASE
            if previous is not None and last_db.is_file():
                changed, removed = stats.changed, stats.removed
                db = Forked(
                    lambda: update_database(last_db, tmp / DATABASE, built, made, changed, removed)
                )
            else:
                db = Forked(lambda: write_database(built, made, tmp / DATABASE))
            files = data_files(built, made)
            same = frozenset(stats.keys) - frozenset(stats.changed)
            write_outputs(built, files, tmp, out if previous is not None else None, same)
            t = _timed(stats, "write", t)

            def database_ready() -> Path:
                assert db is not None
                db.result()
                return tmp / DATABASE

            manifest: dict[str, Any] = {"code": code, "documents": dict(sorted(stats.keys.items()))}

            def make_index() -> None:
                from evidence_archive.index.writer import build_index, update_index

                start = time.perf_counter()
                if previous is not None and (out / "index" / "archive.json").is_file():
                    update_index(
                        out / "index", tmp / "index", built, stats.changed, stats.removed, jobs
                    )
                    stats.incremental = True
                else:
                    build_index(built, tmp / "index", procs=jobs)
                _timed(stats, "index", start)

            def make_site() -> None:
                from evidence_archive.site.mkdocs import build_site

                start = time.perf_counter()
                last = (out / "site", previous.get("site")) if previous is not None else None
                kept = store.folder
                manifest["site"] = build_site(
                    tmp, built, roots, previous=last, data=dict(files),
                    search_work=kept / "static-search" if kept else None,
                    memo=kept / "recommendations" if kept else None,
                    keys=stats.keys, database=database_ready, subjects_made=subjects_made,
                    linked=linked,
                )  # fmt: skip
                _timed(stats, "site", start)

            if index and site and "fork" in multiprocessing.get_all_start_methods():
                # The index is written in a child process (and its workers) while MkDocs renders in
                # this one: the two stages share nothing but the parsed documents. The site is
                # the longer (at 5,000 reports 517 s against the index's 437, each with the other
                # beside it), and the index yields the processors to it and to the database,
                # which the site waits for; it takes them back when the site is done.
                alongside(make_index, make_site, stats, nice=10)
            elif index:
                make_index()
            elif site:
                make_site()
            database_ready()
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            swap_in(tmp, out)
        except BaseException:
            for child in (db, subjects_made, linked):
                if child is not None:
                    child.stop()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        store.prune(set(stats.keys.values()))
        _timed(stats, "total", started)
        log.info(
            "built %d documents into %s (%d parsed, %d from the cache; %d changed, %d removed) %s",
            len(built), out, stats.parsed, stats.reused, len(stats.changed), len(stats.removed),
            " ".join(f"{k}={v:.2f}s" for k, v in stats.seconds.items()),
        )  # fmt: skip
        return built
