"""Static search: a Pagefind index of every report page, built with the site.

On a static host no `evidence serve` answers, so the public searches the reports through an
index that the browser downloads in small pieces. The site build runs Pagefind's own indexer
(the `pagefind[bin]` wheel from PyPI: nothing is downloaded at build or run time) over the report
pages of the built site. Each report page carries, in a hidden element, the filters (council,
region, kind, framework, year, judgements on the common scale), the metadata shown with a result
and the date it sorts by (`pagefind_data`); its headings carry ids, so that Pagefind's
sub-results point into the report's sections.

Pagefind's indexer writes a whole index every time (its Node and Python APIs can add records to
a new index but not update an existing one), so an incremental site build indexes again: about
7 s for the real archive (README, Static search).
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ArchiveError
from .frameworks import AREAS, COMMON_SCALE, FRAMEWORKS, KINDS, areas_not_given, common_scale
from .model import Document
from .registry import load_registry

BUNDLE = "pagefind"
"""The folder of the site that holds the static index."""
GLOB = "reports/**/*.html"
"""The pages Pagefind indexes: the report pages (the site's own pages have their own search)."""
ROOT_SELECTOR = "article"
"""The part of a page that is the report (not the theme's navigation, header and footer)."""
EXCLUDE = ".headerlink, .judgement-card, .doc-meta"
"""Parts of a report page that are the archive's, not the report's: permalink marks, the card of
judgements and the metadata box (their words are the report's own, printed in it too)."""


def _date(doc: Document) -> str:
    m = doc.meta
    return str(m.get("published") or m.get("inspection_end") or m.get("listing_date") or "")


def filters(doc: Document) -> dict[str, list[str]]:
    """The static index's filters of a report, key -> values (each value as shown)."""
    m = doc.meta
    auth = load_registry().get(str(m["authority"]))
    out: dict[str, list[str]] = {
        "council": [auth.name if auth else "England (national)"],
        "kind": [str(m["kind"])],
        "framework": [str(m["framework"])],
    }
    if auth is not None:
        out["region"] = [auth.region]
    if _date(doc):
        out["year"] = [_date(doc)[:4]]
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


def pagefind_data(doc: Document) -> str:
    """The hidden element of a report page that gives Pagefind its filters, metadata and sort
    key (raw HTML in the page's Markdown; every value escaped)."""
    m = doc.meta
    auth = load_registry().get(str(m["authority"]))
    attrs: list[tuple[str, str]] = []
    for key, values in filters(doc).items():
        attrs += [("data-pagefind-filter", f"{key}:{v}") for v in values]
    date = _date(doc)
    meta = {
        "council": auth.name if auth else "England (national)",
        "date": date,
        "kind": KINDS[str(m["kind"])],
        "framework": FRAMEWORKS[str(m["framework"])].name.split(" (")[0],
    }
    attrs += [("data-pagefind-meta", f"{k}:{v}") for k, v in meta.items() if v]
    if date:
        attrs.append(("data-pagefind-sort", f"date:{date}"))
    spans = "".join(f'<span {k}="{html.escape(v, quote=True)}"></span>' for k, v in attrs)
    return f'<div class="pagefind-data" hidden>{spans}</div>'


def facet_labels() -> dict[str, dict[str, str]]:
    """Labels of the filter values the search page shows (kinds, frameworks, judgement areas)."""
    return {
        "kind": dict(KINDS),
        "framework": {k: f.name.split(" (")[0] for k, f in FRAMEWORKS.items()},
        "area": dict(AREAS),
        "council": {a.name: a.slug for a in load_registry()},
    }


@dataclass(frozen=True)
class Indexed:
    """What Pagefind's indexer did."""

    pages: int
    seconds: float
    bytes: int


def _pagefind() -> list[str]:
    try:
        import pagefind  # noqa: F401  (the wheel that carries the binary)
    except ImportError as err:
        raise ArchiveError(None, "static search needs the pagefind package (pip install "
                           "'pagefind[bin]'), which the project installs") from err  # fmt: skip
    return [sys.executable, "-m", "pagefind"]


def index_site(site_dir: Path) -> Indexed:
    """Index the report pages of a built site into site_dir/pagefind (replacing any old index);
    raise ArchiveError naming the site if Pagefind fails."""
    bundle = site_dir / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        [*_pagefind(), "--site", str(site_dir), "--glob", GLOB, "--output-subdir", BUNDLE,
         "--root-selector", ROOT_SELECTOR, "--exclude-selectors", EXCLUDE,
         "--force-language", "en", "--silent"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ArchiveError(site_dir, "Pagefind could not index the site: "
                           + (detail[-1] if detail else f"exit {result.returncode}"))  # fmt: skip
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(int(lang.get("page_count", 0)) for lang in entry.get("languages", {}).values())
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return Indexed(pages, seconds, size)
