"""Judgements across councils and over time: each council's grade history per area and the
national picture (councils per grade, year by year), for the open data and the national pages.
"""

from __future__ import annotations

from collections import defaultdict

from evidence_archive.build.cache import Built
from evidence_archive.dates import doc_date
from evidence_archive.frameworks import (
    COMMON_SCALE,
    COMPARED_AREAS,
    areas_not_given,
    common_scale,
)
from evidence_archive.model import Document
from evidence_archive.registry import load_registry

#: The judgement areas compared on the national matrix, in column order.
MATRIX_AREAS = (*COMPARED_AREAS, "safeguarding", "capacity")


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


def group_by_authority(built: list[Built]) -> dict[str, list[Document]]:
    """Documents by authority slug (national documents under 'england')."""
    out: dict[str, list[Document]] = defaultdict(list)
    for b in built:
        out[str(b.doc.meta.authority)].append(b.doc)
    return dict(out)
