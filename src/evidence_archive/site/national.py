"""The national pages: the comparison matrix (as at any year), the national picture chart and the
grade scales.
"""

from __future__ import annotations

import json
from collections import defaultdict

from evidence_archive import urls
from evidence_archive.frameworks import (
    AREAS,
    COMMON_SCALE,
    FRAMEWORKS,
    GRADE_WORDS,
)
from evidence_archive.model import Document
from evidence_archive.opendata.national import MATRIX_AREAS, Entry, area_history, national_picture
from evidence_archive.registry import load_registry
from evidence_archive.site.html import esc, grade_html, md_text


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
            f'<tr data-slug="{esc(a.slug)}"><th scope="row">'
            f'<a href="../{esc(urls.council_url(a.slug))}">{esc(a.name)}</a></th>'
            f"<td>{esc(a.region)}</td>{cells}</tr>"
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
