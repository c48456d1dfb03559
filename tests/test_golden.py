"""Golden files, checked by hand: the structure of each seed (headings, paragraphs, tables,
judgements) and whole rendered pages, for the seeds and one real report of each framework and
variant that comes as a PDF.

tests/golden/<id>.json and <id>.md were written by `pytest --regen-golden` and then read against
the source text (and, for the reports, the PDF) before they were committed. A failure prints
what changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evidence_archive.corpus.store import scan
from evidence_archive.parse.document import parse
from evidence_archive.render.markdown import render

from .conftest import CORPUS, SEED_CORPUS

GOLDEN = Path(__file__).parent / "golden"
ENTRIES = scan([CORPUS])[0]
SEED_ENTRIES = scan([SEED_CORPUS])[0]


def summary(doc) -> dict:
    numbered = [int(b.number) for b in doc.numbered()]
    return {
        "headings": [f"{s.level} {s.title}" for s in doc.sections if s.level],
        "numbered": {
            "count": len(numbered),
            "first": numbered[0] if numbered else None,
            "last": max(numbered) if numbered else None,
            "restarts": [b for a, b in zip(numbered, numbered[1:], strict=False) if b <= a],
            "gaps": [a + 1 for a, b in zip(numbered, numbered[1:], strict=False) if b > a + 1],
        },
        "tables": [
            f"{len(b.rows)}x{len(b.rows[0])}{' header' if b.header else ''}"
            f"{' grades' if b.role else ''} {b.text.splitlines()[0][:50]}"
            for b in doc.blocks()
            if b.kind == "table"
        ],
        "footnotes": [f"{b.label} {b.text[:40]}" for b in doc.blocks() if b.kind == "footnote"],
        "judgements": [f"{j.label} | {j.scope} | {j.grade} | {j.score}" for j in doc.judgements],
        "boilerplate": [b.text[:60] for b in doc.boilerplate],
    }


@pytest.mark.parametrize("entry", SEED_ENTRIES, ids=[e.id for e in SEED_ENTRIES])
def test_golden_structure(entry, request) -> None:
    got = summary(parse(entry.read_text(), entry.meta))
    path = GOLDEN / f"{entry.id}.json"
    if request.config.getoption("--regen-golden"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    for key in want:
        assert got[key] == want[key], key


#: The seeds, and one report of each framework and variant ingested from a PDF.
PAGES = [e.id for e in SEED_ENTRIES] + [
    "oxfordshire-2018-04-20-ilacs-inspection",  # ILACS 2018-22
    "isles-of-scilly-2023-07-13-ilacs-inspection",  # ILACS from 2023 (care leavers on their own)
    "derbyshire-2013-12-11-single-inspection",  # SIF with the LSCB review
    "lambeth-2018-05-09-single-inspection",  # SIF, the council alone (2017-18)
    "doncaster-2018-01-19-single-inspection",  # SIF re-inspection
    "surrey-2015-08-03-lscb-review",  # a review of an LSCB on its own
    "norfolk-2013-08-16-looked-after-children-inspection",  # looked-after children, 2012
]


@pytest.mark.parametrize("doc_id", PAGES)
def test_golden_page(doc_id: str, request) -> None:
    (entry,) = [e for e in ENTRIES if e.id == doc_id]
    got = render(parse(entry.read_text(), entry.meta))
    path = GOLDEN / f"{doc_id}.md"
    if request.config.getoption("--regen-golden"):
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    if got != want:
        import difflib

        diff = difflib.unified_diff(
            want.splitlines(), got.splitlines(), "golden", "now", lineterm=""
        )
        pytest.fail("\n".join(list(diff)[:80]))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_numbering_gaps_are_numbers_the_source_does_not_print(entry) -> None:
    """A missing paragraph number is one the extracted text lost, never one the parser did."""
    text = entry.read_text()
    doc = parse(text, entry.meta)
    gaps = summary(doc)["numbered"]["gaps"]
    tables = " ".join(b.text for b in doc.blocks() if b.kind == "table")
    for n in gaps:
        # numbers of judgement rows ('2. Children looked after ...') are table cells
        assert not re.search(rf"(?m)^\s*(?:- )?{n}\. ", text) or f"{n}. " in tables, n
    printed = {int(m) for m in re.findall(r"(?m)^\s*(?:- )?(\d{1,3})\. \S", text)}
    on_page = {int(b.number) for b in doc.numbered()}
    assert printed - on_page == set() or all(
        # numbers inside tables (judgement rows like '1. Children who need help') are cells
        any(str(n) + "." in b.text for b in doc.blocks() if b.kind == "table")
        for n in printed - on_page
    )
