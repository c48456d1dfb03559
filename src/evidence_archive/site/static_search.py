"""Static search: a Pagefind index of every report, section by section, built with the site.

On a static host no `evidence serve` answers, so the public searches the reports through an
index that the browser downloads in small pieces. The site build runs Pagefind's own indexer
(the `pagefind[bin]` wheel from PyPI: nothing is downloaded at build or run time) over one small
HTML file per section of every report (`search-sections/`, in the build's cache: the indexer's
input, not part of the site). A result is the section that holds the words, and links to it in
the report page. Sections, not
whole pages, because Pagefind fetches the stored text of every result it shows: a whole report is
about 32 KB of it (ten results, 320 KB), a section about 2 KB; and because the released Pagefind
points into a page only at headings, the section is the finest place it can name.

Each section file carries, in a hidden element, the filters (council, region, kind, framework,
year, judgements on the common scale), the metadata shown with a result (report, council, date,
kind, the link into the report) and the date it sorts by (`pagefind_data`).

Pagefind's indexer writes a whole index every time (its Node and Python APIs can add records to
a new index but not update an existing one), and indexing every section of the real archive takes
about 6 s. So an incremental build keeps the last index as it is (the base bundle) and indexes only
the reports added or changed since into a small second bundle, `pagefind/new/`, which the search
page merges (Pagefind's `mergeIndex`); the base's sections of a report changed or removed since are
hidden by a filter on their `doc` (a report's date and a digest of its id, `doc_key`).
`pagefind/bundles.json` tells the page both (the bundle to merge, the `doc` values to hide);
`pagefind/state.json` keeps, for the next build, a digest of each document's sections in either
bundle and the base documents' `doc` values. When more than MAX_NEW documents would be in the
new bundle, or on a clean build, every section is indexed into one bundle again.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_archive import urls
from evidence_archive.dates import doc_date
from evidence_archive.errors import ArchiveError
from evidence_archive.files import link_or_copy
from evidence_archive.frameworks import (
    COMMON_SCALE,
    FRAMEWORKS,
    KINDS,
    areas_not_given,
    common_scale,
)
from evidence_archive.model import Document
from evidence_archive.proc import die_with_parent
from evidence_archive.registry import load_registry

BUNDLE = "pagefind"
"""The folder of the site that holds the static index."""
SECTIONS = "search-sections"
"""The folder (in the build's cache, not the site) of one small file per report section: what
the indexer reads."""
GLOB = f"{SECTIONS}/**/*.html"
"""The pages Pagefind indexes (the site's own pages have their own search)."""
ENTRY = "pagefind-entry.json"
"""The file that says a folder holds a Pagefind index."""
NEW = "new"
"""The folder, inside the static index, of the bundle of reports added or changed since the base
bundle was indexed."""
BUNDLES = "bundles.json"
"""What the search page reads: the bundles to merge, the documents whose base sections to hide."""
STATE = "state.json"
"""For the next build: each indexed document's section digest, in the base and the new bundle."""
MAX_NEW = 25
"""At most this many documents in the new bundle (added, changed, or removed since the base);
beyond it the whole index is made again (about 6 s for the real archive)."""


def doc_key(doc: Document) -> str:
    """A report's value of the `doc` filter: its date as sorted and a digest of its id
    ('2017-03-12 5f2a9c01d3'). One filter for both, short, because Pagefind's filter index is
    loaded whole by the first search (a `doc` of ids and a `date` filter cost 26 KB of it)."""
    return f"{doc_date(doc)} {hashlib.sha256(doc.id.encode('utf-8')).hexdigest()[:10]}"


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
    # The document and its date in one short value (doc_key): the page hides the base bundle's
    # sections of a document changed since, and merges two bundles' date-sorted results by it.
    out["doc"] = [doc_key(doc)]
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


def pagefind_data(doc: Document, extra: dict[str, str] | None = None) -> str:
    """The hidden element that gives Pagefind a report's filters, metadata and sort key (every
    value escaped); extra metadata is added as given."""
    head, tail = _data_spans(doc)
    return _data_element(head, tail, extra)


def _data_spans(doc: Document) -> tuple[str, str]:
    """A report's spans of pagefind_data: its filters and metadata, and its sort key (what
    every section of the report shares, made once per report)."""
    m = doc.meta
    auth = load_registry().get(str(m.authority))
    attrs: list[tuple[str, str]] = []
    for key, values in filters(doc).items():
        attrs += [("data-pagefind-filter", f"{key}:{v}") for v in values]
    date = doc_date(doc)
    meta = {
        "report": str(m.title),
        "council": auth.name if auth else "England (national)",
        "date": date,
        "kind": KINDS[str(m.kind)],
        "framework": FRAMEWORKS[str(m.framework)].name.split(" (")[0],
    }
    attrs += [("data-pagefind-meta", f"{k}:{v}") for k, v in meta.items() if v]
    tail = [("data-pagefind-sort", f"date:{date}")] if date else []
    return _spans(attrs), _spans(tail)


def _data_element(head: str, tail: str, extra: dict[str, str] | None) -> str:
    more = _spans([("data-pagefind-meta", f"{k}:{v}") for k, v in (extra or {}).items() if v])
    return f'<div class="pagefind-data" hidden>{head}{more}{tail}</div>'


def _spans(attrs: list[tuple[str, str]]) -> str:
    return "".join(f'<span {k}="{html.escape(v, quote=True)}"></span>' for k, v in attrs)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def section_pages(docs: list[Document]) -> dict[str, str]:
    """One small HTML file per section of every report (path -> HTML), the indexer's input: its
    heading, its paragraphs as printed (numbers included), the report's filters and metadata,
    and the link into the report that a result gives."""
    out: dict[str, str] = {}
    for doc in sorted(docs, key=lambda d: d.id):
        folder = f"{SECTIONS}/{doc.meta.authority}/{doc.id}"
        title = str(doc.meta.title)
        head, tail = _data_spans(doc)
        for n, sec in enumerate(doc.sections):
            blocks = [b for b in sec.blocks if b.text.strip() and b.kind != "figure"]
            if not blocks:
                continue
            heading = sec.title if sec.level else "Opening of the report"
            target = urls.url_of(doc) + (f"#{sec.anchor}" if sec.level and sec.anchor else "")
            paragraphs = "".join(
                f"<p>{_escape((b.number + '. ') if b.number else '')}{_escape(b.text)}</p>"
                for b in blocks
            )
            data = _data_element(head, tail, {"target": target, "section": heading})
            out[f"{folder}/{n:03d}.html"] = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{_escape(heading)} — {_escape(title)}</title></head>"
                f"<body><main data-pagefind-body><h1>{_escape(heading)}</h1>{paragraphs}"
                f"{data}</main></body></html>\n"
            )
    return out


@dataclass(frozen=True)
class Indexed:
    """What Pagefind's indexer did."""

    pages: int
    seconds: float
    folder: Path | None = None
    """The static index (None when there is none)."""

    @property
    def bytes(self) -> int:
        """The size of the static index, both bundles (counted when asked: tens of thousands
        of files at scale, which a build does not need to count)."""
        if self.folder is None:
            return 0
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


def _pagefind() -> list[str]:
    """Pagefind's own binary, from the pagefind[bin] wheel (started directly: no Python)."""
    try:
        from pagefind_bin import get_executable
    except ImportError as err:
        raise ArchiveError(None, "static search needs the pagefind package (pip install "
                           "'pagefind[bin]'), which the project installs") from err  # fmt: skip
    return [str(get_executable().absolute())]


def index_site(
    site_dir: Path,
    docs: list[Document],
    work: Path | None = None,
    previous: Path | None = None,
    keys: dict[str, str] | None = None,
) -> Indexed:
    """Index the reports' sections into site_dir/pagefind (replacing any old index); raise
    ArchiveError naming the site if Pagefind fails.

    The section files are the indexer's input, not part of the site: they are written into
    `work`, a folder kept between builds (the build's cache), where only the files that changed
    are written again; a temporary folder when work is None. `previous` is the last build's
    index folder (an incremental build): its base bundle is kept (hard links) and only the
    documents added or changed since it was indexed are indexed, into the new bundle; when
    none changed, the last index is kept whole. `keys` (document -> its build cache key, which
    fixes its section files) lets the section files of a document whose key is unchanged be
    taken as they are, without making them again."""
    if work is None:
        with tempfile.TemporaryDirectory() as tmp:
            return index_site(site_dir, docs, Path(tmp))
    files = write_sections(work, docs, keys)
    now = _doc_digests(files)
    doc_keys = {doc.id: doc_key(doc) for doc in docs if doc.id in now}
    bundle = site_dir / BUNDLE
    # The site folder may start as the last site hard-linked (an incremental build): its static
    # index is then the last one, linked, kept as the base when it serves as one.
    linked = previous is not None and _same_file(bundle / ENTRY, previous / ENTRY)
    if not files:  # a corpus of no report: no index (the search page says it cannot read one)
        shutil.rmtree(bundle, ignore_errors=True)
        return Indexed(0, 0.0)
    start = time.perf_counter()
    state = _state(previous)
    if state is not None and previous is not None:
        base: dict[str, str] = state["base"]
        new = {d: k for d, k in now.items() if base.get(d) != k}
        hidden = sorted(d for d, k in base.items() if now.get(d) != k)
        if len(set(new) | set(hidden)) <= MAX_NEW and set(base) <= set(state["keys"]):
            if linked:  # the base is there; what is written again is removed, never written through
                shutil.rmtree(bundle / NEW, ignore_errors=True)
                for name in (BUNDLES, STATE):
                    (bundle / name).unlink(missing_ok=True)
            else:
                shutil.rmtree(bundle, ignore_errors=True)
                shutil.copytree(previous, bundle, copy_function=link_or_copy,
                                ignore=shutil.ignore_patterns(NEW, BUNDLES, STATE))  # fmt: skip
            if new and new == state["new"] and (previous / NEW / ENTRY).is_file():
                shutil.copytree(previous / NEW, bundle / NEW, copy_function=link_or_copy)
            elif new:
                _index_part(work, [r for r in files if _doc_of(r) in new], bundle / NEW, site_dir)
            _write_state(bundle, base, new, {d: state["keys"][d] for d in base}, hidden)
            return _indexed(bundle, time.perf_counter() - start)
    shutil.rmtree(bundle, ignore_errors=True)
    _pagefind_into(work, bundle, site_dir)
    _write_state(bundle, now, {}, doc_keys, [])
    return _indexed(bundle, time.perf_counter() - start)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _doc_of(rel: str) -> str:
    """The document of a section file ('search-sections/<authority>/<doc>/<n>.html')."""
    return rel.split("/")[2]


def _doc_digests(files: dict[str, str]) -> dict[str, str]:
    """Each document -> a digest of its section files (names and digests, as write_sections
    gives them)."""
    out: dict[str, hashlib._Hash] = {}
    for rel in sorted(files):
        out.setdefault(_doc_of(rel), hashlib.sha256()).update(f"{rel}\0{files[rel]}\0".encode())
    return {d: h.hexdigest()[:20] for d, h in sorted(out.items())}


def _state(previous: Path | None) -> dict[str, Any] | None:
    """The last index's state, or None when there is no usable last index."""
    if previous is None or not (previous / ENTRY).is_file():
        return None
    try:
        state = json.loads((previous / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(state, dict) and all(
        isinstance(state.get(k), dict) for k in ("base", "new", "keys")
    )
    return state if ok else None


def _write_state(
    bundle: Path,
    base: dict[str, str],
    new: dict[str, str],
    keys: dict[str, str],
    hidden: list[str],
) -> None:
    """state.json (the base's and the new bundle's section digests, and the base documents'
    `doc` values as the base indexed them) and bundles.json (what to merge; the `doc` values
    whose base sections to hide)."""
    state = {"base": base, "new": new, "keys": keys}
    (bundle / STATE).write_text(json.dumps(state, indent=0, sort_keys=True) + "\n", "utf-8")
    shown = {"merge": [f"{NEW}/"] if new else [], "hide": sorted(keys[d] for d in hidden)}
    (bundle / BUNDLES).write_text(json.dumps(shown, sort_keys=True) + "\n", "utf-8")


def _index_part(work: Path, rels: list[str], out: Path, site_dir: Path) -> None:
    """Pagefind over some of the section files in `work` (linked into a folder of their own)."""
    with tempfile.TemporaryDirectory(dir=work.parent) as tmp:
        for rel in rels:
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(str(work / rel), str(Path(tmp) / rel))
        _pagefind_into(Path(tmp), out, site_dir)


def write_sections(
    work: Path, docs: list[Document], keys: dict[str, str] | None = None
) -> dict[str, str]:
    """Make `work` hold exactly the section files of these documents, writing only those that
    changed; each file's digest (path -> digest). A listing beside them keeps every file's
    digest and, when `keys` are given, each document's build cache key: a document whose key is
    the listed one has the same section files, which are then neither made nor read again."""
    listing = work / "sections.json"
    try:
        old = json.loads(listing.read_text(encoding="utf-8"))
        old_files: dict[str, str] = old["files"]
        old_keys: dict[str, str] = old["keys"]
    except (OSError, ValueError, KeyError, TypeError):
        old_files, old_keys = {}, {}
        shutil.rmtree(work, ignore_errors=True)
    listed: dict[str, list[str]] = {}
    for rel in old_files:
        listed.setdefault(_doc_of(rel), []).append(rel)
    new: dict[str, str] = {}
    new_keys: dict[str, str] = {}
    pages: dict[str, str] = {}
    for doc in sorted(docs, key=lambda d: d.id):
        key = (keys or {}).get(doc.id)
        if key is not None and old_keys.get(doc.id) == key:
            new.update((rel, old_files[rel]) for rel in listed.get(doc.id, []))
        else:
            made = section_pages([doc])
            pages.update(made)
            new.update((rel, _digest(text)) for rel, text in made.items())
        if key is not None:
            new_keys[doc.id] = key
    listing.unlink(missing_ok=True)  # a build stopped half way reads as no listing: all again
    for rel in sorted(set(old_files) - set(new)):
        (work / rel).unlink(missing_ok=True)
    for rel, text in pages.items():
        path = work / rel
        if old_files.get(rel) != new[rel] or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    work.mkdir(parents=True, exist_ok=True)
    files = dict(sorted(new.items()))
    shown = {"files": files, "keys": dict(sorted(new_keys.items()))}
    listing.write_text(json.dumps(shown, indent=0), encoding="utf-8")
    return files


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _pagefind_into(source: Path, bundle: Path, site_dir: Path) -> None:
    """Pagefind's indexer over the section files in `source`, into `bundle`; ArchiveError naming
    the site if it fails."""
    result = subprocess.run(
        [*_pagefind(), "--site", str(source), "--glob", GLOB, "--output-path", str(bundle),
         "--force-language", "en", "--silent"],
        capture_output=True, text=True, check=False,
        # A build killed while indexing must not leave Pagefind writing into its folder.
        preexec_fn=die_with_parent if os.name == "posix" else None,
    )  # fmt: skip
    if result.returncode != 0 or not (bundle / ENTRY).is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ArchiveError(site_dir, "Pagefind could not index the site: "
                           + (detail[-1] if detail else f"exit {result.returncode}"))  # fmt: skip


def _indexed(bundle: Path, seconds: float) -> Indexed:
    """The pages of the bundle (and of its new bundle)."""
    pages = 0
    for entry_file in (bundle / ENTRY, bundle / NEW / ENTRY):
        if entry_file.is_file():
            entry = json.loads(entry_file.read_text(encoding="utf-8"))
            pages += sum(int(v.get("page_count", 0)) for v in entry.get("languages", {}).values())
    return Indexed(pages, seconds, bundle)
