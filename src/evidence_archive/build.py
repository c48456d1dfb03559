"""The build, top to bottom: corpus -> parse -> render pages -> open data (-> index -> site).

Everything is written into a temporary folder beside OUT and swapped in whole at the end, so a
build that fails on any document publishes nothing and leaves the previous OUT as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ids
from .corpus import CorpusEntry, load_corpus
from .errors import ArchiveError, BuildErrors
from .index import document_abbreviations
from .model import Document
from .parse import parse
from .proc import die_with_parent
from .render import front_matter, page_markdown, render_body

log = logging.getLogger(__name__)

MARKER = ".evidence-build"
"""A file in every OUT this tool wrote: only such a folder may ever be replaced by a build."""


@dataclass
class Stats:
    """What a build did and how long each stage took (seconds), for logs and benchmarks."""

    parsed: int = 0
    reused: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    incremental: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Built:
    """One document as built: the parsed model, its page and its page path under OUT."""

    doc: Document
    markdown: str
    page: str
    """Path of the page under OUT, e.g. 'pages/hampshire/<id>.md'."""
    source_file: str
    body: str
    """The page without its front matter (the site wraps it in a card and metadata box)."""
    front: dict[str, Any]
    """The page's front matter (judgements, paragraph range, word count, ...)."""
    abbreviations: dict[str, list[str]]
    """Abbreviations the document defines (for the search index's table)."""
    named: tuple[tuple[int, int, tuple[str, ...]], ...] = ()
    """Places that name other councils: (section index, block index or -1 for the heading,
    slugs), for the councils' pages."""


def code_version() -> str:
    """A digest of the code that turns a corpus into outputs: this package's source and the
    versions of the libraries whose output lands in the pages, index and site. A change to any of
    them invalidates every cached result."""
    from importlib.metadata import version

    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".csv", ".txt"):
            h.update(path.relative_to(pkg).as_posix().encode() + b"\0" + path.read_bytes())
    for lib in ("whoosh-reloaded", "mkdocs", "mkdocs-material", "markdown"):
        h.update(f"{lib}={version(lib)}".encode())
    return h.hexdigest()[:16]


