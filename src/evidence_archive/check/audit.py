"""The corpus audit: every document against its framework and variant.

Rules (each finding names the document's metadata file and the rule):
- variant: the report fits one variant of its framework (frameworks.VARIANTS);
- judgements: it has every judgement its variant prints;
- dates: inspection start <= end <= publication date and listing date;
- years: the inspection falls inside the framework's years;
- paragraphs: printed paragraph numbers run 1, 2, 3, ... (gaps and repeats listed);
- council: the council's Ofsted URN is the one the report listing gives;
- title: the title is words, free of markup;
- recommendations: a report whose variant prints what must improve has recommendations;
- notes: every note recorded in audit_notes still explains a finding.

A finding that is true of the printed report (a report that really skips a number) is recorded in
that document's metadata as `audit_notes: ["rule: reason"]`, which silences that rule for it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TextIO

from evidence_archive.check.fidelity import Fidelity, compare
from evidence_archive.corpus.store import CorpusEntry
from evidence_archive.errors import ArchiveError, WorkerFailure
from evidence_archive.frameworks import AREAS, FRAMEWORK_YEARS, variant_for
from evidence_archive.model import Document, Metadata
from evidence_archive.parse.document import parse
from evidence_archive.proc import die_with_parent
from evidence_archive.registry import load_registry
from evidence_archive.render.markdown import render

RULES = (
    "variant", "judgements", "dates", "years", "paragraphs", "council", "title", "recommendations",
    "notes",
)  # fmt: skip
_MARKUP = re.compile(r"<[^>]*>|&[a-z]+;|&#\d+;|\*\*|__|\[\^")


@dataclass(frozen=True)
class Finding:
    """One thing a document's text or metadata gets wrong for its framework."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.message}"


def _year(date: object) -> int | None:
    return int(str(date)[:4]) if date else None


def _paragraph_gaps(doc: Document) -> list[str]:
    numbers = [b.number for b in doc.numbered() if b.number and b.number.isdigit()]
    problems = []
    expect = 1
    for n in (int(x) for x in numbers):
        if n == 1 and expect > 1:  # a list numbered afresh (recommendations, an annex)
            expect = 2
        elif n == expect:
            expect += 1
        elif n > expect:
            missing = f"{expect}" if n == expect + 1 else f"{expect}-{n - 1}"
            problems.append(f"no paragraph {missing} before {n}")
            expect = n + 1
        else:
            problems.append(f"paragraph {n} again after {expect - 1}")
    return problems


def audit_document(entry: CorpusEntry, doc: Document) -> list[Finding]:
    """Every finding of one document, less the rules its metadata records as true to print."""
    m = Metadata.from_mapping(entry.meta)  # the metadata file as it is now
    path = str(entry.meta_path)
    found: list[tuple[str, str]] = []
    framework, kind = str(m.framework), str(m.kind)
    start = m.inspection_start
    variant = variant_for(m)
    if variant is None:
        found.append(("variant", f"fits no variant of framework {framework} (kind {kind}, "
                      f"inspection start {start or 'not printed'})"))  # fmt: skip
    else:
        have = {j.area for j in doc.judgements}
        for area in variant.areas:
            if area not in have:
                found.append(("judgements", f"lacks the {AREAS[area]!r} judgement that "
                              f"{variant.name} prints"))  # fmt: skip
    end, published, listed = m.inspection_end, m.published, m.listing_date
    if start and end and str(start) > str(end):
        found.append(("dates", f"inspection starts {start}, after it ends {end}"))
    for name, later in (("published", published), ("listing_date", listed)):
        if later and end and str(later)[:10] < str(end):
            found.append(("dates", f"{name} {later} is before the inspection ended ({end})"))
    years = FRAMEWORK_YEARS.get(framework)
    year = _year(start or end)
    if years and year is not None:
        first, last = years
        if year < first or (last is not None and year > last):
            span = f"{first}-{last}" if last else f"{first} on"
            found.append(("years", f"inspected in {year}, outside {framework}'s years ({span})"))
    if framework not in ("none",) and kind not in ("plan", "national-overview"):
        for gap in _paragraph_gaps(doc):
            found.append(("paragraphs", gap))
    if variant is not None and variant.recommends and not doc.recommendations:
        found.append(("recommendations", f"no recommendations found, which {variant.name} prints "
                      "(under 'What needs to improve', 'Recommendations', 'Areas for improvement'"
                      " or 'Priority and immediate action')"))  # fmt: skip
    urn = m.listing_urn
    if urn:
        auth = load_registry().get(str(m.authority))
        if auth is None or auth.urn != str(urn):
            found.append(("council", f"authority {m.authority} has URN "
                          f"{auth.urn if auth else None}, the listing gives {urn}"))  # fmt: skip
    if _MARKUP.search(str(m.title)):
        found.append(("title", f"title holds markup: {m.title!r}"))
    recorded = {str(n).split(":", 1)[0].strip() for n in m.audit_notes or ()}
    for rule in sorted(recorded - {rule for rule, _ in found}):
        # A note must keep explaining something: one the code no longer finds is out of date.
        if rule not in RULES:
            found.append(("notes", f"audit_notes names no rule of the audit: '{rule}' (rules: "
                          f"{', '.join(RULES)})"))  # fmt: skip
        else:
            found.append(
                ("notes", f"audit_notes records '{rule}', but the audit finds nothing there")
            )
    return [Finding(path, rule, msg) for rule, msg in found if rule not in recorded]


