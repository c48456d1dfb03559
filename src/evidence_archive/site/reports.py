"""A report's page: judgement card, metadata box, the restored text; and the pages at the old
addresses of moved documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evidence_archive import urls
from evidence_archive.build.cache import Built
from evidence_archive.dates import citation_year, human_date
from evidence_archive.frameworks import (
    AREAS,
    FRAMEWORKS,
    KINDS,
    areas_not_given,
)
from evidence_archive.model import Document, Judgement, Metadata
from evidence_archive.registry import load_registry
from evidence_archive.site.html import esc, grade_html, md_text


def overall_judgement(doc: Document) -> Judgement | None:
    """The document's overall judgement, where it has one."""
    for area in ("overall", "apa-overall"):
        for j in doc.judgements:
            if j.area == area:
                return j
    return None


@dataclass(frozen=True)
class Moved:
    """Published ids that changed (ids.site_redirects), for the site to send readers on."""

    anchors: dict[str, dict[str, str]]
    """Document id -> old anchor -> new id ('doc#anchor', 'doc' or 'authority:<slug>')."""
    pages: dict[str, tuple[str, str]]
    """Old document id -> (its council, new id): documents renamed or withdrawn."""
    authorities: dict[str, str]
    """Current document id -> its council, to make URLs of new ids."""


def moved_url(target: str, moved: Moved, here: str = "") -> str:
    """A new id as a URL relative to a report page (reports/<council>/<id>/)."""
    if target.startswith("authority:"):
        return "../../../" + urls.council_url(target.removeprefix("authority:"))
    doc, _, anchor = target.partition("#")
    if doc == here:
        return f"#{anchor}"
    page = urls.report_from_report(moved.authorities.get(doc, ""), doc)
    return page + (f"#{anchor}" if anchor else "")


def moved_holder(moved: Moved, doc_id: str, page: str = "") -> str:
    table = {a: moved_url(t, moved, doc_id) for a, t in moved.anchors.get(doc_id, {}).items()}
    data = esc(json.dumps(table, sort_keys=True, ensure_ascii=False))
    extra = f' data-page="{esc(page)}"' if page else ""
    return f'<div id="moved-ids" hidden data-moved="{data}"{extra}></div>'


def moved_page(old_id: str, target: str, moved: Moved) -> str:
    """The page at a renamed or withdrawn document's old address: sends the reader on."""
    url = moved_url(target, moved)
    if target.startswith("authority:"):
        slug = target.removeprefix("authority:")
        auth = load_registry().get(slug)
        name = auth.name if auth else slug
        what = f"was withdrawn from the archive. See [{md_text(name)}]({esc(url)}) for its reports."
    else:
        what = f"has moved to [its new address]({esc(url)})."
    return "\n".join([
        "---",
        "title: Moved",
        "search:",
        "  exclude: true",
        "---",
        "",
        "# This document has moved",
        "",
        f"The document `{esc(old_id)}` {what} Links to its paragraphs are sent to the same "
        "paragraphs there.",
        "",
        moved_holder(moved, old_id, url),
        "",
    ])  # fmt: skip


def source_html(m: Metadata) -> str:
    """Where the document comes from, for a reader: Ofsted's address where known, else what
    the document says of itself (its publisher, reference number, the PDF's length), never the
    archive's internal file name."""
    pages = f" ({esc(m.pages)} pages)" if m.pages else ""
    url = str(m.source_url or "")
    if url.startswith("https://"):
        return f'<a href="{esc(url)}">{esc(url)}</a>{pages}'
    if url:
        return esc(url) + pages
    said = [str(m.publisher)]
    if m.reference:
        said.append(f"reference no. {m.reference}")
    if m.pages:
        said.append(f"a PDF of {m.pages} pages")
    what = "published by " + ", ".join(said)
    return esc(what[0].upper() + what[1:]) + " (its web address is not recorded)"


