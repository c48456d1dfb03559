"""What a report says about itself: council, framework, dates, from its own text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from evidence_archive.registry import Authority, load_registry

#: How each framework names itself on the cover, first match wins:
#: (pattern, framework, kind, inspection type or None).
_CS = r"children['’]s (?:social care )?services"
FRAMEWORK_TITLES: tuple[tuple[re.Pattern[str], str, str, str | None], ...] = tuple(
    (re.compile(p, re.I), fw, kind, itype)
    for p, fw, kind, itype in (
        (r"re-inspection of services for children in need of help and protection", "sif",
         "single-inspection", "re-inspection"),
        (r"inspection of services for children in need of help and protection,? children looked "
         r"after and care leavers", "sif", "single-inspection", None),
        # The LSCB's review published on its own (the board reviewed apart from the council).
        (r"^(?:(?!inspection of).)*review of the effectiveness of the local safeguarding "
         r"children board", "sif", "lscb-review", None),
        (rf"focused visit (?:to|of) (?P<council>.{{0,120}}?)\s*{_CS}", "ilacs", "focused-visit",
         None),
        (rf"monitoring visit (?:to|of) (?P<council>.{{0,120}}?)\s*{_CS}", "ilacs",
         "monitoring-visit", None),
        (r"joint targeted area inspection", "jtai", "joint-targeted-area-inspection", None),
        # ILACS under every title it has had: 'Inspection of Kent County Council children's
        # services', '... of the Royal Borough of Windsor and Maidenhead local authority
        # children's services', '... of local authority children's social care services'.
        (rf"inspection of (?P<council>.{{0,120}}?)\s*(?:local authority\s+)?{_CS}", "ilacs",
         "ilacs-inspection", None),
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

_MONTH_NAMES = [
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
]
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_DAY_MONTH_YEAR = r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?\s+(\d{4})"
_NUMERIC = r"(\d{1,2})/(\d{1,2})/(\d{4})"
"""A date printed as numbers, day first: '12/09/2016', '1/06/2015'."""
_NUMERIC_RANGE = re.compile(_NUMERIC + r"\s*(?:to|–|-|—)\s*" + _NUMERIC)
_RANGE = re.compile(
    r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<m1>[A-Za-z]+)\.?)?(?:\s+(?P<y1>\d{4}))?"
    r"\s*(?:to|–|-|—|and)\s*"
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m2>[A-Za-z]+)\.?\s+(?P<y2>\d{4})"
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


def _numeric(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def inspection_dates(text: str) -> tuple[str | None, str | None]:
    """The first and last day of the inspection as printed near 'Inspection date(s)'."""
    m = re.search(r"inspection dates?:?", text[:6000], re.I)
    if not m:
        return None, None
    window = text[m.end() : m.end() + 200]
    n = _NUMERIC_RANGE.match(window.strip())
    if n:
        return _numeric(*n.groups()[:3]), _numeric(*n.groups()[3:])
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
        r"(?:report published|published):?\s*(?:[A-Za-z]+\s+){0,2}?(?:"
        + _DAY_MONTH_YEAR
        + "|"
        + _NUMERIC
        + ")",
        text[:6000],
        re.I,
    )
    if not m:
        return None
    if m.group(1):
        return _date(m.group(1), m.group(2), m.group(3))
    return _numeric(m.group(4), m.group(5), m.group(6))


def _authority(lines: list[str], named: str | None) -> tuple[Authority | None, str | None]:
    """The council: as the title names it, else as a line above or near the title does."""
    reg = load_registry()
    if named:
        hit = reg.lookup(named)
        if hit is not None:
            return hit, named
    for line in lines[:12]:
        clean = _TAG.sub("", line).split("\t")[0].strip()
        candidates = [clean]
        m = re.search(
            r"(?:services|council) (?:in|for|on) ([A-Z][\w .'’-]+?)(?: are| is| require|$)", clean
        )
        if m:
            candidates.append(m.group(1))
        for c in candidates:
            hit = reg.lookup(c)
            if hit is not None:
                return hit, c
    for line in lines[:12]:
        for run in re.findall(r"((?:[A-Z][\w'’-]*\s?){1,5})", line):
            words = run.split()
            # 'Surrey Safeguarding Children Board': the longest start of the run that is a name.
            for n in range(len(words), 0, -1):
                name = " ".join(words[:n])
                hit = reg.lookup(name) if len(name) > 3 else None
                if hit is not None:
                    return hit, name
    return None, None


_TAG = re.compile(r"<sup>[^<]{0,8}</sup>|<[^>]+>")
"""Markup in extracted text (a footnote mark on a title) that is not part of the words."""
_AFTER_TITLE = re.compile(
    r"^(?:inspection dates?|report published|lead inspector|judgement|children['’]s services "
    r"in|the overall judgement|contents)\b",
    re.I,
)


_DATES_LINE = re.compile(r"^(?:inspection dates?|dates? of inspection|report published)\b", re.I)


def _title(lines: list[str], m: re.Match[str]) -> str:
    """The title as printed: the lines the framework's title is on, up to the dates."""
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    first = max(i for i, o in enumerate(offsets) if o <= m.start())
    out: list[str] = []
    reg = load_registry()
    for line in lines[first : first + 5]:
        if out and (_AFTER_TITLE.match(line) or reg.lookup(_TAG.sub("", line)) is not None):
            break
        out.append(_TAG.sub("", line).strip())
    return " ".join(out)


def detect(text: str) -> Detected:
    """Detect council, framework, inspection type and dates from a report's own text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:15]
    # The title is on the cover, before the dates: text below it may name other inspections.
    cover = next((i for i, line in enumerate(lines) if _DATES_LINE.match(line)), 8)
    head = " ".join(lines[: max(cover, 1)])
    framework = kind = itype = title = named = None
    for pattern, fw, k, t in FRAMEWORK_TITLES:
        m = pattern.search(head)
        if m:
            framework, kind, itype = fw, k, t
            title = _title(lines, m)
            if "council" in pattern.groupindex and m.group("council"):
                named = _TAG.sub("", m.group("council")).strip()
            break
    authority, printed = _authority(lines, named)
    if framework == "ilacs" and itype is None:
        for pattern, name in INSPECTION_TYPES:
            if pattern.search(text):
                itype = name
                break
    start, end = inspection_dates(text)
    return Detected(
        authority, printed, framework, kind, itype, start, end, published_date(text), title
    )
