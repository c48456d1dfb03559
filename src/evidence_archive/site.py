"""The site's generated pages: report pages, authority pages, indexes, comparisons, open data.

Everything here returns Markdown (with a little escaped HTML) for MkDocs to render; the MkDocs
hook (hooks/archive.py) only adds these pages to the build. Every piece of text that comes from a
report or the registry is escaped with html.escape before it reaches a page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import Built
from .frameworks import (
    AREAS,
    COMMON_SCALE,
    COMPARED_AREAS,
    FRAMEWORKS,
    GRADE_WORDS,
    KINDS,
    areas_not_given,
    common_scale,
    variant_for,
)
from .model import Document, Judgement, doc_date
from .registry import Authority, load_registry
from .static_search import BUNDLE

#: The judgement areas compared on the national matrix, in column order.
MATRIX_AREAS = (*COMPARED_AREAS, "safeguarding", "capacity")
_MONTHS = "January February March April May June July August September October November December"


def esc(text: object) -> str:
    """Escape text for HTML (and so for Markdown inside HTML blocks)."""
    return html.escape(str(text), quote=True)


def md_text(text: str) -> str:
    """Escape text for a Markdown table cell or paragraph."""
    s = esc(text)
    return re.sub(r"([\\`*_\[\]{}|#])", r"\\\1", s)


def human_date(iso: object) -> str:
    """'2007-08-14' -> '14 August 2007'; '2007-04' -> 'April 2007'."""
    if not iso:
        return ""
    parts = str(iso).split("-")
    months = _MONTHS.split()
    if len(parts) == 3:
        return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{months[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def report_url(doc: Document) -> str:
    """Site path of a report page (directory URL)."""
    return f"reports/{doc.meta['authority']}/{doc.id}/"


def report_path(doc: Document) -> str:
    """Docs path of a report page."""
    return f"reports/{doc.meta['authority']}/{doc.id}.md"


def grade_html(grade: str, score: int | None = None) -> str:
    """A grade as a word with a colour class; the word is always there, never colour alone."""
    scale = common_scale(grade)
    number = f" ({score})" if score is not None else ""
    return f'<span class="grade grade-{scale or 0}">{esc(grade.capitalize())}{number}</span>'


def citation_year(doc: Document) -> str:
    """The year a citation names."""
    return doc_date(doc)[:4] or "n.d."


def _overall(doc: Document) -> Judgement | None:
    """The document's overall judgement, where it has one."""
    for area in ("overall", "apa-overall"):
        for j in doc.judgements:
            if j.area == area:
                return j
    return None


# --- report pages ----------------------------------------------------------------------------


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
        return f"../../../authorities/{target.removeprefix('authority:')}/"
    doc, _, anchor = target.partition("#")
    if doc == here:
        return f"#{anchor}"
    page = f"../../{moved.authorities.get(doc, '')}/{doc}/"
    return page + (f"#{anchor}" if anchor else "")


def _moved_holder(moved: Moved, doc_id: str, page: str = "") -> str:
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
        _moved_holder(moved, old_id, url),
        "",
    ])  # fmt: skip


def source_html(m: Mapping[str, Any]) -> str:
    """Where the document comes from, for a reader: Ofsted's address where known, else what
    the document says of itself (its publisher, reference number, the PDF's length), never the
    archive's internal file name."""
    pages = f" ({esc(m['pages'])} pages)" if m.get("pages") else ""
    url = str(m.get("source_url") or "")
    if url.startswith("https://"):
        return f'<a href="{esc(url)}">{esc(url)}</a>{pages}'
    if url:
        return esc(url) + pages
    said = [str(m["publisher"])]
    if m.get("reference"):
        said.append(f"reference no. {m['reference']}")
    if m.get("pages"):
        said.append(f"a PDF of {m['pages']} pages")
    what = "published by " + ", ".join(said)
    return esc(what[0].upper() + what[1:]) + " (its web address is not recorded)"


