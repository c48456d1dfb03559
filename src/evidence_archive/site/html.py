"""Escaping for the site's pages: every text from a report or the registry goes through esc or
md_text before it reaches a page.
"""

from __future__ import annotations

import html
import re

from evidence_archive.frameworks import (
    common_scale,
)


def esc(text: object) -> str:
    """Escape text for HTML (and so for Markdown inside HTML blocks)."""
    return html.escape(str(text), quote=True)


def md_text(text: str) -> str:
    """Escape text for a Markdown table cell, paragraph or heading (never an attribute: esc).
    Quote marks stay as they are: as entities they would show in the table of contents that
    MkDocs makes from a heading ('children&#x27;s')."""
    s = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]{}|#])", r"\\\1", s)


def grade_html(grade: str, score: int | None = None) -> str:
    """A grade as a word with a colour class; the word is always there, never colour alone."""
    scale = common_scale(grade)
    number = f" ({score})" if score is not None else ""
    return f'<span class="grade grade-{scale or 0}">{esc(grade.capitalize())}{number}</span>'


def unsearched(lines: list[str]) -> list[str]:
    """Markdown lines kept out of the site's own search index (Material's data-search-exclude):
    report text quoted on the site's pages (recommendations and the next report's passages,
    the places in other reports that name a council), which evidence search finds. Every
    visitor's browser loads that index whole: for the real archive such text was 5 of its
    6 MB (75 MB at 5,000 reports). Lines with no <div> of their own: the search plugin ends an
    exclusion at the first closing tag of the same name."""
    return ["<div data-search-exclude markdown>", "", *lines, "", "</div>"]
