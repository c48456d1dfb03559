"""A council's page (its headline judgement, every inspection over time, its grades beside its
statistical neighbours', where other reports name it) and the index of councils.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from evidence_archive import urls
from evidence_archive.build.cache import Built
from evidence_archive.dates import doc_date, human_date
from evidence_archive.frameworks import (
    COMMON_SCALE,
    FRAMEWORKS,
    areas_not_given,
    common_scale,
    variant_for,
)
from evidence_archive.model import Document, Judgement
from evidence_archive.registry import Authority, load_registry
from evidence_archive.site.html import esc, grade_html, md_text, unsearched
from evidence_archive.site.reports import overall_judgement


@dataclass(frozen=True)
class Mention:
    """A place in another document that names an authority."""

    doc: Document
    anchor: str
    section: str
    text: str


def mentions(built: list[Built], only: Collection[str] | None = None) -> dict[str, list[Mention]]:
    """Blocks and headings that name each authority (or only those of only), in documents not
    about that authority (found when each document was parsed: Built.named)."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for b in built:
        sections = None  # read once, and only for a document with places wanted
        for si, bi, slugs in b.named:
            if only is not None and not any(s in only for s in slugs):
                continue
            sections = b.doc.sections if sections is None else sections
            sec = sections[si]
            anchor, text = (sec.anchor, sec.title) if bi < 0 else (
                sec.blocks[bi].anchor, sec.blocks[bi].text)  # fmt: skip
            for slug in slugs:
                if only is None or slug in only:
                    found[slug].append(Mention(b.doc, anchor, sec.title, text))
    return found


def naming(built: list[Built]) -> dict[str, list[str]]:
    """The documents that name each authority (mentions' documents, in their order): all that
    a council page takes from other councils' documents besides their grades."""
    found: dict[str, list[str]] = defaultdict(list)
    for b in built:
        for slug in sorted({s for _, _, slugs in b.named for s in slugs}):
            found[slug].append(b.doc.id)
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
    graded += [d for d in docs if d.meta.kind == "joint-area-review" and d.judgements]
    return max(graded, key=lambda d: (doc_date(d), d.id), default=None)


def headline(a: Authority, docs: list[Document]) -> list[str]:
    """The answer to "how is my council judged now?": the newest inspection's overall
    judgement (or that its framework gives none), its date, framework and report; what the
    archive holds; and where later reports may be. Nothing here depends on other councils'
    documents (the archive's newest date is on the Authorities page), so that a report added
    to one council leaves the other councils' pages as they were: at 5,000 reports, a page
    that named the archive's newest date had every council page rendered again (40 s) each
    time a newer report came in."""
    latest = latest_inspection(docs)
    out = ['<div class="council-headline" markdown>', ""]
    if latest is None:
        out.append(f"The archive holds no graded inspection of {md_text(a.name)}.")
    else:
        j = overall_judgement(latest)
        fw = FRAMEWORKS[str(latest.meta.framework)].name.split(" (")[0]
        link = "../" + urls.report_doc(a.slug, latest.id)
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
    out += ["", f"The archive holds {held}. Ofsted may have published later reports than the "
            f"archive holds (the [Authorities](index.md) page gives the date of its newest): see "
            f"{ofsted}.", "", "</div>", ""]  # fmt: skip
    return out


def latest_overall(docs: Iterable[Document]) -> tuple[Judgement, Document] | None:
    """The most recent overall judgement among documents."""
    best = None
    for d in sorted(docs, key=doc_date):
        j = overall_judgement(d)
        if j is not None:
            best = (j, d)
    return best


def comparison_rows(
    a: Authority,
    by_auth: dict[str, list[Document]],
    newest: dict[str, tuple[Judgement, Document] | None] | None = None,
) -> list[str]:
    """The rows of a council page's comparison with its statistical neighbours and region: all
    that the page takes from other councils' documents but where they name it. newest: each
    council's latest_overall, when already worked out."""
    reg = load_registry()
    compared = [(s, "statistical neighbour") for s in a.statistical_neighbours]
    compared += [
        (o.slug, "same region")
        for o in reg.current()
        if o.region == a.region and o.slug != a.slug and o.slug not in a.statistical_neighbours
    ]
    out = []
    for slug, relation in [(a.slug, "this authority"), *compared]:
        other = reg.get(slug)
        if other is None:
            continue
        if newest is not None and slug in newest:
            latest = newest[slug]
        else:
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
    return out