def report_page(b: Built, moved: Moved | None = None) -> str:
    """A report page: summary card, metadata box, the restored text."""
    doc, m = b.doc, b.doc.meta
    reg = load_registry()
    auth = reg.get(str(m["authority"]))
    out = [
        "---",
        # MkDocs themes put the title into the page unescaped: it must arrive as HTML text.
        "title: " + json.dumps(esc(m["title"]), ensure_ascii=False),
        # Report text is searched by evidence search; in the site's own client-side index a
        # thousand reports would weigh about 75 MB (bench/scale.py), so reports stay out of it
        # and are found there by title through their council's page.
        "search:",
        "  exclude: true",
        "---",
        "",
        f"# {md_text(str(m['title']))}",
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
                f'<a href="../../../authorities/{esc(auth.slug)}/">{esc(auth.name)}</a>'
                f" (LA code {esc(auth.la_code)}, {esc(auth.region)})",
            )
        )
    else:
        rows.append(("Coverage", "England (national)"))
    rows.append(("Kind", esc(KINDS[str(m["kind"])])))
    rows.append(("Framework", esc(FRAMEWORKS[str(m["framework"])].name)))
    if m.get("inspection_type"):
        rows.append(("Inspection type", esc(m["inspection_type"])))
    if m.get("inspection_start") or m.get("inspection_end"):
        rows.append(
            (
                "Inspection dates",
                esc(
                    f"{human_date(m.get('inspection_start'))} to "
                    f"{human_date(m.get('inspection_end'))}"
                ),
            )
        )
    if m.get("plan_start"):
        rows.append(("Plan period", esc(f"{m['plan_start']} to {m.get('plan_end') or ''}")))
    rows.append(("Published", esc(human_date(m.get("published"))) or "not printed in the document"))
    if m.get("listing_date"):
        rows.append(("Listed by Ofsted", esc(human_date(m["listing_date"]))
                     + " (the date Ofsted's report listing shows; not printed in the report)"
                     * (not m.get("published"))))  # fmt: skip
    if m.get("reference"):
        rows.append(("Reference no.", esc(m["reference"])))
    rows.append(("Publisher", esc(m["publisher"])))
    rows.append(("Source", source_html(m)))
    rows.append(("Licence", esc(m.get("licence") or "no licence statement is printed")))
    if m.get("dates_note"):
        rows.append(("Note", esc(m["dates_note"])))
    out.append('<dl class="doc-meta">')
    out += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows]
    out.append("</dl>")
    out.append("")
    cite = {
        "publisher": str(m["publisher"]),
        "year": citation_year(doc),
        "title": str(m["title"]),
        "date": (
            f"Published {human_date(m.get('published'))}."
            if m.get("published")
            else f"Inspected {human_date(m.get('inspection_start'))} to "
            f"{human_date(m.get('inspection_end'))}."
            if m.get("inspection_end")
            else ""
        ),
    }
    attrs = " ".join(f'data-{k}="{esc(v)}"' for k, v in cite.items())
    out.append(f'<div id="cite-data" hidden {attrs}></div>')
    if moved is not None and doc.id in moved.anchors:
        out.append(_moved_holder(moved, doc.id))
    out.append("")
    out.append(b.body)
    return "\n".join(out)


# --- authority pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A place in another document that names an authority."""

    doc: Document
    anchor: str
    section: str
    text: str