def report_page(b: Built, moved: Moved | None = None) -> str:
    """A report page: summary card, metadata box, the restored text."""
    doc, m = b.doc, b.doc.meta
    reg = load_registry()
    auth = reg.get(str(m.authority))
    out = [
        "---",
        # MkDocs themes put the title into the page unescaped: it must arrive as HTML text.
        "title: " + json.dumps(esc(m.title), ensure_ascii=False),
        # Report text is searched by evidence search; in the site's own client-side index a
        # thousand reports would weigh about 75 MB (bench/scale.py), so reports stay out of it
        # and are found there by title through their council's page.
        "search:",
        "  exclude: true",
        "---",
        "",
        f"# {md_text(str(m.title))}",
        "",
    ]
    missing = areas_not_given(m)
    if doc.judgements or missing:
        out += ['<div class="judgement-card" markdown>', "", "**Judgements as printed**", ""]
        out += [
            '<div class="table-scroll" role="region" tabindex="0" '
            'aria-label="Judgements as printed">'
            '<table class="grades-summary"><thead><tr><th scope="col">Judgement</th>'
            '<th scope="col">For</th><th scope="col">Grade</th></tr></thead><tbody>'
        ]
        for j in doc.judgements:
            out.append(
                f"<tr><td>{esc(j.label)}</td><td>{esc(j.scope)}</td>"
                f"<td>{grade_html(j.grade, j.score)}</td></tr>"
            )
        for area, reason in missing.items():
            out.append(
                f"<tr><td>{esc(AREAS[area])}</td><td></td>"
                f'<td><span class="grade grade-0">{esc(reason.capitalize())}</span></td></tr>'
            )
        out += ["</tbody></table></div>", "", "</div>", ""]
    rows = []
    if auth:
        rows.append(
            (
                "Authority",
                f'<a href="../../../{esc(urls.council_url(auth.slug))}">{esc(auth.name)}</a>'
                f" (LA code {esc(auth.la_code)}, {esc(auth.region)})",
            )
        )
    else:
        rows.append(("Coverage", "England (national)"))
    rows.append(("Kind", esc(KINDS[str(m.kind)])))
    rows.append(("Framework", esc(FRAMEWORKS[str(m.framework)].name)))
    if m.inspection_type:
        rows.append(("Inspection type", esc(m.inspection_type)))
    if m.inspection_start or m.inspection_end:
        rows.append(
            (
                "Inspection dates",
                esc(f"{human_date(m.inspection_start)} to {human_date(m.inspection_end)}"),
            )
        )
    if m.plan_start:
        rows.append(("Plan period", esc(f"{m.plan_start} to {m.plan_end or ''}")))
    rows.append(("Published", esc(human_date(m.published)) or "not printed in the document"))
    if m.listing_date:
        rows.append(("Listed by Ofsted", esc(human_date(m.listing_date))
                     + " (the date Ofsted's report listing shows; not printed in the report)"
                     * (not m.published)))  # fmt: skip
    if m.reference:
        rows.append(("Reference no.", esc(m.reference)))
    rows.append(("Publisher", esc(m.publisher)))
    rows.append(("Source", source_html(m)))
    rows.append(("Licence", esc(m.licence or "no licence statement is printed")))
    if m.dates_note:
        rows.append(("Note", esc(m.dates_note)))
    out.append('<dl class="doc-meta">')
    out += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows]
    out.append("</dl>")
    out.append("")
    cite = {
        "publisher": str(m.publisher),
        "year": citation_year(doc),
        "title": str(m.title),
        "date": (
            f"Published {human_date(m.published)}."
            if m.published
            else f"Inspected {human_date(m.inspection_start)} to {human_date(m.inspection_end)}."
            if m.inspection_end
            else ""
        ),
    }
    attrs = " ".join(f'data-{k}="{esc(v)}"' for k, v in cite.items())
    out.append(f'<div id="cite-data" hidden {attrs}></div>')
    if moved is not None and doc.id in moved.anchors:
        out.append(moved_holder(moved, doc.id))
    out.append("")
    out.append(b.body)
    return "\n".join(out)


def load_moved(roots: Iterable[Path], built: list[Built]) -> Moved:
    """The corpus's redirect map, as the site needs it."""
    from evidence_archive.corpus.ids import site_redirects

    authorities = {b.doc.id: str(b.doc.meta.authority) for b in built}
    anchors, pages = site_redirects(roots, authorities)
    return Moved(anchors, pages, authorities)
