"""Dates as the archive shows and sorts them: one rule for every page, feed, index and API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence_archive.model import Document

_MONTHS = "January February March April May June July August September October November December"


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


def citation_year(doc: Document) -> str:
    """The year a citation names."""
    return doc_date(doc)[:4] or "n.d."


def doc_date(doc: Document) -> str:
    """The date a document is placed at: published, else end of inspection, else plan start.
    One rule for the site, the feeds and the static search."""
    m = doc.meta
    return str(m.published or m.inspection_end or m.plan_start or "")