def document_key(entry: CorpusEntry, code: str) -> str:
    """The cache key of a document: its text (sha256, checked by the corpus), its metadata and
    the code version."""
    meta = json.dumps(entry.meta, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{code}\0{entry.meta['sha256']}\0{meta}".encode()).hexdigest()


class Cache:
    """Parsed and rendered documents (Built), one file per cache key, written atomically.

    Only this build tool reads the files it wrote here (pickle): the folder is a local cache,
    never published or shared."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str) -> Built | None:
        if self.folder is None:
            return None
        try:
            data = (self.folder / f"{key}.pickle").read_bytes()
            built = pickle.loads(data)
        except Exception:  # noqa: BLE001 - missing or damaged: the document is parsed again
            return None
        return built if isinstance(built, Built) else None

    def put(self, key: str, built: Built) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.folder / f"{key}.pickle")

    def prune(self, keep: set[str]) -> None:
        """Remove the entries no document of the last build used."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".pickle" and path.stem not in keep:
                path.unlink(missing_ok=True)

    def metadata(self, code: str) -> dict[str, dict[str, Any]] | None:
        """Validated metadata by the sha256 of its file (reading YAML is most of the time of a
        build that parses nothing), for this code version; None without a cache folder."""
        if self.folder is None:
            return None
        try:
            table = pickle.loads((self.folder / f"metadata-{code}.meta").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: the YAML is read again
            return {}
        return table if isinstance(table, dict) else {}

    def put_metadata(self, code: str, table: dict[str, dict[str, Any]]) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("metadata-*.meta"):
            old.unlink(missing_ok=True)
        tmp = self.folder / f".metadata.{os.getpid()}.tmp"
        tmp.write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.folder / f"metadata-{code}.meta")


def parse_entry(entry: CorpusEntry) -> Built | ArchiveError:
    """Parse and render one corpus document (in a worker process, when there are several)."""
    try:
        doc = parse(entry.read_text(), entry.meta)
    except ArchiveError as err:
        return ArchiveError(err.path, err.problem)  # plain, so that it pickles
    page = f"pages/{doc.meta['authority']}/{doc.id}.md"
    body = render_body(doc)
    front = front_matter(doc, body)
    return Built(
        doc, page_markdown(front, body), page, str(entry.meta["source_file"]), body, front,
        document_abbreviations(doc), councils_named_in(doc),
    )  # fmt: skip


def councils_named_in(doc: Document) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Headings and blocks of a document that name councils other than its own."""
    from .registry import councils_named

    own = str(doc.meta["authority"])
    out = []
    for si, sec in enumerate(doc.sections):
        places = [(-1, sec.title)] + [(bi, blk.text) for bi, blk in enumerate(sec.blocks)]
        for bi, text in places:
            slugs = tuple(sorted(councils_named(text) - {own}))
            if slugs:
                out.append((si, bi, slugs))
    return tuple(out)


def parse_corpus(
    roots: Iterable[Path], cache: Cache | None = None, jobs: int = 1, stats: Stats | None = None
) -> list[Built]:
    """Parse and render every corpus document, reusing cached results for unchanged ones;
    every failure is collected, then raised."""
    cache = cache or Cache(None)
    stats = stats if stats is not None else Stats()
    code = code_version()
    seen = cache.metadata(code)
    table = {} if seen is None else dict(seen)
    entries = load_corpus(roots, None if seen is None else table)
    if seen is not None and table != seen:
        used = {hashlib.sha256(e.meta_path.read_bytes()).hexdigest() for e in entries}
        cache.put_metadata(code, {k: v for k, v in table.items() if k in used})
    keys = {e.id: document_key(e, code) for e in entries}
    done: dict[str, Built] = {}
    for e in entries:
        hit = cache.get(keys[e.id])
        if hit is not None:
            done[e.id] = hit
    todo = [e for e in entries if e.id not in done]
    stats.parsed, stats.reused = len(todo), len(done)
    if jobs > 1 and len(todo) >= 2 * jobs:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
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


def document_record(b: Built) -> dict[str, Any]:
    """One entry of data/documents.json."""
    m, fm = b.doc.meta, b.front
    return {
        "id": b.doc.id,
        "source_file": b.source_file,
        "title": m["title"],
        "authority": m["authority"],
        "la_code": fm["la_code"],
        "kind": m["kind"],
        "framework": m["framework"],
        "published": m.get("published"),
        "inspection_start": m.get("inspection_start"),
        "inspection_end": m.get("inspection_end"),
        "listing_date": m.get("listing_date"),
        "source_url": m.get("source_url"),
        "variant": fm.get("variant"),
        "judgements": [
            {"label": j.label, "scope": j.scope, "grade": j.grade, "score": j.score}
            for j in b.doc.judgements
        ],
        "not_given": {g["area"]: g["reason"] for g in fm.get("not_given", [])},
        "paragraphs": fm["paragraphs"]["count"],
        "first_paragraph": fm["paragraphs"]["first"],
        "last_paragraph": fm["paragraphs"]["last"],
        "words": fm["words"],
        "page": b.page,
    }


def judgements_csv(built: list[Built]) -> str:
    """data/judgements.csv: one row per judgement, and one per compared area that a report
    does not give under its framework (grade empty, the reason in `note`)."""
    from .frameworks import AREAS, areas_not_given, common_scale

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["document", "authority", "framework", "published", "inspection_end", "label", "scope",
         "grade", "score", "area", "common_scale", "note"]
    )  # fmt: skip
    for b in built:
        m = b.doc.meta
        for j in b.doc.judgements:
            w.writerow(
                [b.doc.id, m["authority"], m["framework"], m.get("published") or "",
                 m.get("inspection_end") or "", j.label, j.scope, j.grade,
                 "" if j.score is None else j.score, j.area or "", common_scale(j.grade) or "",
                 "not graded as printed" if j.grade == "not judged" else ""]
            )  # fmt: skip
        for area, reason in areas_not_given(m).items():
            w.writerow(
                [b.doc.id, m["authority"], m["framework"], m.get("published") or "",
                 m.get("inspection_end") or "", AREAS[area], "", "", "", area, "", reason]
            )  # fmt: skip
    return buf.getvalue()


def open_data(built: list[Built]) -> dict[str, str]:
    from .site import group_by_authority, national_picture_csv
    from .static_search import facet_labels

    """The open-data files, path under OUT (and the site) -> text."""
    records = [document_record(b) for b in built]
    return {
        "data/documents.json": json.dumps(records, indent=1, ensure_ascii=False) + "\n",
        "data/judgements.csv": judgements_csv(built),
        "data/national-picture.csv": national_picture_csv(group_by_authority(built)),
        # For the search page on a static host: labels of the static index's filter values.
        "data/search-labels.json": json.dumps(
            facet_labels(), indent=1, ensure_ascii=False, sort_keys=True
        )
        + "\n",  # fmt: skip
    }


def write_outputs(built: list[Built], dest: Path) -> None:
    """Write pages and open data into dest (a fresh folder)."""
    for b in built:
        path = dest / b.page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(b.markdown, encoding="utf-8")
    for rel, text in open_data(built).items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def _replaceable(out: Path) -> bool:
    """True if out is absent, an empty folder, or a folder an earlier build made (MARKER)."""
    if not out.exists():
        return True
    return out.is_dir() and (not any(out.iterdir()) or (out / MARKER).is_file())


def swap_in(tmp: Path, out: Path) -> None:
    """Replace out with tmp (see _swap). Only a folder carrying MARKER is ever replaced."""
    if not _replaceable(out):
        raise ArchiveError(out, "was not made by `evidence build`: refusing to replace it")
    _swap(tmp, out)


def _swap(tmp: Path, out: Path) -> None:
    """Replace out with tmp. Where the system can, the two are exchanged in one atomic step, so
    a server reading out never finds it missing; elsewhere, rename aside and rename in."""
    if out.is_dir() and not out.is_symlink() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous build
        return
    old: Path | None = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_out(out: Path, roots: list[Path]) -> None:
    """Refuse an OUT that would replace, contain or sit inside something the build did not make."""
    for root in roots:
        r = root.resolve()
        if out == r or r.is_relative_to(out) or out.is_relative_to(r):
            raise ArchiveError(out, f"--out must be outside the corpus ({root}) and not contain it")
    if not _replaceable(out):
        raise ArchiveError(
            out,
            "exists and was not made by `evidence build`: refusing to replace it "
            "(choose an empty or new --out)",
        )


def clean_stale(out: Path) -> None:
    """Remove the temporary folders that a killed build left beside OUT."""
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        if stale.is_dir() and ((stale / MARKER).is_file() or not any(stale.iterdir())):
            shutil.rmtree(stale, ignore_errors=True)


MANIFEST = "manifest.json"
"""OUT/manifest.json: what the build was made from (code version, document keys, site pages),
read by the next build to decide what it can reuse."""


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The previous build's manifest, if OUT holds a complete build this tool made."""
    try:
        if not (out / MARKER).is_file():
            return None
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def default_cache(out: Path) -> Path:
    """Where a build keeps its parse cache unless told: beside OUT, e.g. '.build-cache'."""
    return out.parent / f".{out.name}-cache"


def alongside(child_job: Any, job: Any, stats: Stats) -> None:
    """Run child_job in a forked child process while job runs here; the child's stage times
    and flags come back into stats; a failure of either is raised here. The fork happens
    before job starts, while this process runs no other thread, and the child dies with it."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        die_with_parent()
        try:
            child_job()
            send.send(("ok", stats.seconds, stats.incremental))
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
            problem = err if isinstance(err, ArchiveError) else ArchiveError(None, repr(err))
            send.send(("error", ArchiveError(problem.path, problem.problem), None))

    proc = ctx.Process(target=child)
    proc.start()
    send.close()
    try:
        job()
    finally:
        try:
            status, value, flag = receive.recv()
        except EOFError:
            status, value, flag = "error", ArchiveError(None, "the index build died"), None
        proc.join()
        receive.close()
    if status == "error":
        raise value
    stats.seconds.update({k: v for k, v in value.items() if k not in stats.seconds})
    stats.incremental = bool(flag)


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
    built = parse_corpus(roots, store, jobs, stats)
    lost = ids.stale({b.doc.id: b.doc for b in built}, roots)
    if lost:
        raise BuildErrors(lost)
    t = _timed(stats, "parse", t)
    previous = read_manifest(out) if incremental else None
    code = code_version()
    if previous is not None and previous.get("code") != code:
        previous = None
    before: dict[str, str] = previous["documents"] if previous else {}
    stats.changed = sorted(d for d, k in stats.keys.items() if before.get(d) != k)
    stats.removed = sorted(set(before) - set(stats.keys))
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        tmp.chmod(0o755)
        (tmp / MARKER).write_text("made by evidence build; a build may replace this folder\n")
        write_outputs(built, tmp)
        t = _timed(stats, "write", t)
        manifest: dict[str, Any] = {"code": code, "documents": dict(sorted(stats.keys.items()))}

        def make_index() -> None:
            from .index import build_index, update_index

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
            from .site import build_site

            start = time.perf_counter()
            old_site = (out / "site") if previous is not None else None
            manifest["site"] = build_site(
                tmp, built, roots, previous=(old_site, previous.get("site")) if previous else None,
                search_work=store.folder / "search-sections" if store.folder else None,
            )  # fmt: skip
            _timed(stats, "site", start)

        if index and site and "fork" in multiprocessing.get_all_start_methods():
            # The index is written in a child process (and its workers) while MkDocs renders in
            # this one: the two stages share nothing but the parsed documents.
            alongside(make_index, make_site, stats)
        elif index:
            make_index()
        elif site:
            make_site()
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        swap_in(tmp, out)
    except BaseException:
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
