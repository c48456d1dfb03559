"""Framework knowledge as small declarative tables: kinds, frameworks, grade scales, judgement
areas, variants (which judgements each form of a report prints, and when), judgement headings.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence_archive.model import Metadata
from dataclasses import dataclass, field

#: Kinds of corpus document.
KINDS: dict[str, str] = {
    "joint-area-review": "Joint area review",
    "annual-performance-assessment": "Annual performance assessment",
    "looked-after-children-inspection": "Inspection of looked after children services",
    "safeguarding-inspection": "Inspection of safeguarding services",
    "single-inspection": "Single inspection",
    "ilacs-inspection": "Inspection of local authority children's services",
    "lscb-review": "Review of the Local Safeguarding Children Board",
    "joint-targeted-area-inspection": "Joint targeted area inspection",
    "focused-visit": "Focused visit",
    "monitoring-visit": "Monitoring visit",
    "national-overview": "National overview",
    "plan": "Children and Young People's Plan",
    "other": "Other document",
}


#: The common four-point scale every grade is placed on: 4 is best.
COMMON_SCALE: dict[int, str] = {
    4: "outstanding",
    3: "good",
    2: "requires improvement (adequate)",
    1: "inadequate",
}


#: Grade words as printed (lowercase) -> place on the common four-point scale.
GRADE_WORDS: dict[str, int] = {
    "outstanding": 4,
    "excellent": 4,
    "good": 3,
    "adequate": 2,
    "satisfactory": 2,
    "requires improvement": 2,
    "requires improvement to be good": 2,
    "require improvement": 2,
    "require improvement to be good": 2,
    "inadequate": 1,
    "poor": 1,
}


#: Printed in a grade's place where an area was not graded: recorded as printed, never placed
#: on the common scale.
NOT_GRADED: frozenset[str] = frozenset({"not judged"})


@dataclass(frozen=True)
class Framework:
    """One inspection framework and how it prints its grades."""

    key: str
    name: str
    years: str
    kinds: tuple[str, ...]
    numeric: bool
    """True when the framework prints grades as numbers."""
    score_words: dict[int, str] = field(default_factory=dict)
    """Printed number -> grade word, for numeric frameworks."""
    areas: dict[str, str] = field(default_factory=dict)
    """Judgement label as printed (lowercase, prefix) -> judgement area key."""


#: Judgement areas compared across frameworks on authority and national pages.
AREAS: dict[str, str] = {
    "overall": "Overall effectiveness",
    "help-and-protection": "Help and protection",
    "children-in-care": "Children in care / looked after",
    "care-leavers": "Care leavers",
    "adoption": "Adoption performance",
    "leadership": "Leadership and management",
    "lscb": "Local Safeguarding Children Board",
    "safeguarding": "Safeguarding",
    "ldd": "Learning difficulties and/or disabilities",
    "capacity": "Capacity to improve",
    "service-management": "Service management",
    "being-healthy": "Being healthy",
    "staying-safe": "Staying safe",
    "enjoying-and-achieving": "Enjoying and achieving",
    "positive-contribution": "Making a positive contribution",
    "economic-well-being": "Achieving economic well-being",
    "lac-outcomes": "Outcomes for looked after children",
    "lac-provision": "Quality of provision for looked after children",
    "apa-overall": "Annual performance assessment: children's services",
    "apa-capacity": "Annual performance assessment: capacity to improve",
}


_JAR_SCALE = {4: "outstanding", 3: "good", 2: "adequate", 1: "inadequate"}


_JAR_AREAS = {
    "safeguarding": "safeguarding",
    "looked after children": "children-in-care",
    "learning difficulties": "ldd",
    "service management": "service-management",
    "capacity to improve": "capacity",
    "being healthy": "being-healthy",
    "staying safe": "staying-safe",
    "enjoying and achieving": "enjoying-and-achieving",
    "making a positive contribution": "positive-contribution",
    "achieving economic well": "economic-well-being",
    "children's services": "overall",
    "the contribution of the local authority's children's services": "apa-overall",
    "the council's overall capacity to improve": "apa-capacity",
}


_WORD_AREAS = {
    "overall effectiveness": "overall",
    "the overall judgement": "overall",
    "overall judgement": "overall",
    "children who need help and protection": "help-and-protection",
    "the experiences and progress of children who need help and protection": "help-and-protection",
    "the experiences and progress of children in care": "children-in-care",
    "the experiences and progress of children looked after": "children-in-care",
    "children looked after and achieving permanence": "children-in-care",
    "the experiences and progress of care leavers": "care-leavers",
    "experiences and progress of care leavers": "care-leavers",
    "adoption performance": "adoption",
    "leadership, management and governance": "leadership",
    "the impact of leaders": "leadership",
    "leadership and management": "leadership",
    "the effectiveness of the local safeguarding children board": "lscb",
    "overall effectiveness of services for looked after children": "overall",
    "capacity for improvement": "capacity",
    "capacity to improve": "capacity",
}


#: The 2012-13 inspections of looked after children services also grade outcomes and the
#: quality of provision.
_LAC_AREAS = {
    **_WORD_AREAS,
    "outcomes for looked after children": "lac-outcomes",
    "outcomes for children looked after": "lac-outcomes",
    "quality of provision": "lac-provision",
}


FRAMEWORKS: dict[str, Framework] = {
    f.key: f
    for f in (
        Framework(
            "jar-2005",
            "Joint area review (2005-07 framework: the five Every Child Matters outcomes)",
            "2005-2007",
            ("joint-area-review",),
            numeric=True,
            score_words=_JAR_SCALE,
            areas=_JAR_AREAS,
        ),
        Framework(
            "jar-2007",
            "Joint area review (2007-09 framework: safeguarding, looked after children, LDD)",
            "2007-2009",
            ("joint-area-review",),
            numeric=True,
            score_words=_JAR_SCALE,
            areas=_JAR_AREAS,
        ),
        Framework(
            "apa",
            "Annual performance assessment",
            "2005-2008",
            ("annual-performance-assessment",),
            numeric=True,
            score_words=_JAR_SCALE,
            areas=_JAR_AREAS,
        ),
        Framework(
            "lac-2012",
            "Inspection of looked after children services (2012-13)",
            "2012-2013",
            ("looked-after-children-inspection",),
            numeric=True,
            score_words={1: "outstanding", 2: "good", 3: "adequate", 4: "inadequate"},
            areas=_LAC_AREAS,
        ),
        Framework(
            "sif",
            "Single inspection framework (2013-17): services for children in need of help and "
            "protection, children looked after and care leavers",
            "2013-2018",
            ("single-inspection", "lscb-review"),
            numeric=False,
            areas=_WORD_AREAS,
        ),
        Framework(
            "ilacs",
            "Inspection of local authority children's services (ILACS, 2018 on)",
            "2018-",
            ("ilacs-inspection", "focused-visit", "monitoring-visit"),
            numeric=False,
            areas=_WORD_AREAS,
        ),
        Framework(
            "jtai",
            "Joint targeted area inspection (2016 on): letters, ungraded",
            "2016-",
            ("joint-targeted-area-inspection",),
            numeric=False,
        ),
        Framework("none", "Not an inspection", "", ("national-overview", "plan", "other"), False),
    )
}


def common_scale(grade: str | None) -> int | None:
    """Place a printed grade word on the common four-point scale (4 = outstanding)."""
    if not grade:
        return None
    return GRADE_WORDS.get(grade.strip().lower())


def area_of(framework: str, label: str) -> str | None:
    """The judgement area key for a label as printed, or None."""
    fw = FRAMEWORKS.get(framework)
    if fw is None:
        return None
    low = " ".join(label.lower().replace("’", "'").split())
    low = low.lstrip("0123456789. ")
    best: tuple[int, str] | None = None
    for prefix, area in fw.areas.items():
        if low.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), area)
    if best is None and len(low.split()) >= 3:
        # A label cut off where the printed table wrapped it ('Children looked after and
        # achieving' / 'permanence'): the one area whose label it begins.
        areas = {area for prefix, area in fw.areas.items() if prefix.startswith(low + " ")}
        if len(areas) == 1:
            return areas.pop()
    return best[1] if best else None


@dataclass(frozen=True)
class Variant:
    """One form of a framework's report: which judgements it prints, and when it applied.

    An area of `AREAS` that a variant does not list is "not given under this framework" for
    its reports: shown as such, never as a blank read as missing or as a guessed grade."""

    key: str
    framework: str
    name: str
    kinds: tuple[str, ...]
    areas: tuple[str, ...]
    """The judgement areas every report of this variant prints."""
    start: str = ""
    """First inspection day the variant applies to (ISO), '' for the framework's start."""
    end: str = ""
    """First inspection day it no longer applies to (ISO), '' while it applies."""
    title_has: str = ""
    """A phrase the title must contain (lowercase), '' for any title."""
    inspection_type: str | None = None
    """The inspection type it is for (re-inspection), None for any."""
    notes: dict[str, str] = field(default_factory=dict)
    """Area -> why it is not given under this variant, where there is more to say."""
    ungraded: bool = False
    """True for visits and letters that give no judgements at all."""
    recommends: bool = True
    """True when every report of the variant says what must improve (the audit checks it)."""