def mentions(built: list[Built]) -> dict[str, list[Mention]]:
    """Blocks and headings that name each authority, in documents not about that authority
    (found when each document was parsed: Built.named)."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for b in built:
        for si, bi, slugs in b.named:
            sec = b.doc.sections[si]
            anchor, text = (sec.anchor, sec.title) if bi < 0 else (
                sec.blocks[bi].anchor, sec.blocks[bi].text)  # fmt: skip
            for slug in slugs:
                found[slug].append(Mention(b.doc, anchor, sec.title, text))
    return found


#: Places listed per document under 'Named in other documents' (the rest are counted).
MENTIONS_PER_DOCUMENT = 3


def timeline_svg(docs: list[Document], name: str) -> str:
    """A timeline of an authority's judgements on the common scale, drawn at build time."""
    points = []
    for d in docs:
        when = doc_date(d)
        for j in d.judgements:
            scale = common_scale(j.grade)
            if scale and when:
                points.append((when, scale, j, d))
    if not points:
        return ""
    years = [int(p[0][:4]) for p in points]
    lo, hi = min(years), max(years) + 1
    width, height, left, top, bottom = 700, 220, 215, 20, 40
    span = max(1, hi - lo)

    def x(when: str) -> float:
        parts = [int(p) for p in when.split("-")] + [1, 1]
        frac = (dt.date(parts[0], parts[1], parts[2]).timetuple().tm_yday - 1) / 366
        return left + (parts[0] + frac - lo) / span * (width - left - 20)

    def y(scale: int) -> float:
        return top + (4 - scale) * (height - top - bottom) / 3

    out = [
        f'<svg class="timeline" role="img" aria-labelledby="tl-title tl-desc" viewBox="0 0 {width} '
        f'{height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="tl-title">Judgements of {esc(name)} over time</title>',
        '<desc id="tl-desc">Each mark is one judgement, placed by date and on the common '
        "four-point scale; the table beside the chart lists the same judgements.</desc>",
    ]
    for scale, word in COMMON_SCALE.items():
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(scale):.1f}" y2="{y(scale):.1f}" '
            'class="tl-grid"/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{y(scale) + 4:.1f}" text-anchor="end" '
            f'class="tl-label">{esc(word)}</text>'
        )
    for year in range(lo, hi + 1):
        xx = left + (year - lo) / span * (width - left - 20)
        out.append(
            f'<text x="{xx:.1f}" y="{height - 12}" text-anchor="middle" '
            f'class="tl-label">{year}</text>'
        )
    # One mark per inspection and grade: the judgements of one report that share a grade are
    # one mark with their number beside it (side-by-side dots overlapped the next inspection's).
    marks: dict[tuple[str, str, int], list[Judgement]] = defaultdict(list)
    for when, scale, j, d in points:
        marks[(when, d.id, scale)].append(j)
    for (when, _, scale), js in sorted(marks.items()):
        cx, cy = x(when), y(scale)
        names = "; ".join(f"{j.label} ({j.scope}): {j.grade}" for j in js)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" class="tl-point grade-{scale}">'
            f"<title>{esc(human_date(when))}: {esc(names)}</title></circle>"
        )
        if len(js) > 1:
            out.append(
                f'<text x="{cx + 8:.1f}" y="{cy - 6:.1f}" class="tl-count" '
                f'aria-hidden="true">{len(js)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)


def latest_inspection(docs: Iterable[Document]) -> Document | None:
    """The newest graded inspection among documents (not plans, overviews or ungraded visits):
    the one that says how a council is judged now."""
    graded = [d for d in docs if (v := variant_for(d.meta)) is not None and v.areas]
    graded += [d for d in docs if d.meta["kind"] == "joint-area-review" and d.judgements]
    return max(graded, key=lambda d: (doc_date(d), d.id), default=None)


def headline(a: Authority, docs: list[Document], newest_in_archive: str) -> list[str]:
    """The answer to "how is my council judged now?": the newest inspection's overall
    judgement (or that its framework gives none), its date, framework and report; what the
    archive holds; and where later reports may be."""
    latest = latest_inspection(docs)
    out = ['<div class="council-headline" markdown>', ""]
    if latest is None:
        out.append(f"The archive holds no graded inspection of {md_text(a.name)}.")
    else:
        j = _overall(latest)
        fw = FRAMEWORKS[str(latest.meta["framework"])].name.split(" (")[0]
        link = f"../reports/{a.slug}/{latest.id}.md"
        if j is not None:
            grade = grade_html(j.grade, j.score)
        else:
            reason = areas_not_given(latest.meta).get("overall", "no overall judgement printed")
            grade = f'<span class="grade grade-0">{esc(reason.capitalize())}</span>'
        out.append(f"**How {md_text(a.name)} is judged now:** Overall effectiveness: {grade}")
        out.append("")
        out.append(
            f"From the newest inspection in the archive: {md_text(fw)}, "
            f"{md_text(human_date(doc_date(latest)))} ([the report]({link}))."
        )
    years = sorted({doc_date(d)[:4] for d in docs if doc_date(d)})
    span = (
        f"from {years[0]} to {years[-1]}" if len(years) > 1 else f"from {years[0]}" if years else ""
    )
    held = f"{len(docs)} document{'s' if len(docs) != 1 else ''} about {md_text(a.name)} {span}"
    ofsted = "[Ofsted's reports site](https://reports.ofsted.gov.uk/)"
    out += ["", f"The archive holds {held}. It holds reports dated up to "
            f"{md_text(human_date(newest_in_archive))}; Ofsted may have published later ones: "
            f"see {ofsted}.", "", "</div>", ""]  # fmt: skip
    return out


def latest_overall(docs: Iterable[Document]) -> tuple[Judgement, Document] | None:
    """The most recent overall judgement among documents."""
    best = None
    for d in sorted(docs, key=doc_date):
        j = _overall(d)
        if j is not None:
            best = (j, d)
    return best


def authority_page(
    a: Authority,
    docs: list[Document],
    by_auth: dict[str, list[Document]],
    named_in: list[Mention],
    newest_in_archive: str = "",
) -> str:
    """An authority's page: documents over time, timeline, comparisons, mentions elsewhere."""
    reg = load_registry()
    docs = sorted(docs, key=doc_date)
    out = [f"# {md_text(a.name)}", ""]
    out.append(
        f"{md_text(a.type or 'Local authority')} in {md_text(a.region)}. LA code "
        f"{md_text(a.la_code)}, Ofsted URN {md_text(a.urn or 'none')}."
    )
    if docs:
        out += ["", *headline(a, docs, newest_in_archive)]
    if docs:
        from .index import region_key

        out += ["", f"Follow new documents: [Atom feed for {md_text(a.name)}]"
                f"(../feeds/authority/{a.slug}.xml), [Atom feed for {md_text(a.region)}]"
                f"(../feeds/region/{region_key(a.region)}.xml)."]  # fmt: skip
    out += ["", "## Documents", ""]
    if not docs:
        out.append(
            "The archive holds no report about this authority yet; other documents name it (below)."
        )
    else:
        out += ["| Date | Document | Framework | Overall |", "| --- | --- | --- | --- |"]
    for d in docs:
        j = _overall(d)
        link = f"[{md_text(str(d.meta['title']))}](../reports/{a.slug}/{d.id}.md)"
        reason = areas_not_given(d.meta).get("overall")
        grade = (
            grade_html(j.grade, j.score) if j else md_text(reason.capitalize()) if reason else "—"
        )
        out.append(
            f'| <span class="nowrap">{esc(human_date(doc_date(d)))}</span> | {link} | '
            f"{md_text(FRAMEWORKS[str(d.meta['framework'])].name.split(' (')[0])} | {grade} |"
        )
    svg = timeline_svg(docs, a.name)
    if svg:
        out += ["", "## Judgements over time", ""]
        out += ['<div class="timeline-pair" markdown>', "",
                '<div class="table-scroll timeline-scroll" role="region" tabindex="0" '
                'aria-label="Timeline of judgements">', svg, "</div>", ""]  # fmt: skip
        out += [
            '<div class="table-scroll" role="region" tabindex="0" '
            'aria-label="The judgements in the chart">'
            '<table class="timeline-table"><caption>The judgements in the chart</caption>'
            '<thead><tr><th scope="col">Date</th><th scope="col">Judgement</th>'
            '<th scope="col">For</th><th scope="col">Grade as printed</th>'
            '<th scope="col">Common scale</th></tr></thead><tbody>'
        ]
        for d in docs:
            for j in d.judgements:
                scale = common_scale(j.grade)
                out.append(
                    f"<tr><td>{esc(human_date(doc_date(d)))}</td><td>{esc(j.label)}</td>"
                    f"<td>{esc(j.scope)}</td><td>{grade_html(j.grade, j.score)}</td>"
                    f"<td>{esc(f'{scale} ({COMMON_SCALE[scale]})') if scale else '—'}</td></tr>"
                )
        out += ["</tbody></table></div>", "", "</div>", ""]
        out.append(
            "Grades from different frameworks are placed on one four-point scale: see "
            "[About the grades](../grades.md)."
        )
    out += ["", "## Compared with statistical neighbours and region", ""]
    out += ["| Authority | Relation | Latest overall judgement |", "| --- | --- | --- |"]
    compared = [(s, "statistical neighbour") for s in a.statistical_neighbours]
    compared += [
        (o.slug, "same region")
        for o in reg.current()
        if o.region == a.region and o.slug != a.slug and o.slug not in a.statistical_neighbours
    ]
    for slug, relation in [(a.slug, "this authority"), *compared]:
        other = reg.get(slug)
        if other is None:
            continue
        latest = latest_overall(by_auth.get(slug, []))
        name = (
            f"[{md_text(other.name)}]({slug}.md)"
            if slug in by_auth and slug != a.slug
            else md_text(other.name)
        )
        grade = (
            f"{grade_html(latest[0].grade, latest[0].score)} "
            f"({md_text(human_date(doc_date(latest[1])))})"
            if latest
            else "not in the archive"
        )
        out.append(f"| {name} | {relation} | {grade} |")
    if named_in:
        out += ["", "## Named in other documents", ""]
        by_doc: dict[str, list[Mention]] = defaultdict(list)
        for mtn in named_in:
            by_doc[mtn.doc.id].append(mtn)
        for places in by_doc.values():
            for mtn in places[:MENTIONS_PER_DOCUMENT]:
                snippet = mtn.text if len(mtn.text) < 160 else mtn.text[:157] + "…"
                out.append(
                    f"- [{md_text(str(mtn.doc.meta['title']))} — {md_text(mtn.section)}]"
                    f"(../reports/{mtn.doc.meta['authority']}/{mtn.doc.id}.md#{mtn.anchor}): "
                    f"{md_text(snippet)}"
                )
            if len(places) > MENTIONS_PER_DOCUMENT:
                more = len(places) - MENTIONS_PER_DOCUMENT
                d = places[0].doc
                out.append(
                    f"- … and {more} more place{'s' if more > 1 else ''} in "
                    f"[{md_text(str(d.meta['title']))}](../reports/{d.meta['authority']}/{d.id}.md)"
                )
    return "\n".join(out) + "\n"


def authorities_index(by_auth: dict[str, list[Document]], named: set[str] | None = None) -> str:
    """All English authorities by region: documents held and latest overall judgement."""
    reg = load_registry()
    out = [
        "# Authorities",
        "",
        "Every English local authority with children's services responsibilities, by region, "
        "with the overall judgement of its newest inspection in the archive. A name is a link "
        "where the archive holds its documents.",
        "",
        '<label for="authority-filter">Filter authorities</label> '
        '<input id="authority-filter" class="table-filter" type="search" '
        'placeholder="e.g. Kent or North West">',
        "",
    ]
    by_region: dict[str, list[Authority]] = defaultdict(list)
    for a in reg.current():
        by_region[a.region].append(a)
    from .index import region_key

    councils = [reg.get(slug) for slug, docs in by_auth.items() if docs]
    held = {region_key(c.region) for c in councils if c is not None}
    for region in sorted(by_region):
        feed = (
            [f"[Atom feed of new documents in {md_text(region)}]"
             f"(../feeds/region/{region_key(region)}.xml)", ""]
            if region_key(region) in held else []
        )  # fmt: skip
        out += [
            f"## {md_text(region)}",
            "",
            *feed,
            "| Authority | Documents | Newest inspection: overall effectiveness | Date |",
            "| --- | ---: | --- | --- |",
        ]
        for a in sorted(by_region[region], key=lambda x: x.name):
            docs = by_auth.get(a.slug, [])
            name = f"[{md_text(a.name)}]({a.slug}.md)" if docs else md_text(a.name)
            latest = latest_inspection(docs)
            if latest is None:
                grade, when = "none in the archive", ""
            else:
                j = _overall(latest)
                reason = areas_not_given(latest.meta).get("overall", "not printed")
                grade = grade_html(j.grade, j.score) if j else md_text(reason.capitalize())
                when = f'<span class="nowrap">{esc(human_date(doc_date(latest)))}</span>'
            out.append(f"| {name} | {len(docs)} | {grade} | {when} |")
        out.append("")
    return "\n".join(out)


Entry = tuple[str, int, str]
"""One step of a council's history in one judgement area: (date, place on the common scale or
0, the grade as printed or why none is given)."""


def area_history(docs: list[Document]) -> dict[str, list[Entry]]:
    """Each compared area's grades over time (oldest first); an inspection that does not give
    the area is a step too (its reason, scale 0), so "as at" a date never shows an older grade
    as if it were current."""
    out: dict[str, list[Entry]] = defaultdict(list)
    for d in sorted(docs, key=lambda d: (doc_date(d), d.id)):
        when = doc_date(d)
        if not when:
            continue
        for k, why in areas_not_given(d.meta).items():
            if k in MATRIX_AREAS:
                out[k].append((when, 0, why))
        seen: set[str] = set()
        for j in d.judgements:
            scale = common_scale(j.grade)
            if j.area in MATRIX_AREAS and scale and j.area not in seen:
                seen.add(j.area)
                out[j.area].append((when, scale, j.grade))
    return dict(out)


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return '<td data-scale="-1">—</td>'
    when, scale, text = entry
    mark = (
        grade_html(text)
        if scale
        else f'<span class="grade grade-0">{esc(text.capitalize())}</span>'
    )
    return f'<td data-scale="{scale}">{mark}<br><small>{esc(when[:4])}</small></td>'


def national_picture(by_auth: dict[str, list[Document]]) -> list[tuple[int, dict[str, int]]]:
    """Per year, how many councils stood at each overall grade at the end of it (their newest
    inspection's; 'not given' where that framework gives none)."""
    reg = load_registry()
    histories = [area_history(docs).get("overall", []) for slug, docs in sorted(by_auth.items())
                 if reg.get(slug) is not None]  # fmt: skip
    years = sorted({int(e[0][:4]) for h in histories for e in h})
    out = []
    for year in range(years[0], years[-1] + 1) if years else []:
        counts = dict.fromkeys([*COMMON_SCALE.values(), "not given", "not yet inspected"], 0)
        for h in histories:
            now = [e for e in h if e[0][:4] <= str(year)]
            key = (COMMON_SCALE[now[-1][1]] if now[-1][1] else "not given") if now else (
                "not yet inspected")  # fmt: skip
            counts[key] += 1
        out.append((year, counts))
    return out


def national_picture_csv(by_auth: dict[str, list[Document]]) -> str:
    """data/national-picture.csv: the chart's data."""
    rows = national_picture(by_auth)
    keys = [*COMMON_SCALE.values(), "not given", "not yet inspected"]
    lines = ["year," + ",".join(f'"{k}"' for k in keys)]
    lines += [f"{y}," + ",".join(str(c[k]) for k in keys) for y, c in rows]
    return "\n".join(lines) + "\n"


def national_svg(rows: list[tuple[int, dict[str, int]]]) -> str:
    """Stacked bars: per year, the councils at each overall grade (drawn at build time)."""
    if not rows:
        return ""
    width, height, left, top, bottom = 700, 240, 40, 10, 30
    most = max(sum(c.values()) for _, c in rows) or 1
    bar = (width - left - 10) / len(rows)
    keys = [(4, "outstanding"), (3, "good"), (2, "requires improvement (adequate)"),
            (1, "inadequate"), (0, "not given")]  # fmt: skip
    out = [f'<svg class="national" role="img" aria-labelledby="np-title np-desc" viewBox="0 0 '
           f'{width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
           '<title id="np-title">Councils by overall judgement, year by year</title>',
           '<desc id="np-desc">For each year, how many councils stood at each overall grade at '
           "its end (their newest inspection in the archive); the table beside gives the "
           "numbers.</desc>"]  # fmt: skip
    for i, (year, counts) in enumerate(rows):
        x = left + i * bar
        y = float(height - bottom)
        for scale, word in keys:
            n = counts[word] if scale else counts["not given"]
            if not n:
                continue
            h = n / most * (height - top - bottom)
            y -= h
            label = f"<title>{year}: {n} {esc(word)}</title>"
            out.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar - 4:.1f}" '
                       f'height="{h:.1f}" class="np-bar grade-{scale}">{label}</rect>')  # fmt: skip
        out.append(f'<text x="{x + bar / 2:.1f}" y="{height - 12}" text-anchor="middle" '
                   f'class="tl-label">{year}</text>')  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


