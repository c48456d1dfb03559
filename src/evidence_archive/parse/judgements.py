"""Judgements exactly as printed: grade tables and the sentences that state a grade."""

from __future__ import annotations

import re
from dataclasses import replace

from evidence_archive.frameworks import FRAMEWORKS, GRADE_WORDS, NOT_GRADED, Framework, area_of
from evidence_archive.model import Block, Cell, Judgement, Section, plain

_GRADE = (
    r"(?P<grade>requires improvement to be good|require improvement to be good|"
    r"requires improvement|require improvement|outstanding|good|adequate|inadequate)"
)

#: Sentences that state a judgement in words: pattern -> (label as printed, scope, area).
SENTENCES: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(p, re.I), label, scope, area)
    for p, label, scope, area in (
        (rf"^the overall judgement is {_GRADE}\b", "The overall judgement", "local authority",
         "overall"),
        (rf"^the overall judgement is that children['’]s services (?:are |is )?{_GRADE}\b",
         "The overall judgement", "local authority", "overall"),
        (rf"^overall effectiveness(?: is|:)? {_GRADE}\b", "Overall effectiveness",
         "local authority", "overall"),
        (rf"^children['’]s services in .{{2,60}}? (?:are|is) {_GRADE}\b",
         "Children's services", "local authority", "overall"),
        (rf"^children['’]s services in .{{2,60}}? {_GRADE}\b", "Children's services",
         "local authority", "overall"),
        # '...Board (LSCB) is good', '...Board (LSCB) requires improvement' (no verb of its
        # own), 'The judgement for the effectiveness of the ... Board (LSCB) is ...'.
        (rf"^(?:the judge?ment for )?the effectiveness of the (?:local safeguarding children "
         rf"board|lscb)(?: \(lscb\))? (?:is )?{_GRADE}\b",
         "The effectiveness of the Local Safeguarding Children Board", "LSCB", "lscb"),
        (rf"^the (?:local safeguarding children board|lscb)(?: \(lscb\))? (?:is )?{_GRADE}\b",
         "The effectiveness of the Local Safeguarding Children Board", "LSCB", "lscb"),
        (rf"^the experiences and progress of children who need help and protection (?:are|is) "
         rf"{_GRADE}\b", "The experiences and progress of children who need help and protection",
         "local authority", "help-and-protection"),
        (rf"^the experiences and progress of children looked after and achieving permanence "
         rf"(?:are|is) {_GRADE}\b", "The experiences and progress of children looked after and "
         "achieving permanence", "local authority", "children-in-care"),
        (rf"^the graded judge?ment for adoption performance is {_GRADE}\b",
         "Adoption performance", "local authority", "adoption"),
        (rf"^the graded judge?ment for the experiences and progress of care leavers is {_GRADE}\b",
         "The experiences and progress of care leavers", "local authority", "care-leavers"),
        (rf"^leadership, management and governance (?:are|is) {_GRADE}\b",
         "Leadership, management and governance", "local authority", "leadership"),
    )
)  # fmt: skip

_SCORE = re.compile(r"^\(?([1-4])\)?$")


def _cell_text(cell: Cell) -> str:
    return " ".join(plain(p) for p in cell).strip()


def _numeric_table(block: Block, fw: Framework) -> list[Judgement]:
    rows = [[_cell_text(c) for c in row] for row in block.rows]
    found: list[Judgement] = []
    header: list[str] = []
    for row in rows:
        scores = [j for j, c in enumerate(row) if j and _SCORE.match(c)]
        if not scores:
            if any(c and not _SCORE.match(c) for c in row[1:]):
                header = row
            continue
        label = row[0]
        if not label:
            continue
        for j in scores:
            score = int(_SCORE.match(row[j]).group(1))  # type: ignore[union-attr]
            scope = header[j].strip() if j < len(header) else ""
            area = area_of(fw.key, label)
            if scope.lower() in ("", "grade", "grade awarded"):
                scope = (
                    "annual performance assessment"
                    if area and area.startswith("apa")
                    else "local services overall"
                )
            found.append(
                Judgement(label, scope.lower(), fw.score_words[score], score, area, block.lines)
            )
    return found


def _word_table(block: Block, fw: Framework) -> list[Judgement]:
    found: list[Judgement] = []
    for row in block.rows:
        cells = [c for c in (_cell_text(c) for c in row) if c]
        if len(cells) < 2 or cells[-1].lower() not in GRADE_WORDS.keys() | NOT_GRADED:
            continue
        label = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", cells[0])
        area = area_of(fw.key, label)
        scope = "LSCB" if area == "lscb" else "local authority"
        found.append(Judgement(label, scope, cells[-1].lower(), None, area, block.lines))
    # A table of grades names at least one judgement area the framework knows.
    return found if any(j.area for j in found) else []


_GRADE_LINE = re.compile(r"^grade ([1-4]) \((\w[\w ]*)\)$", re.I)
_BARE_GRADE = re.compile(
    r"^(?P<grade>requires improvement to be good|requires improvement|outstanding|good|"
    r"adequate|inadequate|not judged)\.?$",
    re.I,
)


def _grade_line(text: str, label: str, fw: Framework, lines: tuple[int, int]) -> list[Judgement]:
    """'Grade 4 (inadequate)' printed under the heading it grades (2012-13 inspections)."""
    m = _GRADE_LINE.match(text.strip())
    if not m and label and (bare := _BARE_GRADE.match(text.strip())):
        # The grade as a line of its own under the label it grades ('The effectiveness of the
        # Local Safeguarding Children Board (LSCB)' / 'Requires improvement.'): only under a
        # label of a judgement area.
        area = area_of(fw.key, label)
        grade = bare.group("grade").lower()
        scope = "LSCB" if area == "lscb" else "local authority"
        return [Judgement(label, scope, grade, None, area, lines)] if area else []
    if not m or not label:
        return []
    area = area_of(fw.key, label)
    return [Judgement(label, "local authority", m.group(2).lower(), int(m.group(1)), area, lines)]


def _sentences(text: str, lines: tuple[int, int]) -> list[Judgement]:
    for pattern, label, scope, area in SENTENCES:
        if m := pattern.match(text.strip()):
            return [Judgement(label, scope, m.group("grade").lower(), None, area, lines)]
    return []


def extract_judgements(
    sections: tuple[Section, ...], framework: str
) -> tuple[tuple[Section, ...], tuple[Judgement, ...]]:
    """Every judgement printed in the document; grade tables get role 'judgements'."""
    fw = FRAMEWORKS.get(framework)
    if fw is None or fw.key == "none":
        return sections, ()
    found: list[Judgement] = []
    out: list[Section] = []
    for sec in sections:
        found += _sentences(sec.title, sec.lines)
        blocks = []
        previous = sec.title
        for b in sec.blocks:
            if b.kind == "paragraph":
                found += _grade_line(b.text, previous, fw, b.lines)
                previous = b.text if len(b.text.split()) <= 15 else ""
            if b.kind == "table":
                rows = (_numeric_table(b, fw) if fw.numeric else []) or _word_table(b, fw)
                if rows:
                    b = replace(b, role="judgements")
                    found += rows
            elif b.kind == "paragraph" and b.number is None:
                found += _sentences(b.text, b.lines)
            blocks.append(b)
        out.append(replace(sec, blocks=tuple(blocks)))
    # A grade is often printed twice (table and sentence): keep the first of each area+scope.
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for j in found:
        key = (j.area or j.label, j.scope.lower(), j.label if j.area is None else "")
        if key not in seen:
            seen.add(key)
            unique.append(j)
    return tuple(out), tuple(unique)