def _check(job: tuple[CorpusEntry, bool, bool]) -> tuple[Fidelity | None, list[Finding], str]:
    entry, fidelity, audit = job
    try:
        text = entry.read_text()
        doc = parse(text, entry.meta)
        f = compare(text, doc, render(doc)) if fidelity else None
        findings = audit_document(entry, doc) if audit else []
    except ArchiveError:
        raise
    except Exception as err:  # a bug, not bad input: keep the traceback, name the document
        raise WorkerFailure.here(entry.text_path) from err
    variant = variant_for(Metadata.from_mapping(entry.meta))
    return f, findings, variant.key if variant else "none?"


def check_corpus(
    entries: list[CorpusEntry], out: TextIO, *, fidelity: bool, audit: bool, jobs: int = 1
) -> int:
    """Parse every document (in `jobs` processes), print its fidelity and audit findings;
    1 if any word is unexplained or any finding stands."""
    jobs_list = [(e, fidelity, audit) for e in entries]
    if jobs > 1 and len(entries) >= 2 * jobs:
        with ProcessPoolExecutor(jobs, initializer=die_with_parent) as pool:
            results = list(pool.map(_check, jobs_list, chunksize=8))
    else:
        results = [_check(j) for j in jobs_list]
    status = 0
    if fidelity:
        out.write("document\tsource words\tpage words\tcontents\tgraphic\tfurniture\tlayout"
                  "\tunexplained\n")  # fmt: skip
        for f, _, _ in results:
            assert f is not None
            out.write(
                f"{f.id}\t{f.source}\t{f.page}\t{f.dropped['contents']}\t{f.dropped['graphic']}\t"
                f"{f.dropped['furniture']}\t{f.dropped['layout']}\t{len(f.differences)}\n"
            )
            for d in f.differences:
                out.write(f"  {f.id}: {d}\n")
            status = max(status, 1 if f.differences else 0)
    if audit:
        findings = [x for _, fs, _ in results for x in fs]
        for finding in findings:
            out.write(f"{finding}\n")
        variants = Counter(v for _, _, v in results)
        rules = Counter(x.rule for x in findings)
        summary = ", ".join(f"{k} {n}" for k, n in sorted(variants.items()))
        print(f"audit: {len(entries)} documents ({summary}); "
              f"{len(findings)} findings" + (f" ({dict(sorted(rules.items()))})" if rules else ""),
              file=sys.stderr)  # fmt: skip
        status = max(status, 1 if findings else 0)
    return status
