"""The whole archive as one SQLite database, to open in Datasette or any SQL tool.

Tables: every dataset of opendata/dictionary.py (documents, judgements, grades_by_year,
recommendations) with the same columns, councils and their statistical neighbours from the
registry, and paragraphs (every block of every report's text, with its anchor and section),
searchable through the FTS5 table paragraphs_fts. Written the same way from the same corpus,
the file is the same byte for byte.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from evidence_archive.build.cache import Built
from evidence_archive.opendata.dictionary import DATASETS, Column
from evidence_archive.registry import load_registry

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


def write_database(built: list[Built], tables: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Write the database file at path (a new file: any file there is replaced)."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = OFF")
        for d in DATASETS:
            _create(db, _table(d.key), d.columns)
            rows = [tuple(r[c] for c in d.names) for r in tables[d.key]]
            _insert(db, _table(d.key), d.names, rows)
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
        _insert(db, "paragraphs", ("",) * 6, [
            (b.doc.id, blk.anchor, blk.number, sec.title, blk.kind, blk.text)
            for b in built for sec in b.doc.sections for blk in sec.blocks
        ])  # fmt: skip
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
