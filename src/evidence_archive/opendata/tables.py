"""The archive as data: every dataset of opendata/dictionary.py as CSV and JSON, the national
picture, the search page's labels, and the whole archive as one SQLite database."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from typing import Any

from evidence_archive import urls
from evidence_archive.build.cache import Built
from evidence_archive.dates import doc_date
from evidence_archive.frameworks import (
    AREAS,
    COMMON_SCALE,
    FRAMEWORKS,
    KINDS,
    areas_not_given,
    common_scale,
    variant_for,
)
from evidence_archive.model import Document
from evidence_archive.opendata.dictionary import DATASETS, Dataset
from evidence_archive.opendata.national import (
    area_history,
    group_by_authority,
    national_picture_csv,
)
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


def _council(slug: str) -> dict[str, Any]:
    a = load_registry().get(slug)
    return {
        "council": slug,
        "council_name": a.name if a else "England",
        "la_code": a.la_code if a else None,
        "ons_code": a.ons_code if a else None,
        "region": a.region if a else None,
    }


def _variant(doc: Document) -> str | None:
    v = variant_for(doc.meta)
    return v.key if v else None


def document_rows(built: list[Built]) -> list[dict[str, Any]]:
    out = []
    for b in built:
        m, fm = b.doc.meta, b.front
        out.append({
            "id": b.doc.id, "title": m.title, **_council(m.authority), "kind": m.kind,
            "framework": m.framework, "variant": _variant(b.doc),
            "inspection_type": m.inspection_type, "inspection_start": m.inspection_start,
            "inspection_end": m.inspection_end, "published": m.published,
            "listing_date": m.listing_date, "date": doc_date(b.doc) or None,
            "reference": m.reference, "source_url": m.source_url, "pages": m.pages,
            "paragraphs": fm["paragraphs"]["count"], "words": fm["words"],
            "recommendations": len(b.doc.recommendations), "url": urls.url_of(b.doc),
        })  # fmt: skip
    return out


def judgement_rows(built: list[Built]) -> list[dict[str, Any]]:
    out = []
    for b in built:
        m = b.doc.meta
        base = {
            "document": b.doc.id, **_council(m.authority), "framework": m.framework,
            "variant": _variant(b.doc), "inspection_start": m.inspection_start,
            "inspection_end": m.inspection_end, "published": m.published,
            "date": doc_date(b.doc) or None,
        }  # fmt: skip
        for j in b.doc.judgements:
            scale = common_scale(j.grade)
            out.append({
                **base, "label": j.label, "scope": j.scope, "area": j.area, "grade": j.grade,
                "score": j.score, "common_scale": scale,
                "common_grade": COMMON_SCALE[scale] if scale else None,
                "note": "not graded as printed" if j.grade == "not judged" else None,
            })  # fmt: skip
        for area, reason in areas_not_given(m).items():
            out.append({
                **base, "label": AREAS[area], "scope": None, "area": area, "grade": None,
                "score": None, "common_scale": None, "common_grade": None, "note": reason,
            })  # fmt: skip
    return out


def grades_by_year_rows(built: list[Built]) -> list[dict[str, Any]]:
    """Every council's latest grade per compared area at the end of each year."""
    by_auth = group_by_authority(built)
    newest = max((doc_date(b.doc)[:4] for b in built if doc_date(b.doc)), default="")
    out: list[dict[str, Any]] = []
    for slug, docs in sorted(by_auth.items()):
        if load_registry().get(slug) is None:
            continue
        dated = sorted((doc_date(d), d.id) for d in docs if doc_date(d))
        for area, steps in sorted(area_history(docs).items()):
            first = int(steps[0][0][:4])
            for year in range(first, int(newest) + 1):
                # the step standing at the year's end (there is one: year >= the first's)
                when, scale, grade = [s for s in steps if s[0][:4] <= str(year)][-1]
                doc_id = next((i for d, i in reversed(dated) if d == when), None)
                out.append({
                    **_council(slug), "year": year, "area": area,
                    "grade": grade if scale else None, "common_scale": scale or None,
                    "common_grade": COMMON_SCALE[scale] if scale else "not given",
                    "since": when, "document": doc_id,
                })  # fmt: skip
    return out


