"""Framework knowledge as small declarative tables: kinds, frameworks, grade scales.

Everything the parser, the ingester and the site need to know about an inspection framework
lives here, one table per framework, so that a new framework is a new table, not new regexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Kinds of corpus document.
KINDS: dict[str, str] = {
    "joint-area-review": "Joint area review",
    "annual-performance-assessment": "Annual performance assessment",
    "looked-after-children-inspection": "Inspection of looked after children services",
    "safeguarding-inspection": "Inspection of safeguarding services",
    "single-inspection": "Single inspection",
    "ilacs-inspection": "Inspection of local authority children's services",
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
            areas=_WORD_AREAS,
        ),
        Framework(
            "sif",
            "Single inspection framework (2013-17): services for children in need of help and "
            "protection, children looked after and care leavers",
            "2013-2018",
            ("single-inspection",),
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
    return best[1] if best else None