def comparison_page(by_auth: dict[str, list[Document]]) -> str:
    """The national matrix (authority x judgement area, the newest grade, or as at the end of
    any year), filterable and sortable; and the national picture over time."""
    reg = load_registry()
    councils = sorted((a for s in by_auth if (a := reg.get(s)) is not None), key=lambda x: x.name)
    histories = {a.slug: area_history(by_auth[a.slug]) for a in councils}
    years = sorted({e[0][:4] for h in histories.values() for es in h.values() for e in es})
    options = "".join(f'<option value="{y}">the end of {y}</option>' for y in reversed(years))
    out = [
        "# National comparison",
        "",
        "The newest grade the archive holds for each authority in each judgement area, as "
        "printed, placed on the [common four-point scale](grades.md); where the newest "
        "inspection's framework gives no grade in an area, it says so. Filter by authority or "
        "region, sort by any column, or see the grades as they stood at the end of a year.",
        "",
        '<div class="matrix-controls">',
        '<label for="matrix-filter">Filter authorities</label> '
        '<input id="matrix-filter" class="table-filter" type="search" '
        'placeholder="e.g. London or Hampshire">',
        '<label for="matrix-year">Grades as at</label> '
        f'<select id="matrix-year"><option value="">now (newest)</option>{options}</select>',
        "</div>",
        "",
        # The matrix is for reading here, not for the header search (it came back as one run of
        # names and grades).
        '<div class="table-scroll" role="region" tabindex="0" data-search-exclude '
        'aria-label="National comparison">'
        '<table class="matrix" id="matrix"><thead><tr>'
        '<th scope="col" aria-sort="ascending"><button type="button">Authority</button></th>'
        '<th scope="col"><button type="button">Region</button></th>',
    ]
    out[-1] += (
        "".join(
            f'<th scope="col"><button type="button">{esc(AREAS[k])}</button></th>'
            for k in MATRIX_AREAS
        )  # fmt: skip
        + "</tr></thead><tbody>"
    )
    for a in councils:
        h = histories[a.slug]
        cells = "".join(_cell(h[k][-1] if h.get(k) else None) for k in MATRIX_AREAS)
        out.append(
            f'<tr data-slug="{esc(a.slug)}"><th scope="row"><a href="../authorities/'
            f'{esc(a.slug)}/">{esc(a.name)}</a></th><td>{esc(a.region)}</td>{cells}</tr>'
        )
    out += ["</tbody></table></div>", ""]
    # Every step of every council's history, for "as at" (grades are the archive's own words).
    data = {
        slug: {k: [list(e) for e in es] for k, es in h.items()} for slug, h in histories.items()
    }
    blob = json.dumps({"areas": list(MATRIX_AREAS), "history": data}, sort_keys=True,
                      ensure_ascii=False).replace("<", "\\u003c")  # fmt: skip
    out += [f'<script type="application/json" id="matrix-history">{blob}</script>', ""]
    rows = national_picture(by_auth)
    if rows:
        keys = [*COMMON_SCALE.values(), "not given", "not yet inspected"]
        out += ["## The national picture over time", "",
                "How many councils stood at each overall grade at the end of each year: each "
                "council counts at the grade of its newest inspection in the archive by then. "
                "The data: [national-picture.csv](data/national-picture.csv).", "",
                '<div class="table-scroll" role="region" tabindex="0" '
                'aria-label="Councils by overall judgement, year by year (chart)">',
                national_svg(rows), "</div>", "",
                '<div class="table-scroll" role="region" tabindex="0" '
                'aria-label="Councils by overall judgement, year by year">'
                '<table class="national-table"><caption>Councils by overall judgement, year by '
                'year</caption><thead><tr><th scope="col">Year</th>'
                + "".join(f'<th scope="col">{esc(k)}</th>' for k in keys)
                + "</tr></thead><tbody>"]  # fmt: skip
        for year, counts in rows:
            out.append(f'<tr><th scope="row">{year}</th>'
                       + "".join(f"<td>{counts[k]}</td>" for k in keys) + "</tr>")  # fmt: skip
        out += ["</tbody></table></div>", ""]
    return "\n".join(out)


