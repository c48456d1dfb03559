"""The archive as data: every dataset as its dictionary declares it, the SQLite database, and
the questions analysts ask of it, each answered in SQL and checked against the corpus itself."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.dates import doc_date
from evidence_archive.frameworks import common_scale
from evidence_archive.opendata.dictionary import DATASETS
from evidence_archive.opendata.tables import DATABASE, open_data
from evidence_archive.registry import load_registry

from .conftest import CORPUS


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    built = parse_corpus([CORPUS], jobs=2)
    data = open_data(built)
    path = tmp_path_factory.mktemp("data") / "archive.sqlite"
    path.write_bytes(data[DATABASE])  # type: ignore[arg-type]
    db = sqlite3.connect(path)
    yield built, data, db
    db.close()


def test_every_dataset_is_its_dictionary(archive) -> None:  # type: ignore[no-untyped-def]
    built, data, db = archive
    for d in DATASETS:
        rows = list(csv.reader(io.StringIO(data[f"data/{d.key}.csv"])))  # type: ignore[arg-type]
        assert tuple(rows[0]) == d.names, d.key
        records = json.loads(data[f"data/{d.key}.json"])
        assert len(records) == len(rows) - 1 > 0, d.key
        assert all(set(d.names) <= set(r) for r in records), d.key
        cols = tuple(r[1] for r in db.execute(f'PRAGMA table_info("{d.key.replace("-", "_")}")'))
        assert cols == d.names, d.key
        (n,) = db.execute(f'SELECT count(*) FROM "{d.key.replace("-", "_")}"').fetchone()
        assert n == len(records), d.key
    docs = [b.doc for b in built]
    assert len(json.loads(data["data/recommendations.json"])) == sum(
        len(d.recommendations) for d in docs
    )
    assert len(json.loads(data["data/documents.json"])) == len(docs) == 405


def _overall_by_council(built) -> dict[str, list[tuple[str, int, str]]]:  # type: ignore[no-untyped-def]
    """(date, common scale, document) of every graded overall judgement, per council, from the
    parsed documents themselves."""
    out: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for b in built:
        for j in b.doc.judgements:
            scale = common_scale(j.grade)
            if j.area == "overall" and scale:
                out[b.doc.meta.authority].append((doc_date(b.doc), scale, b.doc.id))
                break
    return {k: sorted(v) for k, v in out.items()}


def test_which_councils_moved_from_inadequate_to_good_and_when(archive) -> None:  # type: ignore[no-untyped-def]
    built, _, db = archive
    sql = """
        WITH overall AS (
          SELECT council, date, document, common_scale,
                 LAG(common_scale) OVER (PARTITION BY council ORDER BY date, document) AS before,
                 LAG(date) OVER (PARTITION BY council ORDER BY date, document) AS since
          FROM judgements WHERE area = 'overall' AND common_scale IS NOT NULL
        )
        SELECT council, since, date FROM overall
        WHERE before = 1 AND common_scale >= 3 ORDER BY council, date
    """
    answer = [tuple(r) for r in db.execute(sql)]
    expected = []
    for council, steps in sorted(_overall_by_council(built).items()):
        for (d1, s1, _), (d2, s2, _) in zip(steps, steps[1:], strict=False):
            if s1 == 1 and s2 >= 3:
                expected.append((council, d1, d2))
    assert answer == sorted(expected)
    assert len(answer) >= 10  # the archive holds many such turnarounds
    assert ("hampshire", "2024-06-14") not in {(c, d) for c, _, d in answer}


def test_the_statistical_neighbours_of_a_council_with_their_latest_grades(archive) -> None:  # type: ignore[no-untyped-def]
    built, _, db = archive
    sql = """
        SELECT n.rank, n.neighbour, c.council_name,
          (SELECT j.grade FROM judgements j WHERE j.council = n.neighbour
             AND j.area = 'overall' AND j.common_scale IS NOT NULL
           ORDER BY j.date DESC, j.document DESC LIMIT 1) AS latest
        FROM neighbours n JOIN councils c ON c.council = n.neighbour
        WHERE n.council = ? ORDER BY n.rank
    """
    overall = _overall_by_council(built)
    grade_of = {b.doc.id: b.doc for b in built}
    reg = load_registry()
    for slug in ("hampshire", "kent", "havering", "middlesbrough"):
        answer = [tuple(r) for r in db.execute(sql, (slug,))]
        expected = []
        for rank, n in enumerate(reg.get(slug).statistical_neighbours, 1):  # type: ignore[union-attr]
            latest = None
            if overall.get(n):
                doc = grade_of[overall[n][-1][2]]
                latest = next(j.grade for j in doc.judgements
                              if j.area == "overall" and common_scale(j.grade))  # fmt: skip
            expected.append((rank, n, reg.get(n).name, latest))  # type: ignore[union-attr]
        assert answer == expected, slug
        assert len(answer) >= 5 and any(r[3] for r in answer)


def test_full_text_search_in_the_database(archive) -> None:  # type: ignore[no-untyped-def]
    built, _, db = archive
    rows = db.execute(
        "SELECT p.document, p.anchor, p.text FROM paragraphs_fts f "
        "JOIN paragraphs p ON p.rowid = f.rowid WHERE paragraphs_fts MATCH ? ",
        ('text : "private fostering"',),
    ).fetchall()
    printed = sum(
        "private fostering" in blk.text.lower()
        for b in built for sec in b.doc.sections for blk in sec.blocks
    )  # fmt: skip
    assert len(rows) >= printed > 50
    # Porter stemming: 'privately fostered' is a hit too, as evidence search would have it.
    assert all(re.search(r"privat\w*\s+foster", t, re.I) for _, _, t in rows)


def test_grades_by_year_carry_the_latest_grade_forward(archive) -> None:  # type: ignore[no-untyped-def]
    built, _, db = archive
    steps = _overall_by_council(built)["hampshire"]
    rows = dict(db.execute(
        "SELECT year, common_scale FROM grades_by_year WHERE council='hampshire' "
        "AND area='overall' ORDER BY year"
    ).fetchall())  # fmt: skip
    for year, scale in rows.items():
        now = [s for d, s, _ in steps if int(d[:4]) <= year]
        if now:
            assert scale == now[-1], year
    newest = max(int(doc_date(b.doc)[:4]) for b in built if doc_date(b.doc))
    assert max(rows) == newest


def test_the_open_data_page_lists_every_file_with_its_size_and_licence(archive) -> None:  # type: ignore[no-untyped-def]
    from evidence_archive.site.tracker import open_data_page

    _, data, _ = archive
    from evidence_archive.site.tracker import dictionary_pages

    page = open_data_page(data, 1234)
    dictionaries = dictionary_pages()
    for d in DATASETS:
        assert f"(data/{d.key}.csv) (" in page and f"(data/{d.key}.json) (" in page
        assert f"(open-data/{d.key}.md)" in page
        for c in d.columns:
            assert f"| `{c.name}` |" in dictionaries[f"open-data/{d.key}.md"]
    assert "archive.sqlite](data/archive.sqlite) (" in page and "all 1,234 paragraphs" in page
    for name in (
        "national-picture.csv",
        *(f"{d.key}.{x}" for d in DATASETS for x in ("csv", "json")),
    ):
        assert re.search(re.escape(f"{name}") + r"\)? \(?[^)]*?\d+ (KB|MB)", page), name
    assert "Open Government Licence" in page and "MIT" in page


def test_database_is_deterministic(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from evidence_archive.opendata.database import database
    from evidence_archive.opendata.tables import tables

    built, data, _ = archive
    assert database(built, tables(built)) == data[DATABASE]


def test_a_database_that_cannot_be_updated_is_written_whole(  # type: ignore[no-untyped-def]
    archive, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from evidence_archive.opendata.database import update_database
    from evidence_archive.opendata.tables import tables

    built, data, _ = archive
    last = tmp_path / "last.sqlite"
    last.write_bytes(b"not a database " * 1000)
    path = tmp_path / "archive.sqlite"
    update_database(last, path, built, tables(built), [built[0].doc.id], [])
    assert path.read_bytes() == data[DATABASE]  # as a clean build writes it
    assert "could not be updated" in caplog.text and str(last) in caplog.text
    assert last.read_bytes() == b"not a database " * 1000  # the last build's file is left alone
