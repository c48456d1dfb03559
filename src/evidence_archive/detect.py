"""What a report says about itself: council, framework, dates, from its own text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .registry import Authority, load_registry

#: How each framework names itself on the cover, first match wins:
#: (pattern, framework, kind, inspection type or None).
FRAMEWORK_TITLES: tuple[tuple[re.Pattern[str], str, str, str | None], ...] = tuple(
    (re.compile(p, re.I), fw, kind, itype)
    for p, fw, kind, itype in (
        (r"re-inspection of services for children in need of help and protection", "sif",
         "single-inspection", "re-inspection"),
        (r"inspection of services for children in need of help and protection,? children looked "
         r"after and care leavers", "sif", "single-inspection", None),
        (r"inspection of (?:\S+ ){0,6}?local authority children['’]s services", "ilacs",
         "ilacs-inspection", None),
        (r"inspection of children['’]s social care services", "ilacs", "ilacs-inspection", None),
        (r"inspection of looked after children(?:['’]s)? services", "lac-2012",
         "looked-after-children-inspection", None),
        (r"inspection of safeguarding and looked after children services", "lac-2012",
         "safeguarding-inspection", None),
        (r"joint area review", "jar-2007", "joint-area-review", None),
    )
)  # fmt: skip

#: Words in the text that say which kind of ILACS inspection it was.
INSPECTION_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bshort inspection\b", re.I), "short"),
    (re.compile(r"\bstandard inspection\b", re.I), "standard"),
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_DAY_MONTH_YEAR = r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})"
_RANGE = re.compile(
    r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<m1>[A-Za-z]+))?(?:\s+(?P<y1>\d{4}))?"
    r"\s*(?:to|–|-|—|and)\s*"
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[A-Za-z]+)\s+(?P<y2>\d{4})"
)


@dataclass(frozen=True)
class Detected:
    """What the text of a report says about itself; None where it does not say."""

    authority: Authority | None
    authority_printed: str | None
    framework: str | None
    kind: str | None
    inspection_type: str | None
    inspection_start: str | None
    inspection_end: str | None
    published: str | None
    title: str | None


def _date(day: str, month: str | None, year: str | None) -> str | None:
    if not month or not year or month.lower() not in _MONTHS:
        return None
    try:
        return dt.date(int(year), _MONTHS[month.lower()], int(day)).isoformat()
    except ValueError:
        return None


def inspection_dates(text: str) -> tuple[str | None, str | None]:
    """The first and last day of the inspection as printed near 'Inspection date(s)'."""
    m = re.search(r"inspection dates?:?", text[:6000], re.I)
    if not m:
        return None, None
    window = text[m.end() : m.end() + 200]
    r = _RANGE.search(window)
    if not r:
        single = re.search(_DAY_MONTH_YEAR, window)
        if single:
            day = _date(*single.groups())
            return day, day
        return None, None
    end = _date(r["d2"], r["m2"], r["y2"])
    start = _date(r["d1"], r["m1"] or r["m2"], r["y1"] or r["y2"])
    if start and end and start > end and not r["y1"]:  # '28 December to 8 January 2019'
        start = _date(r["d1"], r["m1"] or r["m2"], str(int(r["y2"]) - 1))
    return start, end


def published_date(text: str) -> str | None:
    """The publication date, where the report prints one."""
    m = re.search(
        r"(?:report published|published):?\s*(?:[A-Za-z]+\s+){0,2}?" + _DAY_MONTH_YEAR,
        text[:6000],
        re.I,
    )
    return _date(m.group(1), m.group(2), m.group(3)) if m else None


def _authority(lines: list[str]) -> tuple[Authority | None, str | None]:
    reg = load_registry()
    for line in lines[:12]:
        clean = re.sub(r"<[^>]+>", "", line).split("\t")[0].strip()
        m = re.match(r"inspection of (.+?) local authority children", clean, re.I)
        candidates = [m.group(1)] if m else []
        candidates += [clean]
        m = re.search(
            r"(?:services|council) (?:in|for) ([A-Z][\w .'’-]+?)(?: are| is| require|$)", clean
        )
        if m:
            candidates.append(m.group(1))
        for c in candidates:
            hit = reg.lookup(c)
            if hit is not None:
                return hit, c
    for line in lines[:12]:
        for words in re.findall(r"((?:[A-Z][\w'’-]*\s?){1,5})", line):
            hit = reg.lookup(words.strip())
            if hit is not None and len(words.strip()) > 3:
                return hit, words.strip()
    return None, None


def detect(text: str) -> Detected:
    """Detect council, framework, inspection type and dates from a report's own text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = " ".join(lines[:15])
    authority, printed = _authority(lines)
    framework = kind = itype = title = None
    for pattern, fw, k, t in FRAMEWORK_TITLES:
        m = pattern.search(head)
        if m:
            framework, kind, itype = fw, k, t
            title = next((line for line in lines[:15] if pattern.search(line)), None)
            break
    if framework == "ilacs" and itype is None:
        for pattern, name in INSPECTION_TYPES:
            if pattern.search(text):
                itype = name
                break
    start, end = inspection_dates(text)
    return Detected(
        authority, printed, framework, kind, itype, start, end, published_date(text), title
    )
