"""What reports print about what must improve, as declarative tables: the headings their
recommendations stand under, and the words that tie a recommendation to a judgement area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


#: The headings under which reports say what must improve, as printed (lower case, without
#: final punctuation), and what each is called in the tracker. A section counts when its own
#: heading or a heading it sits under is here ('Priority and immediate action' under 'What does
#: the local authority need to improve?'; a JAR's 'For immediate action' under 'Recommendations').
RECOMMENDATION_HEADINGS: dict[str, str] = {
    "what needs to improve": "What needs to improve",
    "what needs to improve in this local authority": "What needs to improve",
    "what does the local authority need to improve": "What the local authority needs to improve",
    "what does the lscb need to improve": "What the LSCB needs to improve",
    "priority and immediate action": "Priority and immediate action",
    "priority action": "Priority and immediate action",
    "areas for improvement": "Areas for improvement",
    "recommendations": "Recommendations",
    "for immediate action": "Recommendations: for immediate action",
    "for action over the next six months": "Recommendations: over the next six months",
    "for action in the longer term": "Recommendations: in the longer term",
}


#: Words of a recommendation that tie it to a judgement area, the first area with most hits
#: winning (a recommendation under the LSCB's heading is the LSCB's whatever its words).
AREA_TERMS: dict[str, tuple[str, ...]] = {
    "care-leavers": (
        "care leaver",
        "pathway plan",
        "leaving care",
        "personal adviser",
        "staying put",
        "local offer",
        "independent living",
        "suitable accommodation",
        "care experienced",
    ),
    "adoption": ("adopt", "special guardianship", "early permanence", "fostering for adoption"),
    "children-in-care": (
        "looked after",
        "in care",
        "placement",
        "care plan",
        "permanence",
        "foster",
        "independent reviewing",
        "iro",
        "corporate parent",
        "virtual school",
        "personal education plan",
        "health assessment",
        "children's home",
        "sufficiency",
        "missing from care",
        "return home",
    ),
    "help-and-protection": (
        "protect",
        "early help",
        "assessment",
        "strategy",
        "section 47",
        "referral",
        "threshold",
        "mash",
        "front door",
        "neglect",
        "exploitation",
        "missing",
        "domestic abuse",
        "child in need",
        "children in need",
        "pre-proceedings",
        "public law outline",
        "private fostering",
        "lado",
        "disabled children",
        "contact",
    ),
    "leadership": (
        "management oversight",
        "supervision",
        "leader",
        "workforce",
        "caseload",
        "audit",
        "performance",
        "quality assurance",
        "manager",
        "scrutiny",
        "recruit",
        "retention",
        "training",
        "data",
        "governance",
        "partnership",
        "commissioning",
        "elected members",
        "learning",
    ),
    "lscb": (
        "lscb",
        "safeguarding children board",
        "safeguarding partnership",
        "serious case review",
        "child death overview",
    ),
}
