"""The whole archive as one SQLite database, to open in Datasette or any SQL tool.

Tables: every dataset of opendata/dictionary.py (documents, judgements, grades_by_year,
recommendations) with the same columns, councils and their statistical neighbours from the
registry, and paragraphs (every block of every report's text, with its anchor and section),
searchable through the FTS5 table paragraphs_fts. Written whole (a clean build) from the same
corpus, the file is the same byte for byte; an incremental build updates the last build's
(update_database): the same rows, the changed documents' paragraphs last.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evidence_archive.build.cache import Built
from evidence_archive.opendata.dictionary import DATASETS, Column
from evidence_archive.registry import load_registry

log = logging.getLogger(__name__)

_SQL_TYPE = {"text": "TEXT", "date": "TEXT", "integer": "INTEGER", "year": "INTEGER"}


def _table(key: str) -> str:
    return key.replace("-", "_")


def _create(db: sqlite3.Connection, name: str, columns: tuple[Column, ...]) -> None:
    cols = ", ".join(f'"{c.name}" {_SQL_TYPE[c.type]}' for c in columns)
    db.execute(f'CREATE TABLE "{name}" ({cols})')


def _insert(db: sqlite3.Connection, name: str, names: tuple[str, ...], rows: list[Any]) -> None:
    marks = ", ".join("?" for _ in names)
    db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)


def database(built: list[Built], tables: dict[str, list[dict[str, Any]]]) -> bytes:
    """The database file's bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.sqlite"
        write_database(built, tables, path)
        return path.read_bytes()


def _paragraph_rows(built: Iterable[Built]) -> list[tuple[Any, ...]]:
    return [
        (b.doc.id, blk.anchor, blk.number, sec.title, blk.kind, blk.text)
        for b in built for sec in b.doc.sections for blk in sec.blocks
    ]  # fmt: skip


def _fill_datasets(db: sqlite3.Connection, tables: dict[str, list[dict[str, Any]]]) -> None:
    for d in DATASETS:
        rows = [tuple(r[c] for c in d.names) for r in tables[d.key]]
        _insert(db, _table(d.key), d.names, rows)


def write_database(built: list[Built], tables: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Write the database file at path (a new file: any file there is replaced)."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = OFF")
        for d in DATASETS:
            _create(db, _table(d.key), d.columns)
        _fill_datasets(db, tables)
        db.execute(
            "CREATE TABLE councils (council TEXT PRIMARY KEY, council_name TEXT, la_code TEXT,"
            " ons_code TEXT, urn TEXT, region TEXT, type TEXT, current INTEGER)"
        )
        db.execute("CREATE TABLE neighbours (council TEXT, neighbour TEXT, rank INTEGER)")
        reg = sorted(load_registry(), key=lambda a: a.slug)
        _insert(db, "councils", ("",) * 8, [
            (a.slug, a.name, a.la_code, a.ons_code, a.urn, a.region, a.type, int(a.current))
            for a in reg
        ])  # fmt: skip
        _insert(db, "neighbours", ("",) * 3, [
            (a.slug, n, k) for a in reg for k, n in enumerate(a.statistical_neighbours, 1)
        ])  # fmt: skip
        db.execute(
            "CREATE TABLE paragraphs (document TEXT, anchor TEXT, number TEXT, section TEXT,"
            " kind TEXT, text TEXT)"
        )
        _insert(db, "paragraphs", ("",) * 6, _paragraph_rows(built))
        db.execute(
            "CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, section, "
            "content='paragraphs', tokenize='porter unicode61')"
        )
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        for index in (
            "judgements(council, area)", "judgements(document)", "recommendations(document)",
            "recommendations(council)", "grades_by_year(council, year)",
            "paragraphs(document)", "neighbours(council)",
        ):  # fmt: skip
            name = "idx_" + index.replace("(", "_").replace(", ", "_").rstrip(")")
            db.execute(f"CREATE INDEX {name} ON {index}")
        db.commit()  # no VACUUM: a database written once has nothing to reclaim
    finally:
        db.close()


def update_database(
    last: Path,
    path: Path,
    built: list[Built],
    tables: dict[str, list[dict[str, Any]]],
    changed: Iterable[str],
    removed: Iterable[str],
) -> None:
    """Write at path this build's database from the last build's (the file at last, made by the
    same code, which is left as it is): the paragraphs of the documents changed (or added) and
    removed since are taken out of the paragraphs table and its FTS5 index and the changed
    ones' put in, and the datasets (a few rows per document, some of which depend on other
    documents, such as a recommendation's follow-up) are written again whole. Writing the whole
    database is most of an incremental build's work at 5,000 reports (its FTS5 index of 776,393
    paragraphs: about 11 s); this takes about a second.

    The rows are those of write_database; the paragraphs of changed documents come last in the
    table's order instead of in the order of the documents' ids, so the file is not the same
    byte for byte as a clean build's (tests compare the tables and the FTS5 answers). A last
    file that cannot be updated (damaged, or of another shape) is not used: the database is
    written whole."""
    now = set(changed)
    path.unlink(missing_ok=True)
    shutil.copyfile(last, path)
    try:
        db = sqlite3.connect(path)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            gone = sorted(now | set(removed))
            db.execute("CREATE TEMP TABLE gone (document TEXT PRIMARY KEY)")
            db.executemany("INSERT INTO gone VALUES (?)", [(d,) for d in gone])
            db.execute(
                "INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text, section) "
                "SELECT 'delete', rowid, text, section FROM paragraphs "
                "WHERE document IN (SELECT document FROM gone)"
            )
            db.execute("DELETE FROM paragraphs WHERE document IN (SELECT document FROM gone)")
            (top,) = db.execute("SELECT coalesce(max(rowid), 0) FROM paragraphs").fetchone()
            _insert(
                db, "paragraphs", ("",) * 6, _paragraph_rows(b for b in built if b.doc.id in now)
            )
            db.execute(
                "INSERT INTO paragraphs_fts(rowid, text, section) "
                "SELECT rowid, text, section FROM paragraphs WHERE rowid > ?",
                (top,),
            )
            for d in DATASETS:
                db.execute(f'DELETE FROM "{_table(d.key)}"')
            _fill_datasets(db, tables)
            db.commit()
        finally:
            db.close()
    except sqlite3.Error as err:
        log.warning(
            "the last build's database (%s) could not be updated (%s): written whole", last, err
        )
        write_database(built, tables, path)
