"""Fidelity: every corpus page keeps every word of its source, in order."""

from __future__ import annotations

import pytest

from evidence_archive.check.fidelity import check_entry, compare, source_words
from evidence_archive.corpus.store import scan
from evidence_archive.parse.document import parse
from evidence_archive.render.markdown import render

from .conftest import CORPUS, run_cli

ENTRIES = scan([CORPUS])[0]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_page_keeps_every_word_of_its_source(entry) -> None:
    f = check_entry(entry)
    assert f.differences == []
    # What is dropped is only layout, and little of it.
    assert set(f.dropped) <= {"contents", "graphic", "furniture", "layout"}
    assert sum(f.dropped.values()) < 0.02 * f.source
    assert f.page + sum(f.dropped.values()) == f.source


def test_the_check_sees_a_lost_word() -> None:
    entry = next(e for e in ENTRIES if e.id == "hampshire-2007-08-14-joint-area-review")
    text = entry.read_text()
    doc = parse(text, entry.meta)
    page = render(doc)
    assert "approximately 309,000 children" in page
    broken = page.replace("approximately 309,000 children", "approximately children", 1)
    result = compare(text, doc, broken)
    assert len(result.differences) == 1
    assert "309" in result.differences[0]


def test_the_check_sees_a_changed_and_a_moved_word() -> None:
    entry = next(e for e in ENTRIES if e.id == "havering-2007-02-06-joint-area-review")
    text = entry.read_text()
    doc = parse(text, entry.meta)
    page = render(doc)
    changed = page.replace(
        "services for young carers are inadequate", "services for young carers are good", 1
    )
    assert changed != page
    assert compare(text, doc, changed).differences
    moved = page.replace(
        "are mostly healthy, appear to be safe", "are mostly safe, appear to be healthy", 1
    )
    assert moved != page
    assert compare(text, doc, moved).differences


def test_source_words_ignore_markup_not_words() -> None:
    assert source_words("<p>Good <b>range</b>.</p> Tier 4¹ <sup>&</sup>lt;sup>2</sup>") == [
        "Good", "range", "Tier", "4", "1", "2"
    ]  # fmt: skip


def test_check_fidelity_cli_reports_every_document() -> None:
    result = run_cli("check", "--fidelity")
    assert result.returncode == 0, result.stdout
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert {r[0] for r in rows} == {e.id for e in ENTRIES}
    assert all(r[-1] == "0" for r in rows)
