"""Abbreviations: the archive's own table, and those a document defines ("... (LSCB)") or
lists in its glossary, for the search index to expand.
"""

from __future__ import annotations

import re

from evidence_archive.model import Document

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "lac": ("looked after children",),
    "cla": ("children looked after",),
    "cic": ("children in care",),
    "camhs": ("child and adolescent mental health services",),
    "mash": ("multi-agency safeguarding hub",),
    "neet": ("not in education, employment or training",),
    "lscb": ("local safeguarding children board",),
    "iro": ("independent reviewing officer",),
    "iros": ("independent reviewing officers",),
    "sen": ("special educational needs",),
    "send": (
        "special educational needs and disabilities",
        "special educational needs and/or disabilities",
    ),
    "cin": ("child in need", "children in need"),
    "yot": ("youth offending team",),
    "cse": ("child sexual exploitation",),
    "lado": ("local authority designated officer",),
    "dcs": ("director of children's services",),
    "ehcp": ("education, health and care plan",),
    "uasc": ("unaccompanied asylum-seeking children",),
    "caf": ("common assessment framework",),
    "ldd": ("learning difficulties and/or disabilities",),
    "pct": ("primary care trust",),
    "apa": ("annual performance assessment",),
    "jar": ("joint area review",),
    "cypp": ("children and young people's plan",),
    "hmi": ("her majesty's inspector", "his majesty's inspector"),
}  # fmt: skip
"""The archive's own table of abbreviations; definitions found in the documents are added."""


_ABBR = re.compile(r"\s\(([A-Z][A-Za-z&]{1,7}s?)\)")


_WORDS_BEFORE = re.compile(r"((?:[A-Za-z][\w’'-]*\s+){0,9}[A-Za-z][\w’'-]*)\s*\Z")


_SMALL = {"and", "of", "for", "the", "in", "or", "to", "on", "with", "a", "an"}


def defined_abbreviations(text: str) -> dict[str, str]:
    """'child and adolescent mental health services (CAMHS)' -> {'camhs': 'child and ...'}."""
    found = {}
    for m in _ABBR.finditer(text):
        # Up to ten words just before the bracket (looked for there, not all over the text).
        before = _WORDS_BEFORE.search(text, max(0, m.start() - 300), m.start() + 1)
        if before is None:
            continue
        words, abbr = before.group(1).split(), m.group(1)
        letters = abbr.rstrip("s").lower().replace("&", "")
        # Take the shortest tail of words whose initials spell the abbreviation.
        for start in range(len(words) - 1, -1, -1):
            tail = words[start:]
            initials = "".join(w[0].lower() for w in tail if w.lower() not in _SMALL)
            if initials == letters:
                found[abbr.lower()] = " ".join(tail).lower()
                break
    return found


def glossary_abbreviations(doc: Document) -> dict[str, str]:
    """Rows of a glossary table: 'CAMHS | Child and Adolescent Mental Health Services.'."""
    found = {}
    for b in doc.blocks():
        if b.kind != "table":
            continue
        for row in b.text.splitlines():
            cells = [c.strip() for c in row.split(" | ")]
            if len(cells) == 2 and re.fullmatch(r"[A-Z][A-Za-z&]{1,6}", cells[0]):
                first = re.split(r"[.;]", cells[1])[0].strip()
                initials = "".join(w[0].lower() for w in first.split() if w.lower() not in _SMALL)
                if initials.startswith(cells[0].lower()[:2]) and len(first.split()) <= 8:
                    found[cells[0].lower()] = first.lower()
    return found


def document_abbreviations(doc: Document) -> dict[str, list[str]]:
    """Abbreviations a document defines: 'Full Words (FW)' in its text and glossary rows."""
    text = "\n".join(b.text for b in doc.blocks())
    found: dict[str, set[str]] = {}
    for source in (defined_abbreviations(text), glossary_abbreviations(doc)):
        for abbr, long in source.items():
            found.setdefault(abbr, set()).add(long)
    return {k: sorted(v) for k, v in sorted(found.items())}