def authority_page(
    a: Authority,
    docs: list[Document],
    compared: list[str],
    named_in: list[Mention],
) -> str:
    """An authority's page: documents over time, timeline, a link to its recommendations page
    (tracker.council_recommendations_page), comparisons (compared: comparison_rows), mentions
    elsewhere."""
    docs = sorted(docs, key=doc_date)
    out = [f"# {md_text(a.name)}", ""]
    out.append(
        f"{md_text(a.type or 'Local authority')} in {md_text(a.region)}. LA code "
        f"{md_text(a.la_code)}, Ofsted URN {md_text(a.urn or 'none')}."
    )
    if docs:
        out += ["", *headline(a, docs)]
    if docs:
        from evidence_archive.registry import region_key

        out += ["", f"Follow new documents: [Atom feed for {md_text(a.name)}]"
                f"(../{urls.council_feed(a.slug)}), [Atom feed for {md_text(a.region)}]"
                f"(../{urls.region_feed(region_key(a.region))})."]  # fmt: skip
    out += ["", "## Documents", ""]
    if not docs:
        out.append(
            "The archive holds no report about this authority yet; other documents name it (below)."
        )
    else:
        out += ["| Date | Document | Framework | Overall |", "| --- | --- | --- | --- |"]
    for d in docs:
        j = overall_judgement(d)
        link = f"[{md_text(str(d.meta.title))}](../{urls.report_doc(a.slug, d.id)})"
        reason = areas_not_given(d.meta).get("overall")
        grade = (
            grade_html(j.grade, j.score) if j else md_text(reason.capitalize()) if reason else "—"
        )
        out.append(
            f'| <span class="nowrap">{esc(human_date(doc_date(d)))}</span> | {link} | '
            f"{md_text(FRAMEWORKS[str(d.meta.framework)].name.split(' (')[0])} | {grade} |"
        )
    svg = timeline_svg(docs, a.name)
    if svg:
        out += ["", "## Judgements over time", ""]
        # Plain HTML, not Markdown in HTML: the chart and its table are built escaped here, and
        # Markdown's inline patterns over the table's cells were a third of a council page's
        # rendering (at 5,000 reports, a newest report has 36 council pages rendered again).
        # Out of the site's search index too (data-search-exclude): the documents table above
        # names each report; this lists every judgement again. On the innermost divs: the
        # search plugin ends an exclusion at the first closing tag of the same name.
        out += ['<div class="timeline-pair">', "",
                '<div class="table-scroll timeline-scroll" role="region" tabindex="0" '
                'aria-label="Timeline of judgements" data-search-exclude>', svg, "</div>",
                ""]  # fmt: skip
        out += [
            '<div class="table-scroll" role="region" tabindex="0" '
            'aria-label="The judgements in the chart" data-search-exclude>'
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
    made = [d for d in docs if d.recommendations]
    if made:
        n = sum(len(d.recommendations) for d in made)
        out += ["", "## Recommendations and what the next inspection said", "",
                f"{n} recommendation{'s' if n != 1 else ''} in {len(made)} "
                f"report{'s' if len(made) != 1 else ''}, each with the passages of the council's "
                f"next inspection that speak to it: [{md_text(a.name)}: recommendations and what "
                f"the next inspection said]({a.slug}/recommendations.md)."]  # fmt: skip
    out += ["", "## Compared with statistical neighbours and region", ""]
    out += ["| Authority | Relation | Latest overall judgement |", "| --- | --- | --- |"]
    out += compared
    if named_in:
        # The places are other reports' text: out of the site's search index (which every
        # visitor's browser loads whole), as report text is; evidence search finds them.
        listed: list[str] = []
        by_doc: dict[str, list[Mention]] = defaultdict(list)
        for mtn in named_in:
            by_doc[mtn.doc.id].append(mtn)
        for places in by_doc.values():
            for mtn in places[:MENTIONS_PER_DOCUMENT]:
                snippet = mtn.text if len(mtn.text) < 160 else mtn.text[:157] + "…"
                listed.append(
                    f"- [{md_text(str(mtn.doc.meta.title))} — {md_text(mtn.section)}]"
                    f"(../{urls.doc_of(mtn.doc)}#{mtn.anchor}): "
                    f"{md_text(snippet)}"
                )
            if len(places) > MENTIONS_PER_DOCUMENT:
                more = len(places) - MENTIONS_PER_DOCUMENT
                d = places[0].doc
                listed.append(
                    f"- … and {more} more place{'s' if more > 1 else ''} in "
                    f"[{md_text(str(d.meta.title))}](../{urls.doc_of(d)})"
                )
        out += ["", "## Named in other documents", "", *unsearched(listed)]
    return "\n".join(out) + "\n"


def authorities_index(by_auth: dict[str, list[Document]], named: set[str] | None = None) -> str:
    """All English authorities by region: documents held and latest overall judgement."""
    reg = load_registry()
    newest = max((doc_date(d) for docs in by_auth.values() for d in docs), default="")
    holds = (
        f" The archive holds documents dated up to {md_text(human_date(newest))}; Ofsted may have "
        "published later reports: see [Ofsted's reports site](https://reports.ofsted.gov.uk/)."
        if newest else ""
    )  # fmt: skip
    out = [
        "# Authorities",
        "",
        "Every English local authority with children's services responsibilities, by region, "
        "with the overall judgement of its newest inspection in the archive. A name is a link "
        f"where the archive holds its documents.{holds}",
        "",
        '<label for="authority-filter">Filter authorities</label> '
        '<input id="authority-filter" class="table-filter" type="search" '
        'placeholder="e.g. Kent or North West">',
        "",
    ]
    by_region: dict[str, list[Authority]] = defaultdict(list)
    for a in reg.current():
        by_region[a.region].append(a)
    from evidence_archive.registry import region_key

    councils = [reg.get(slug) for slug, docs in by_auth.items() if docs]
    held = {region_key(c.region) for c in councils if c is not None}
    for region in sorted(by_region):
        feed = (
            [f"[Atom feed of new documents in {md_text(region)}]"
             f"(../{urls.region_feed(region_key(region))})", ""]
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
                j = overall_judgement(latest)
                reason = areas_not_given(latest.meta).get("overall", "not printed")
                grade = grade_html(j.grade, j.score) if j else md_text(reason.capitalize())
                when = f'<span class="nowrap">{esc(human_date(doc_date(latest)))}</span>'
            out.append(f"| {name} | {len(docs)} | {grade} | {when} |")
        out.append("")
    return "\n".join(out)
