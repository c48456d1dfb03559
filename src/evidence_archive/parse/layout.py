"""What is layout, not text: the lines a page may drop (contents pages, graphic remains, running
headers and footers) and the publishing boilerplate set apart at the end; each line is marked
with its reason, which the page's fidelity check reads.
"""

from __future__ import annotations

import re

from evidence_archive.model import Dropped
from evidence_archive.parse.inline import strip_markup

HASH_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


CONTENTS = re.compile(
    r"^(?:#+\s*)?(?:\*\*|<b>)?\s*(?:table of )?contents\s*(?:\*\*|</b>)?\s*$", re.I
)


RULE = re.compile(r"^\s*(?:-{2,}|\*{3,}|_{3,})\s*(?:\t\s*-{2,}\s*)*$")


SCALE_WORDS = {"inadequate", "adequate", "good", "outstanding", "requires", "improvement"}


#: Lines that open a run of publishing boilerplate, kept but set apart at the end of the page.
BOILERPLATE_STARTS = tuple(
    re.compile(p, re.I)
    for p in (
        r"^©\s*crown copyright",
        r"^(?:this|the) (?:document|publication|report) may be (?:reproduced|copied|re-?used)",
        r"^you may (?:copy|re-?use)",
        r"^any complaints about the inspection",
        r"^if you would like (?:a copy|more information|ofsted to)",
        r"^the office for standards in education, children['’]s services and skills \(ofsted\) "
        r"regulates",
        r"^to receive regular email alerts",
        r"^further copies of this report",
    )
)


#: Headings every framework prints that may stand as plain lines (lowercase).
KNOWN_HEADINGS: dict[str, int] = {
    "introduction": 2,
    "context": 2,
    "main findings": 2,
    "grades": 2,
    "recommendations": 2,
    "for immediate action": 3,
    "for action over the next six months": 3,
    "for action in the longer term": 3,
    "equality and diversity": 2,
    "summary": 3,
    "glossary": 2,
    "areas for improvement": 3,
    "what needs to improve": 3,
    "key findings": 2,
    "executive summary": 2,
    "information about this inspection": 2,
    "information about this local authority area": 2,
    "summary of key findings": 2,
    "what does the local authority need to improve?": 3,
    "what needs to improve in this local authority?": 3,
}


def norm(text: str) -> str:
    """A heading or contents entry, normalised for comparison."""
    s = strip_markup(text).lower().replace("’", "'")
    s = re.sub(r"^(?:section \d+:|annex [a-z]:|\d+\.)\s*", "", s)
    s = re.sub(r"[\s:]+$", "", s)
    return " ".join(s.split())


def word_list(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", strip_markup(text))


def split_cells(line: str) -> list[str]:
    return line.rstrip("\n").split("\t")


def mark_contents(lines: list[str], status: list[str | None]) -> list[str]:
    """Mark contents pages; return their entries (headings the document lists)."""
    entries: list[str] = []
    i = 0
    while i < len(lines):
        if not CONTENTS.match(lines[i].strip()):
            i += 1
            continue
        j, last = i + 1, i
        found: list[tuple[int, str]] = []
        while j < len(lines):
            s = lines[j].strip()
            if not s or RULE.match(s):
                j += 1
                continue
            cells = [c for c in split_cells(lines[j]) if c.strip()]
            numbered_end = re.match(r"^(.*\S)\s+\.*\s*(\d{1,3})$", s)
            if "\t" in lines[j] or (numbered_end and len(s.split()) <= 16):
                text = cells[0] if "\t" in lines[j] else numbered_end.group(1)  # type: ignore[union-attr]
                text = re.sub(r"[\s.]+\d{1,3}$", "", strip_markup(text)).strip()
                if found and text[:1].islower() and not re.search(r"\d$", found[-1][1]):
                    found[-1] = (found[-1][0], found[-1][1] + " " + text)
                else:
                    found.append((j, text))
                last = j
                j += 1
                continue
            if found and _bare_entry(s) and _entry_follows(lines, j + 1):
                # An entry printed without its page number ('Recommendations'), between two
                # entries that have theirs: still the contents page.
                found.append((j, strip_markup(s).strip()))
                last = j
                j += 1
                continue
            break
        if len(found) >= 2:
            for k in range(i, last + 1):
                status[k] = "contents"
            entries += [t for _, t in found]
            i = last + 1
        else:
            i += 1
    return entries


def _bare_entry(s: str) -> bool:
    words = s.split()
    return 1 <= len(words) <= 8 and s[:1].isupper() and s[-1] not in ".,;:!?"


def _entry_follows(lines: list[str], j: int) -> bool:
    """True when the next non-blank line is a contents entry with its page number."""
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines):
        return False
    s = lines[j].strip()
    return "\t" in lines[j] or bool(re.match(r"^(.*\S)\s+\.*\s*(\d{1,3})$", s))


def mark_graphics(lines: list[str], status: list[str | None]) -> None:
    """Mark graphic remains (a bare grade scale) and rules as layout."""
    run: list[int] = []

    def close() -> None:
        if len(run) >= 3:
            for k in run:
                status[k] = "graphic"
        run.clear()

    for i, line in enumerate(lines):
        if status[i]:
            continue
        s = line.strip()
        if not s:
            continue
        if RULE.match(s) or ("\t" in line and not word_list(s)):
            status[i] = "layout"  # rules and table rows with no words: drawing, not text
            continue
        words = [w.lower() for w in word_list(s)]
        if len(words) >= 3 and set(words) <= SCALE_WORDS and s == strip_markup(s).strip():
            status[i] = "graphic"
            continue
        if len(words) == 1 and words[0] in SCALE_WORDS and "\t" not in line:
            run.append(i)
            continue
        close()
    close()


def mark_running_headers(lines: list[str], status: list[str | None], hints: set[str]) -> None:
    """A heading line printed again before any other heading is a running header: furniture."""
    last_heading: str | None = None
    for i, line in enumerate(lines):
        if status[i] or not line.strip():
            continue
        m = HASH_HEADING.match(line.strip())
        key = norm(m.group(2) if m else line)
        if not (m or key in hints or key in KNOWN_HEADINGS):
            continue
        if key == last_heading:
            status[i] = "furniture"
        else:
            last_heading = key


def mark_boilerplate(lines: list[str], status: list[str | None], hints: set[str]) -> None:
    i = 0
    while i < len(lines):
        s = strip_markup(lines[i]).strip()
        if status[i] or not any(p.match(s) for p in BOILERPLATE_STARTS):
            i += 1
            continue
        j = i
        while j < len(lines) and status[j] != "contents":
            t = lines[j].strip()
            if j > i and (HASH_HEADING.match(t) or (t and norm(t) in hints)):
                break
            if not status[j]:
                status[j] = "boilerplate"
            j += 1
        i = j


def dropped_spans(status: list[str | None]) -> tuple[Dropped, ...]:
    out: list[Dropped] = []
    for i, s in enumerate(status):
        if s in (None, "boilerplate"):
            continue
        if out and out[-1].reason == s and out[-1].lines[1] == i:
            out[-1] = Dropped(s, (out[-1].lines[0], i + 1))
        else:
            out.append(Dropped(s, (i + 1, i + 1)))
    return tuple(out)
