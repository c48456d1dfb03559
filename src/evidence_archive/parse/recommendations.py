"""What a report says must improve: its recommendations, as items of the document model.

A section whose heading frameworks.RECOMMENDATION_HEADINGS names holds them. In it, each
numbered paragraph is one recommendation (the list items after it are its sub-items, unless it
is a lead-in such as 'In order to improve ..., the local authority should take the following
action.'); in a section without numbered paragraphs each top-level list item is one (items that
continue one ending in ':' are its sub-items); in a section of plain paragraphs, each paragraph
that is not a lead-in ending in ':' is one. Tables and footnotes are never recommendations.
"""

from __future__ import annotations

import re

from evidence_archive.frameworks import is_judgement_heading
from evidence_archive.model import Block, Recommendation, Section
from evidence_archive.recommending import AREA_TERMS, RECOMMENDATION_HEADINGS

_LEAD_IN = re.compile(
    r"(?:take|are) the following (?:action|actions|recommendations|areas)|should:$|must:$", re.I
)
#: A sentence that says there is nothing to recommend, or that begins the report's praise.
_NOTHING = re.compile(r"\b(?:did not (?:find|identify) any|there are no|no areas for)\b", re.I)
_STRENGTHS = re.compile(r"following strengths|strengths:|\bis (?:good|outstanding) because\b", re.I)
_LSCB = re.compile(r"\blscb\b|safeguarding children board", re.I)
_FOOTNOTE_MARK = re.compile(r"[\d¹²³⁴⁵⁶⁷⁸⁹⁰]+$")
#: Headings that end a recommendations section even when they are printed (or nest) below it.
_OUTSIDE = re.compile(
    r"^(?:summary|information|inspection (?:findings|judgements?)|what the inspection|"
    r"key (?:strengths|findings)|the inspection team|about this|children living|"
    r"child protection in|children looked after in|other (?:information|ofsted)|section \d|"
    r"the experiences|the impact of leaders|the graded judge?ment|overall effectiveness|"
    r"the effectiveness of)",
    re.I,
)


def heading_key(title: str) -> str:
    """A heading as RECOMMENDATION_HEADINGS spells it: lower case, one space, no final
    punctuation or footnote mark."""
    key = " ".join(title.lower().replace("’", "'").split()).rstrip(" ?:.")
    return _FOOTNOTE_MARK.sub("", key).rstrip(" ?:.")


def area_of_text(text: str, lscb: bool = False) -> str | None:
    """The judgement area a recommendation's words tie it to (AREA_TERMS), or None."""
    if lscb:
        return "lscb"
    low = " " + " ".join(text.lower().replace("’", "'").split())
    best, hits = None, 0
    for area, terms in AREA_TERMS.items():
        n = sum(low.count(" " + t) for t in terms)
        if n > hits:
            best, hits = area, n
    return best


def _items(blocks: tuple[Block, ...]) -> list[tuple[list[Block], str]]:
    """The recommendations of one section's blocks: (its blocks, the lead-in label before it)."""
    numbered = any(b.number for b in blocks)
    listed = any(b.kind == "list-item" for b in blocks)
    out: list[tuple[list[Block], str]] = []
    label = ""
    for b in blocks:
        text = b.text.strip()
        if b.kind in ("table", "footnote", "figure") or not text:
            continue
        if _STRENGTHS.search(text) and not b.number:
            break  # the rest of the section is what the council does well
        if _NOTHING.search(text) and b.kind != "list-item":
            continue  # 'The inspection did not find any areas for priority and immediate action.'
        last = out[-1][0] if out else None
        if b.number:
            if _LEAD_IN.search(text):
                label = ""
                continue
            out.append(([b], label))
        elif b.kind == "list-item":
            parent = last[-1] if last else None
            sub = parent is not None and (
                b.level > 0
                or (parent.number is not None and numbered and parent.text.rstrip().endswith(":"))
                or (parent.kind == "list-item" and parent.text.rstrip().endswith(":")
                    and text[:1].islower())
            )  # fmt: skip
            if last is not None and (sub or (numbered and parent is not None and parent.number)):
                last.append(b)  # a sub-item, or an item of a numbered recommendation
            else:
                out.append(([b], label))
        elif text.endswith(":") and len(text.split()) <= 8:
            label = text.rstrip(":").strip()  # 'Immediately:', 'Within three months:'
        elif not numbered and not listed and not text.endswith(":") and len(text.split()) >= 4:
            out.append(([b], label))
    return out


def find_recommendations(
    sections: tuple[Section, ...], board_only: bool = False
) -> tuple[Recommendation, ...]:
    """Every recommendation of a document's sections, in order; board_only for a review of a
    safeguarding board alone, whose every recommendation is the board's."""
    out: list[Recommendation] = []
    stack: list[tuple[int, str, bool]] = []  # (level, title, holds recommendations) above
    for sec in sections:
        if not sec.level:
            continue
        while stack and stack[-1][0] >= sec.level:
            stack.pop()
        named = heading_key(sec.title) in RECOMMENDATION_HEADINGS
        # A heading below one that holds recommendations groups them ('Outcomes for care
        # leavers', 'Leadership, management and governance'), unless it begins another part
        # of the report or states a judgement.
        under = bool(stack) and stack[-1][2]
        holds = named or (
            under and not _OUTSIDE.search(sec.title.strip()) and not is_judgement_heading(sec.title)
        )
        stack.append((sec.level, sec.title, holds))
        if not holds:
            continue
        lscb = board_only or any(_LSCB.search(title) for _, title, _ in stack)
        for blocks, label in _items(sec.blocks):
            text = " ".join(b.text.strip() for b in blocks)
            out.append(Recommendation(
                anchor=blocks[0].anchor, order=len(out) + 1,
                section=sec.title.strip() + (f" ({label})" if label else ""), text=text,
                number=blocks[0].number, area=area_of_text(text, lscb),
                lines=(blocks[0].lines[0], blocks[-1].lines[1]),
            ))  # fmt: skip
    return tuple(out)