def grades_page() -> str:
    """'About the grades': how each framework's grades map onto the common scale."""
    out = [
        "# About the grades",
        "",
        "Each inspection framework printed its grades differently. The archive keeps every "
        "grade exactly as printed and, to compare councils over time, also places it on one "
        "four-point scale (4 is best):",
        "",
        "| Common scale | Words printed | Joint area reviews and APAs (2005-09) | "
        "Looked after children inspections (2012-13) |",
        "| --- | --- | --- | --- |",
    ]
    words: dict[int, list[str]] = defaultdict(list)
    for w, n in GRADE_WORDS.items():
        words[n].append(w)
    lac = {v: k for k, v in FRAMEWORKS["lac-2012"].score_words.items()}
    jar = {v: k for k, v in FRAMEWORKS["jar-2007"].score_words.items()}
    for n in (4, 3, 2, 1):
        canonical = COMMON_SCALE[n].split(" (")[0].split(" ")[0]
        jar_n = jar.get(canonical) or jar.get("adequate" if n == 2 else canonical)
        lac_n = lac.get(canonical) or lac.get("adequate" if n == 2 else canonical)
        out.append(
            f"| {n}: {md_text(COMMON_SCALE[n])} | {md_text(', '.join(words[n]))} | "
            f"{jar_n} | Grade {lac_n} |"
        )
    out += [
        "",
        "Joint area reviews and annual performance assessments print numbers, 4 for "
        "outstanding down to 1 for inadequate. The 2012-13 inspections of looked after "
        'children services print the opposite way round: "Outstanding (Grade 1)" to '
        '"Inadequate (Grade 4)". The single inspection framework (2013-17) and ILACS '
        '(2018 on) print words only; "requires improvement" and "requires improvement to '
        'be good" sit where "adequate" sat before.',
        "",
        "## Frameworks",
        "",
        "| Framework | Years | Grades |",
        "| --- | --- | --- |",
    ]
    for fw in FRAMEWORKS.values():
        if fw.key == "none":
            continue
        kind = (
            "numbers: " + ", ".join(f"{k} {v}" for k, v in fw.score_words.items())
            if fw.numeric
            else "words"
        )
        out.append(f"| {md_text(fw.name)} | {md_text(fw.years)} | {md_text(kind)} |")
    return "\n".join(out) + "\n"


