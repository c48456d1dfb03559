"""How things are named where they are shown, cited or linked (small enough for every start
path: the search command imports it without the document model)."""

from __future__ import annotations


def para(number: object) -> str:
    """How a numbered paragraph is named wherever it is shown, cited or linked: 'para. 27'; ''
    for an entry without a number (a heading, list item or table row), which is named by its
    section instead."""
    return f"para. {number}" if number else ""
