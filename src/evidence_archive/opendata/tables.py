"""The archive as data: documents.json, judgements.csv, the national picture, search labels."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from evidence_archive.build.cache import Built
from evidence_archive.frameworks import AREAS, FRAMEWORKS, KINDS
from evidence_archive.registry import load_registry


def document_record(b: Built) -> dict[str, Any]:
    """One entry of data/documents.json."""
    m, fm = b.doc.meta, b.front
    return {
        "id": b.doc.id,
        "source_file": b.source_file,
        "title": m.title,
        "authority": m.authority,
        "la_code": fm["la_code"],
        "kind": m.kind,
        "framework": m.framework,
        "published": m.published,
        "inspection_start": m.inspection_start,
        "inspection_end": m.inspection_end,
        "listing_date": m.listing_date,
        "source_url": m.source_url,
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
    from evidence_archive.frameworks import AREAS, areas_not_given, common_scale

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
                [b.doc.id, m.authority, m.framework, m.published or "",
                 m.inspection_end or "", j.label, j.scope, j.grade,
                 "" if j.score is None else j.score, j.area or "", common_scale(j.grade) or "",
                 "not graded as printed" if j.grade == "not judged" else ""]
            )  # fmt: skip
        for area, reason in areas_not_given(m).items():
            w.writerow(
                [b.doc.id, m.authority, m.framework, m.published or "",
                 m.inspection_end or "", AREAS[area], "", "", "", area, "", reason]
            )  # fmt: skip
    return buf.getvalue()


def open_data(built: list[Built]) -> dict[str, str]:
    from evidence_archive.opendata.national import group_by_authority, national_picture_csv

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


def facet_labels() -> dict[str, dict[str, str]]:
    """Labels of the filter values the search page shows (kinds, frameworks, judgement areas)."""
    return {
        "kind": dict(KINDS),
        "framework": {k: f.name.split(" (")[0] for k, f in FRAMEWORKS.items()},
        "area": dict(AREAS),
        "council": {a.name: a.slug for a in load_registry()},
    }