_ILACS_CORE = ("leadership", "help-and-protection", "children-in-care")


_SIF_CORE = (
    "overall",
    "help-and-protection",
    "children-in-care",
    "adoption",
    "care-leavers",
    "leadership",
)


_LSCB_TITLE = "review of the effectiveness of the local safeguarding children board"


#: Every variant, the most specific first: `variant_of` takes the first that fits.
VARIANTS: tuple[Variant, ...] = (
    Variant("ilacs-2018", "ilacs", "ILACS (2018-22): care leavers judged with children in care",
            ("ilacs-inspection",), (*_ILACS_CORE, "overall"), "2018-01-01", "2023-01-01",
            notes={"care-leavers": "judged together with children in care"}),
    Variant("ilacs-2023", "ilacs", "ILACS (2023 on): care leavers judged on their own",
            ("ilacs-inspection",), (*_ILACS_CORE, "care-leavers", "overall"), "2023-01-01",
            "2026-04-01"),
    Variant("ilacs-2026", "ilacs", "ILACS (from 1 April 2026): no overall effectiveness judgement",
            ("ilacs-inspection",), (*_ILACS_CORE, "care-leavers"), "2026-04-01",
            notes={"overall": "no overall effectiveness judgement from 1 April 2026"}),
    Variant("ilacs-visit", "ilacs", "ILACS focused or monitoring visit (ungraded)",
            ("focused-visit", "monitoring-visit"), (), ungraded=True, recommends=False),
    Variant("jtai", "jtai", "Joint targeted area inspection (ungraded letter)",
            ("joint-targeted-area-inspection",), (), ungraded=True, recommends=False),
    Variant("sif-reinspection", "sif", "Single inspection framework: re-inspection",
            ("single-inspection",), _SIF_CORE, inspection_type="re-inspection"),
    Variant("sif-lscb", "sif", "Single inspection framework with the LSCB review",
            ("single-inspection",), (*_SIF_CORE, "lscb"), title_has=_LSCB_TITLE),
    Variant("sif", "sif", "Single inspection framework (council only)", ("single-inspection",),
            _SIF_CORE),
    Variant("lscb-review", "sif", "Review of the Local Safeguarding Children Board alone",
            ("lscb-review",), ("lscb",)),
    Variant("lac-2012", "lac-2012", "Inspection of looked after children services (2012-13)",
            ("looked-after-children-inspection", "safeguarding-inspection"),
            ("overall", "capacity", "lac-outcomes", "lac-provision", "leadership")),
    Variant("jar-2007", "jar-2007", "Joint area review (2007-09)", ("joint-area-review",), ()),
    Variant("jar-2005", "jar-2005", "Joint area review (2005-07)", ("joint-area-review",), ()),
    Variant("apa", "apa", "Annual performance assessment", ("annual-performance-assessment",), (),
            recommends=False),
    Variant("none", "none", "Not an inspection", ("national-overview", "plan", "other"), (),
            recommends=False),
)  # fmt: skip


