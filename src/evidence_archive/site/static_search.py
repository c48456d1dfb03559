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
a new index but not update an existing one), so an incremental site build indexes again: about
7 s for the real archive (README, Static search).
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

from evidence_archive import urls
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
from evidence_archive.proc import die_with_parent
from evidence_archive.registry import load_registry

BUNDLE = "pagefind"
"""The folder of the site that holds the static index."""
SECTIONS = "search-sections"
"""The folder (in the build's cache, not the site) of one small file per report section: what
the indexer reads."""
GLOB = f"{SECTIONS}/**/*.html"
"""The pages Pagefind indexes (the site's own pages have their own search)."""


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


def pagefind_data(doc: Document, extra: dict[str, str] | None = None) -> str:
    """The hidden element that gives Pagefind a report's filters, metadata and sort key (every
    value escaped); extra metadata is added as given."""
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
        **(extra or {}),
    }
    attrs += [("data-pagefind-meta", f"{k}:{v}") for k, v in meta.items() if v]
    if date:
        attrs.append(("data-pagefind-sort", f"date:{date}"))
    spans = "".join(f'<span {k}="{html.escape(v, quote=True)}"></span>' for k, v in attrs)
    return f'<div class="pagefind-data" hidden>{spans}</div>'


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
            data = pagefind_data(doc, {"target": target, "section": heading})
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
    bytes: int


def _pagefind() -> list[str]:
    """Pagefind's own binary, from the pagefind[bin] wheel (started directly: no Python)."""
    try:
        from pagefind_bin import get_executable
    except ImportError as err:
        raise ArchiveError(None, "static search needs the pagefind package (pip install "
                           "'pagefind[bin]'), which the project installs") from err  # fmt: skip
    return [str(get_executable().absolute())]


def index_site(
    site_dir: Path, docs: list[Document], work: Path | None = None, previous: Path | None = None
) -> Indexed:
    """Index the reports' sections into site_dir/pagefind (replacing any old index); raise
    ArchiveError naming the site if Pagefind fails.

    The section files are the indexer's input, not part of the site: they are written into
    `work`, a folder kept between builds (the build's cache), where only the files that changed
    are written again; a temporary folder when work is None. When none changed and `previous`
    (the last build's index folder, made from these same files) is given, it is copied: the
    indexer is not run again."""
    if work is None:
        with tempfile.TemporaryDirectory() as tmp:
            return index_site(site_dir, docs, Path(tmp))
    pages = section_pages(docs)
    changed = write_sections(work, pages)
    if not pages:  # a corpus of no report: no index (the search page says it cannot read one)
        shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
        return Indexed(0, 0.0, 0)
    if not changed and previous is not None and (previous / "pagefind-entry.json").is_file():
        shutil.rmtree(site_dir / BUNDLE, ignore_errors=True)
        # Hard links: an index folder is never written into, only replaced whole.
        shutil.copytree(previous, site_dir / BUNDLE, copy_function=_link)
        return _indexed(site_dir / BUNDLE, 0.0)
    return run_pagefind(work, site_dir)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or no hard links there
        shutil.copy2(src, dst)


def write_sections(work: Path, pages: dict[str, str]) -> bool:
    """Make `work` hold exactly these section files, writing only those that changed (a listing
    of their digests is kept beside them); whether any changed (or the listing was missing)."""
    listing = work / "sections.json"
    try:
        old: dict[str, str] = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
        shutil.rmtree(work, ignore_errors=True)
    new = {
        rel: hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] for rel, text in pages.items()
    }
    listing.unlink(missing_ok=True)  # a build stopped half way reads as no listing: all again
    changed = old != new
    for rel in sorted(set(old) - set(new)):
        (work / rel).unlink(missing_ok=True)
    for rel, text in pages.items():
        path = work / rel
        if old.get(rel) != new[rel] or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    work.mkdir(parents=True, exist_ok=True)
    listing.write_text(json.dumps(new, indent=0, sort_keys=True), encoding="utf-8")
    return changed


def run_pagefind(source: Path, site_dir: Path) -> Indexed:
    """Pagefind's indexer over the section files in `source`, into site_dir/pagefind."""
    bundle = site_dir / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        [*_pagefind(), "--site", str(source), "--glob", GLOB, "--output-path", str(bundle),
         "--force-language", "en", "--silent"],
        capture_output=True, text=True, check=False,
        # A build killed while indexing must not leave Pagefind writing into its folder.
        preexec_fn=die_with_parent if os.name == "posix" else None,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ArchiveError(site_dir, "Pagefind could not index the site: "
                           + (detail[-1] if detail else f"exit {result.returncode}"))  # fmt: skip
    return _indexed(bundle, seconds)


def _indexed(bundle: Path, seconds: float) -> Indexed:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(int(lang.get("page_count", 0)) for lang in entry.get("languages", {}).values())
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return Indexed(pages, seconds, size)