def group_by_authority(built: list[Built]) -> dict[str, list[Document]]:
    """Documents by authority slug (national documents under 'england')."""
    out: dict[str, list[Document]] = defaultdict(list)
    for b in built:
        out[str(b.doc.meta["authority"])].append(b.doc)
    return dict(out)


def load_moved(roots: Iterable[Path], built: list[Built]) -> Moved:
    """The corpus's redirect map, as the site needs it."""
    from .ids import site_redirects

    authorities = {b.doc.id: str(b.doc.meta["authority"]) for b in built}
    anchors, pages = site_redirects(roots, authorities)
    return Moved(anchors, pages, authorities)


def generated_pages(built: list[Built], moved: Moved | None = None) -> dict[str, str]:
    """Every generated page: docs path -> Markdown."""
    reg = load_registry()
    by_auth = group_by_authority(built)
    named = mentions(built)
    pages = {report_path(b.doc): report_page(b, moved) for b in built}
    for old_id, (council, target) in sorted((moved.pages if moved else {}).items()):
        pages[f"reports/{council}/{old_id}.md"] = moved_page(old_id, target, moved)  # type: ignore[arg-type]
    # A page for every council with documents, or named in another document.
    newest = max((doc_date(b.doc) for b in built), default="")
    for slug in sorted(set(by_auth) | set(named)):
        a = reg.get(slug)
        if a is not None:
            docs = by_auth.get(slug, [])
            pages[f"authorities/{slug}.md"] = authority_page(
                a, docs, by_auth, named.get(slug, []), newest
            )
    pages["authorities/index.md"] = authorities_index(by_auth, set(named))
    pages["comparison.md"] = comparison_page(by_auth)
    pages["grades.md"] = grades_page()
    national = by_auth.get("england", [])
    lines = ["# National documents", ""]
    lines += [
        f"- [{md_text(str(d.meta['title']))}](reports/england/{d.id}.md) "
        f"({md_text(human_date(doc_date(d)))})"
        for d in sorted(national, key=doc_date)
    ]
    pages["national.md"] = "\n".join(lines) + "\n"
    return pages