#: Years each framework's inspections were carried out in (first, last; None while current).
FRAMEWORK_YEARS: dict[str, tuple[int, int | None]] = {
    "jar-2005": (2005, 2007),
    "jar-2007": (2007, 2009),
    "apa": (2005, 2009),
    "lac-2012": (2012, 2013),
    "sif": (2013, 2018),
    "ilacs": (2018, None),
    "jtai": (2016, None),
    "none": (1990, None),
}


@functools.lru_cache(maxsize=4096)
def variant_of(
    framework: str, kind: str, title: str, start: str | None, inspection_type: str | None
) -> Variant | None:
    """The variant a report belongs to, or None when none fits (an audit finding). Remembered:
    the open data and the pages ask it of every report, often."""
    low = " ".join(title.lower().replace("’", "'").split())
    for v in VARIANTS:
        if v.framework != framework or kind not in v.kinds:
            continue
        if v.inspection_type is not None and v.inspection_type != inspection_type:
            continue
        if v.title_has and v.title_has not in low:
            continue
        if (v.start or v.end) and not start:
            continue
        if v.start and start and start < v.start:
            continue
        if v.end and start and start >= v.end:
            continue
        return v
    return None


def not_given(variant: Variant | None, area: str) -> str | None:
    """Why an area has no grade in a report of this variant, or None if it should have one."""
    if variant is None or area in variant.areas:
        return None
    if variant.ungraded:
        return "not given: this kind of visit or letter gives no judgements"
    return variant.notes.get(area, "not given under this framework")


