"""Every generated page of the site, docs path -> Markdown, made once per build."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evidence_archive import urls
from evidence_archive.build.cache import Built, Packed, code_version
from evidence_archive.dates import doc_date, human_date
from evidence_archive.files import write_atomic
from evidence_archive.model import Document
from evidence_archive.opendata.national import group_by_authority
from evidence_archive.opendata.subjects import subjects
from evidence_archive.opendata.tables import Content
from evidence_archive.proc import Forked
from evidence_archive.registry import load_registry
from evidence_archive.site.councils import (
    authorities_index,
    authority_page,
    comparison_rows,
    latest_overall,
    mentions,
    naming,
)
from evidence_archive.site.html import md_text
from evidence_archive.site.inputs import Inputs, documents
from evidence_archive.site.national import comparison_page, grades_page
from evidence_archive.site.reports import Moved, moved_holder, moved_page, report_page
from evidence_archive.site.tracker import (
    DATA_DOC,
    council_recommendations,
    council_recommendations_page,
    dictionary_pages,
    open_data_page,
    subjects_pages,
)


def recommendation_keys(
    built: list[Built],
    by_auth: dict[str, list[Document]],
    keys: dict[str, str] | None = None,
) -> dict[str, str]:
    """What each council's recommendations page body is made from, as a digest: the code and
    the council's documents (their build cache keys when given, else their pages and
    recommendations)."""
    pages = {b.doc.id: b for b in built}
    code = code_version()
    out = {}
    for slug, docs in sorted(by_auth.items()):
        h = hashlib.sha256(code.encode())
        for d in sorted(docs, key=lambda d: d.id):
            if keys is not None and d.id in keys:
                h.update(f"\0{d.id}\0{keys[d.id]}".encode())
            else:
                b = pages[d.id]
                h.update(f"\0{d.id}\0{b.markdown}\0{d.recommendations!r}".encode())
        out[slug] = h.hexdigest()[:24]
    return out


def council_recommendations_kept(
    built: list[Built],
    memo: Path | None = None,
    by_auth: dict[str, list[Document]] | None = None,
    keys: dict[str, str] | None = None,
    only: set[str] | None = None,
    made_from: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Each council's recommendations page body (tracker.council_recommendations: BM25 over its
    next reports, most of a second of every build of the real archive), keyed by council (only
    those of only, when given).

    With memo (a folder in the build's cache, a file per council), a council's body is made
    again, and its file written again, only when its documents (their pages and
    recommendations) or the code changed since the build that wrote the file; the files of
    councils with no documents now are removed. One file per council, not one for all: at
    5,000 reports the whole memo is 60 MB, read and written again at every build.
    by_auth: the documents by council, when already grouped; keys: each document's build cache
    key (its text, metadata and the code), which stands for its page and recommendations
    instead of hashing them again; made_from: recommendation_keys, when already worked out."""
    by_auth = group_by_authority(built) if by_auth is None else by_auth
    made_from = made_from or recommendation_keys(built, by_auth, keys)
    out: dict[str, list[str]] = {}
    for slug, docs in sorted(by_auth.items()):
        if only is not None and slug not in only:
            continue
        key = made_from[slug]
        path = memo / f"{slug}.json" if memo is not None else None
        was: Any = None
        if path is not None:
            try:
                was = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                was = None
        if isinstance(was, list) and len(was) == 2 and was[0] == key:
            out[slug] = [str(line) for line in was[1]]
            continue
        out[slug] = council_recommendations(docs)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps([key, out[slug]], ensure_ascii=False))
    if memo is not None and memo.is_dir():
        for stale in memo.glob("*.json"):
            if stale.stem not in by_auth:
                stale.unlink(missing_ok=True)
    return out