def site_key() -> str:
    """A digest of everything but the corpus that a site page depends on: the package code and
    libraries (build.code_version), mkdocs.yml, docs/ and hooks/."""
    from .build import code_version

    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256(code_version().encode())
    paths = [root / "mkdocs.yml", *sorted((root / "docs").rglob("*")),
             *sorted((root / "hooks").rglob("*.py"))]  # fmt: skip
    for path in paths:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


class _QuietDirty(logging.Filter):
    """MkDocs warns that a dirty build may leave navigation stale. Here only report pages are
    skipped, and a report page depends on nothing but its own Markdown (not in the nav, no
    previous/next links), so the warning does not apply; tests compare with a clean build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def build_site(
    out: Path,
    built: list[Built],
    roots: list[Path],
    previous: tuple[Path | None, dict[str, Any] | None] | None = None,
    search_work: Path | None = None,
) -> dict[str, Any]:
    """Run `mkdocs build --strict` into out/site with this build's documents; return the site's
    manifest (site key and a digest of each generated page's Markdown).

    previous is the last build's site folder and manifest: when the site key is the same, that
    site is copied and MkDocs renders only the report pages whose Markdown changed (its 'dirty'
    build), plus every other page (councils, comparisons, the search index), which depend on many
    documents and are quick to make."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from . import hooks_state

    root = Path(__file__).resolve().parents[2]
    from .feeds import site_feeds

    pages = generated_pages(built, load_moved(roots, built))
    # Feeds are files the hook adds too: listed, so that one no longer made is removed.
    made = {**pages, **site_feeds([b.doc for b in built])}
    digests = {
        path: hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
        for path, text in sorted(made.items())
    }
    manifest = {"key": site_key(), "pages": digests}
    site_dir = out / "site"
    unchanged: set[str] = set()
    old_dir, old = previous or (None, None)
    dirty = bool(old_dir and old_dir.is_dir() and old and old.get("key") == manifest["key"])
    if dirty and old_dir is not None and old is not None:
        # The static search index is written again after MkDocs: not worth copying.
        shutil.copytree(old_dir, site_dir, symlinks=True,
                        ignore=shutil.ignore_patterns(BUNDLE))  # fmt: skip
        before: dict[str, str] = old["pages"]
        # A generated page depends on its Markdown alone (the navigation names only the pages
        # of docs/), so one whose Markdown is unchanged is the same page as before.
        unchanged = {p for p, d in digests.items() if p.endswith(".md") and before.get(p) == d}
        for gone in sorted(set(before) - set(digests)):  # pages no document calls for now
            if gone.endswith(".md"):
                shutil.rmtree(site_dir / gone.removesuffix(".md"), ignore_errors=True)
            else:
                (site_dir / gone).unlink(missing_ok=True)
    hooks_state.PRELOADED = built
    hooks_state.PAGES = pages
    hooks_state.UNCHANGED = unchanged
    hooks_state.ORDER = []
    hooks_state.SEARCH_WORK = search_work
    quiet = _QuietDirty()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        config["extra"]["corpus_dirs"] = [str(r.resolve()) for r in roots]
        mkdocs_build(config, dirty=dirty)
        if dirty and old_dir is not None:
            index = Path("search") / "search_index.json"
            merge_search_index(site_dir / index, old_dir / index, hooks_state.ORDER,
                               {_page_url(p) for p in unchanged})  # fmt: skip
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
        hooks_state.PRELOADED = None
        hooks_state.PAGES = None
        hooks_state.UNCHANGED = set()
        hooks_state.ORDER = []
        hooks_state.SEARCH_WORK = None
    return manifest


def _page_url(docs_path: str) -> str:
    """The URL MkDocs gives a page (directory URLs): 'authorities/x.md' -> 'authorities/x/'."""
    stem = docs_path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def merge_search_index(new: Path, old: Path, order: list[str], kept: set[str]) -> None:
    """Complete the site search index of a dirty build: MkDocs wrote entries only for the pages
    it rendered; the pages it kept from the previous site get their previous entries back, all
    in the order of a clean build (the order of the pages), written as Material writes it."""
    fresh = json.loads(new.read_text(encoding="utf-8"))
    before = json.loads(old.read_text(encoding="utf-8"))

    def by_page(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in entries:
            out[str(e["location"]).split("#")[0]].append(e)
        return out

    now, then = by_page(fresh["docs"]), by_page(before["docs"])
    docs = [e for url in order for e in (then if url in kept else now).get(url, [])]
    data = {"config": fresh["config"], "docs": docs}
    new.write_bytes(json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))