def recommendation_rows(built: list[Built]) -> list[dict[str, Any]]:
    out = []
    for b in built:
        m = b.doc.meta
        for r in b.doc.recommendations:
            out.append({
                "id": f"{b.doc.id}#{r.anchor}", "document": b.doc.id, **_council(m.authority),
                "framework": m.framework, "variant": _variant(b.doc),
                "date": doc_date(b.doc) or None, "order": r.order, "section": r.section,
                "number": r.number, "area": r.area, "text": r.text,
                "url": f"{urls.url_of(b.doc)}#{r.anchor}",
            })  # fmt: skip
    return out


ROWS = {
    "documents": document_rows,
    "judgements": judgement_rows,
    "grades-by-year": grades_by_year_rows,
    "recommendations": recommendation_rows,
}


def to_csv(dataset: Dataset, rows: list[dict[str, Any]]) -> str:
    """The rows as CSV, the dataset's columns in order (None written as an empty field, as the
    csv module writes it)."""
    names = dataset.names
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    w.writerows(map(itemgetter(*names), rows) if len(names) > 1 else ([r[names[0]]] for r in rows))
    return buf.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    """A JSON array, one record per line (each line written by json's C encoder: an indented
    whole file goes through its pure-Python encoder, 0.5 s of every build of the real archive;
    one encoder for every line, as json.dumps would make one per line)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = ",\n".join(map(encode, rows))
    return f"[\n{lines}\n]\n" if rows else "[]\n"


def tables(built: list[Built]) -> dict[str, list[dict[str, Any]]]:
    """Every dataset's rows, in DATASETS order."""
    return {d.key: ROWS[d.key](built) for d in DATASETS}


def open_data(built: list[Built]) -> dict[str, str | bytes]:
    """The open-data files, path under OUT (and the site) -> contents. `evidence build` makes
    the same files, the database in a process of its own (pipeline.py)."""
    from evidence_archive.opendata.database import database

    made = tables(built)
    # The database (most of its time in SQLite's FTS5, which runs without the GIL) is made in a
    # thread while the CSV and JSON files are encoded here.
    with ThreadPoolExecutor(1) as pool:
        db = pool.submit(database, built, made)
        files: dict[str, str | bytes] = dict(data_files(built, made))
        files[DATABASE] = db.result()
    return files


def data_files(built: list[Built], made: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """The open data but the database: the CSV and JSON files."""
    files: dict[str, str] = {}
    for d in DATASETS:
        files[f"data/{d.key}.csv"] = to_csv(d, made[d.key])
        rows = made[d.key]
        if d.key == "documents":
            # documents.json keeps each document's judgements (and its older fields) nested.
            rows = [{**row, **document_record(b)} for row, b in zip(rows, built, strict=True)]
        files[f"data/{d.key}.json"] = to_json(rows)
    files["data/national-picture.csv"] = national_picture_csv(group_by_authority(built))
    # For the search page on a static host: labels of the static index's filter values.
    files["data/search-labels.json"] = (
        json.dumps(facet_labels(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    )
    return files


DATABASE = "data/archive.sqlite"

Content = str | bytes
"""An open-data file: its text or bytes."""


def facet_labels() -> dict[str, dict[str, str]]:
    """Labels of the filter values the search page shows (kinds, frameworks, judgement areas)."""
    return {
        "kind": dict(KINDS),
        "framework": {k: f.name.split(" (")[0] for k, f in FRAMEWORKS.items()},
        "area": dict(AREAS),
        "council": {a.name: a.slug for a in load_registry()},
    }