#: The judgement areas compared across councils (the national matrix's columns): the areas a
#: report "does not give" are named from these.
COMPARED_AREAS = (
    "overall",
    "help-and-protection",
    "children-in-care",
    "care-leavers",
    "leadership",
    "adoption",
    "lscb",
)


def variant_for(meta: Metadata) -> Variant | None:
    """The variant of a corpus document, from its metadata."""
    return variant_of(
        meta.framework,
        meta.kind,
        meta.title or "",
        meta.inspection_start,
        meta.inspection_type,
    )


def areas_not_given(meta: Metadata) -> dict[str, str]:
    """Compared areas a report does not give under its framework, with the reason; {} for
    documents that are not graded inspections of that kind (plans, overviews, joint area
    reviews, whose areas vary)."""
    v = variant_for(meta)
    if v is None or not (v.areas or v.ungraded):
        return {}
    out = {}
    for area in COMPARED_AREAS:
        reason = not_given(v, area)
        if reason:
            out[area] = reason
    return out


#: Words that begin the judgement headings of SIF and ILACS reports, which head each judgement's
#: section with its grade, printed as a line without a full stop: 'The experiences and progress
#: of children in care and care leavers are good', 'The impact of leaders on social work practice
#: with children and families is good', 'Leadership, management and governance are inadequate'.
JUDGEMENT_HEADING_STARTS = (
    "the experiences and progress of", "the impact of leaders", "leadership, management and",
    "the effectiveness of the local safeguarding children board", "overall effectiveness",
    "adoption performance", "the graded judgement for", "the graded judgment for",
)  # fmt: skip


def is_judgement_heading(text: str) -> bool:
    """True for a line that is a judgement heading: one of JUDGEMENT_HEADING_STARTS, then a
    grade word (GRADE_WORDS) at its very end (some reports print a full stop after it), in at
    most 30 words."""
    low = " ".join(text.lower().split()).removesuffix(".")
    if not low.startswith(JUDGEMENT_HEADING_STARTS) or len(low.split()) > 30:
        return False
    return any(low.endswith(f" {g}") for g in GRADE_WORDS)