def generated_pages(
    built: list[Built],
    moved: Moved | None = None,
    data: dict[str, Content] | None = None,
    memo: Path | None = None,
    keys: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every generated page: docs path -> Markdown (the Open data page when data is given;
    memo: where the councils' recommendations sections are kept between builds; keys: each
    document's build cache key, for that memo)."""
    made = site_pages(built, moved, data, memo, keys)
    return {
        path: page.text() if isinstance(page, Packed) else page
        for path, page in made.items()
        if page is not None
    }


def subject_pages_forked(built: list[Built]) -> Forked:
    """The subjects (found from every recommendation's words) and their pages, made in a
    process of their own while the other pages are made here: 3.3 s at 5,000 reports, which
    evidence build begins as soon as the documents are parsed."""
    return Forked(lambda: subjects_pages(subjects([b.doc for b in built])))


def site_pages(
    built: list[Built],
    moved: Moved | None = None,
    data: dict[str, Content] | None = None,
    memo: Path | None = None,
    keys: dict[str, str] | None = None,
    inputs: Inputs | None = None,
    subjects_made: Forked | None = None,
) -> dict[str, str | Packed | None]:
    """generated_pages, with inputs (given keys): each report, council and recommendations page
    whose inputs are the last build's is not made, and maps to None (in its place among the
    pages, which MkDocs takes in order); a report page is Packed. subjects_made:
    subject_pages_forked, when begun."""
    subjects_made = subjects_made or subject_pages_forked(built)
    try:
        pages = _report_and_council_pages(built, moved, memo, keys, inputs)
    except BaseException:
        subjects_made.stop()
        raise
    pages.update(subjects_made.result())
    if data is not None:
        paragraphs = sum(b.blocks for b in built)
        pages[DATA_DOC] = open_data_page(data, paragraphs)
        pages.update(dictionary_pages())
    return pages


def _report_and_council_pages(
    built: list[Built],
    moved: Moved | None,
    memo: Path | None,
    keys: dict[str, str] | None,
    inputs: Inputs | None,
) -> dict[str, str | Packed | None]:
    reg = load_registry()
    by_auth = group_by_authority(built)
    if keys is None or inputs is None:
        keys, inputs = None, None

    def unchanged(path: str, parts: Iterable[str]) -> bool:
        return inputs is not None and inputs.same(path, parts)

    pages: dict[str, str | Packed | None] = {}
    for b in built:
        path = urls.doc_of(b.doc)
        holder = moved_holder(moved, b.doc.id) if moved and b.doc.id in moved.anchors else ""
        kept = keys is not None and unchanged(path, ["report", b.doc.id, keys[b.doc.id], holder])
        pages[path] = None if kept else Packed.of(report_page(b, moved))
    for old_id, (council, target) in sorted((moved.pages if moved else {}).items()):
        pages[urls.report_doc(council, old_id)] = moved_page(old_id, target, moved)  # type: ignore[arg-type]
    # A page for every council with documents, or named in another document; made only where
    # its documents, its comparison rows or the documents that name it changed.
    names = naming(built)
    newest = {slug: latest_overall(docs) for slug, docs in by_auth.items()}
    recs = recommendation_keys(built, by_auth, keys) if inputs is not None else {}
    council_pages: dict[str, list[str] | None] = {}  # council -> its comparison rows
    recs_pages: dict[str, bool] = {}
    for slug in sorted(set(by_auth) | set(names)):
        a = reg.get(slug)
        if a is None:
            continue
        docs = by_auth.get(slug, [])
        rows = comparison_rows(a, by_auth, newest)
        own = [d.id for d in docs]
        kept = keys is not None and unchanged(urls.council_doc(slug), [
            "council", slug, *documents(own, keys), *rows, "named",
            *documents(names.get(slug, []), keys)])  # fmt: skip
        council_pages[slug] = None if kept else rows
        if slug in recs:
            recs_path = urls.council_recommendations_doc(slug)
            recs_pages[slug] = unchanged(recs_path, ["recommendations", recs[slug]])
    wanted = {slug for slug, rows in council_pages.items() if rows is not None}
    named = mentions(built, wanted)
    recommendations = council_recommendations_kept(
        built,
        memo,
        by_auth,
        keys,
        {s for s, kept in recs_pages.items() if not kept} if recs else None,
        recs or None,
    )
    for slug, compared in council_pages.items():
        a = reg.get(slug)
        assert a is not None
        docs = by_auth.get(slug, [])
        pages[urls.council_doc(slug)] = (
            None if compared is None else authority_page(a, docs, compared, named.get(slug, []))
        )
        if recs_pages.get(slug):
            pages[urls.council_recommendations_doc(slug)] = None
        elif recommendations.get(slug):
            page = council_recommendations_page(a, recommendations[slug])
            pages[urls.council_recommendations_doc(slug)] = page
    pages[urls.COUNCILS_DOC] = authorities_index(by_auth, set(names))
    pages[urls.COMPARISON_DOC] = comparison_page(by_auth)
    pages[urls.GRADES_DOC] = grades_page()
    national = by_auth.get("england", [])
    lines = ["# National documents", ""]
    lines += [
        f"- [{md_text(str(d.meta.title))}]({urls.report_doc('england', d.id)}) "
        f"({md_text(human_date(doc_date(d)))})"
        for d in sorted(national, key=doc_date)
    ]
    pages[urls.NATIONAL_DOC] = "\n".join(lines) + "\n"
    return pages
