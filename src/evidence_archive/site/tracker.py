"""The recommendations tracker and the open data on the site: on a council's page, every
inspection's recommendations with what the next inspection says on the same subject; nationally,
the subjects recommendations come back to; and the Open data page with its data dictionary.

Wording matters here: the passages shown are those of the next report that speak to a
recommendation. Whether it was met is never said, only what the next report says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from evidence_archive import urls
from evidence_archive.dates import doc_date, human_date
from evidence_archive.frameworks import AREAS, COMMON_SCALE, FRAMEWORKS, common_scale
from evidence_archive.labels import para
from evidence_archive.model import Document, Judgement, Recommendation
from evidence_archive.opendata.dictionary import DATASETS
from evidence_archive.opendata.followups import follow_ups
from evidence_archive.opendata.subjects import Subject
from evidence_archive.opendata.tables import Content
from evidence_archive.registry import Authority, load_registry
from evidence_archive.site.html import esc, md_text, unsearched

SUBJECTS_DOC = "subjects.md"
DATA_DOC = "data.md"
SNIPPET = 60


def _grade(j: Judgement | None) -> str:
    if j is None:
        return "not given"
    scale = common_scale(j.grade)
    if scale and j.grade != COMMON_SCALE[scale]:
        return f"{j.grade} ({COMMON_SCALE[scale]})"  # 'adequate (requires improvement)'
    return j.grade


def _snippet(text: str) -> str:
    words = text.split()
    return " ".join(words[:SNIPPET]) + (" …" if len(words) > SNIPPET else "")


def council_recommendations(docs: list[Document]) -> list[str]:
    """The body of a council's recommendations page (urls.council_recommendations_doc): each
    inspection's recommendations, and under each the passages of the next inspection's report
    that speak to it."""
    made = [d for d in sorted(docs, key=lambda d: (doc_date(d), d.id)) if d.recommendations]
    if not made:
        return []
    after = follow_ups(docs)
    up = "../../"  # from authorities/<slug>/recommendations.md to the site's root
    out = ["", "What each report said must improve, as printed. Under each, where the archive "
           "holds the council's next inspection, the passages of that report that speak to the "
           "same subject (found by evidence search over that report) and the grade of the area it "
           "belongs to in both. The passages are shown for the reader to judge: they do not say "
           "whether a recommendation was met unless their own words say so.", ""]  # fmt: skip
    for d in made:
        fw = FRAMEWORKS[d.meta.framework].name.split(" (")[0]
        out += [f"## {md_text(fw)}, {md_text(human_date(doc_date(d)))}", ""]
        nxt = after.get(d.id)
        if nxt:
            n = nxt[0].next_doc
            out += [f"Next inspection: [{md_text(n.meta.title)}]({up}{urls.doc_of(n)}), "
                    f"{md_text(human_date(doc_date(n)))}.", ""]  # fmt: skip
        else:
            out += ["The archive holds no later inspection of this council.", ""]
        by_rec = {f.recommendation.anchor: f for f in nxt or []}
        for r in d.recommendations:
            where = para(r.number) or md_text(r.section.strip()) or "it"
            area = f" *{md_text(AREAS[r.area])}*." if r.area else ""
            out.append(f"{r.order}. [{where}]({up}{urls.doc_of(d)}#{r.anchor}): "
                       f"{md_text(_snippet(r.text))}{area}")  # fmt: skip
            f = by_rec.get(r.anchor)
            if f is not None:
                if r.area:
                    grades = f"{md_text(_grade(f.before))} then {md_text(_grade(f.after))}"
                    out.append(f"    - {md_text(AREAS[r.area])}: {grades} at the next inspection.")
                if not f.passages:
                    out.append("    - No passage of the next report shares enough of its words.")
                for p in f.passages:
                    label = (para(p.block.number) or md_text(p.section.strip())
                             or "the passage in the report")  # fmt: skip
                    link = f"{up}{urls.doc_of(f.next_doc)}#{p.block.anchor}"
                    out.append(f"    - > {md_text(_snippet(p.block.text))} ([{label}]({link}))")
        out.append("")
    return out


def council_recommendations_page(a: Authority, body: list[str]) -> str:
    """A council's recommendations page: council_recommendations's body under its title. Its
    own page, not a section of the council's: at 5,000 reports it was three quarters of a
    council page of 600 KB, and a council page is made again whenever a neighbour's or the
    region's newest grade changes, this only when the council's own documents do."""
    name = md_text(a.name)
    out = [f"# {name}: recommendations and what the next inspection said", "",
           f"From the archive's documents about [{name}](../{a.slug}.md).", "",
           *unsearched(body)]  # fmt: skip
    return "\n".join(out) + "\n"


def _year_counts(s: Subject) -> Counter[str]:
    return Counter(doc_date(d)[:4] for d, _ in s.items)


def subjects_pages(subs: list[Subject]) -> dict[str, str]:
    """The national page of subjects, and one page per subject listing its recommendations."""
    years = sorted({y for s in subs for y in _year_counts(s)})
    fws = sorted({d.meta.framework for s in subs for d, _ in s.items})
    out = ["# What recommendations come back to", "",
           "The subjects that recommendations share, found from their own words: pairs of words "
           "(or single words) that at least ten recommendations use, each recommendation joining "
           "its most shared one. Each subject is named by its words as most often printed, with "
           "the words most telling of it; the counts are of recommendations, per framework and "
           "per year of the report.", ""]  # fmt: skip
    head = ["Subject", "Telling words", "All", *[FRAMEWORKS[f].name for f in fws]]
    out += ['<div class="table-scroll" role="region" aria-label="Subjects by framework" '
            'tabindex="0" markdown>', "", "| " + " | ".join(head) + " |",
            "| " + " | ".join("---" for _ in head) + " |"]  # fmt: skip
    pages: dict[str, str] = {}
    for s in subs:
        by_fw = Counter(d.meta.framework for d, _ in s.items)
        counts = " | ".join(str(by_fw.get(f, 0)) for f in fws)
        out.append(f"| [{md_text(s.name)}](subjects/{s.slug}.md) | "
                   f"{md_text(', '.join(s.telling))} | {len(s.items)} | {counts} |")  # fmt: skip
        pages.update(_subject_pages(s))
    out += ["", "</div>", "", "## Per year", ""]
    out += ['<div class="table-scroll" role="region" aria-label="Subjects by year" tabindex="0" '
            'markdown>', "", "| Subject | " + " | ".join(years) + " |",
            "| --- | " + " | ".join("---" for _ in years) + " |"]  # fmt: skip
    for s in subs:
        c = _year_counts(s)
        out.append(f"| [{md_text(s.name)}](subjects/{s.slug}.md) | "
                   + " | ".join(str(c.get(y, 0)) for y in years) + " |")  # fmt: skip
    out += ["", "</div>", ""]
    pages[SUBJECTS_DOC] = "\n".join(out)
    return pages


SUBJECT_PAGE_MAX = 250
"""A subject with more recommendations than this lists them on a page per year (under
subjects/<subject>/<year>/), its own page counting them by year: a subject of thousands of
recommendations (1.6 MB at 5,000 reports) would be one heavy page, rendered again whenever
any report adds one."""


def _subject_pages(s: Subject) -> dict[str, str]:
    """A subject's page (subjects/<slug>.md) listing its recommendations year by year, or, past
    SUBJECT_PAGE_MAX, linking to a page per year that lists them."""
    head = [f"# {md_text(s.name.capitalize())}", "",
            f"{len(s.items)} recommendations share this subject. The words most telling of it: "
            f"{md_text(', '.join(s.telling))}. [All subjects](../subjects.md).", ""]  # fmt: skip
    by_year: dict[str, list[tuple[Document, Recommendation]]] = {}
    for d, r in sorted(s.items, key=lambda t: (doc_date(t[0]), t[0].id, t[1].order)):
        by_year.setdefault(doc_date(d)[:4], []).append((d, r))
    if len(s.items) <= SUBJECT_PAGE_MAX:
        listed: list[str] = []
        for year, items in by_year.items():
            listed += ["", f"## {year}", "", *_subject_items(items, "../")]
        return {f"subjects/{s.slug}.md": "\n".join([*head, *unsearched(listed)]) + "\n"}
    out = [*head, "By year of the report:", ""]
    pages = {}
    for year, items in by_year.items():
        n = len(items)
        out.append(f"- [{year}]({s.slug}/{year}.md): {n} recommendation{'s' if n != 1 else ''}")
        # Nothing of other years (not even the subject's total): a year's page changes only
        # with its own year's reports.
        page = [f"# {md_text(s.name.capitalize())}: {year}", "",
                f"The recommendations of reports of {year} that share [this subject]"
                f"(../{s.slug}.md).", ""]  # fmt: skip
        page += unsearched(_subject_items(items, "../../"))
        pages[f"subjects/{s.slug}/{year}.md"] = "\n".join(page) + "\n"
    return {f"subjects/{s.slug}.md": "\n".join(out) + "\n", **pages}


def _subject_items(items: list[tuple[Document, Recommendation]], up: str) -> list[str]:
    reg = load_registry()
    out = []
    for d, r in items:
        a = reg.get(d.meta.authority)
        council = a.name if a else "England"
        where = para(r.number) or r.section.strip() or "in the report"
        out.append(f"- **{md_text(council)}** ([{md_text(where)}]({up}{urls.doc_of(d)}#{r.anchor}"
                   f")): {md_text(_snippet(r.text))}")  # fmt: skip
    return out


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1000))} KB"


def dictionary_pages() -> dict[str, str]:
    """A data dictionary page for each dataset: every column, its type and meaning."""
    pages = {}
    for d in DATASETS:
        out = [f"# {md_text(d.title)}: data dictionary", "", md_text(d.about), "",
               f"Files: [{d.key}.csv](../data/{d.key}.csv), [{d.key}.json](../data/{d.key}.json); "
               f"in [archive.sqlite](../data/archive.sqlite) the table "
               f"`{d.key.replace('-', '_')}`. [All open data](../data.md).", "",
               "| Column | Type | Meaning |", "| --- | --- | --- |"]  # fmt: skip
        out += [f"| `{esc(c.name)}` | {esc(c.type)} | {md_text(c.meaning)} |" for c in d.columns]
        pages[f"open-data/{d.key}.md"] = "\n".join(out) + "\n"
    return pages


def open_data_page(data: Mapping[str, Content], paragraphs: int) -> str:
    """The Open data page: every file with its size and licence, and the data dictionary. The
    database is described by what it holds (paragraphs: how many), not by its size: it need
    not be made yet (it is made beside the site), and an incremental build's file, updated in
    place, is not the same size as a clean build's of the same corpus."""

    def size(path: str) -> str:
        content = data.get(path, b"")
        return _size(len(content.encode("utf-8") if isinstance(content, str) else content))

    out = ["# Open data", "",
           "The archive as data, made by every build from the same corpus as the site: load it "
           "in a spreadsheet, R, Python or any SQL tool without writing code.", "",
           "**Licence.** The reports' text and judgements are Crown copyright (Ofsted), "
           "reused under the Open Government Licence v3.0 with attribution to Ofsted as "
           "printed in each report; plans are the councils'. The archive's code, and its own "
           "additions (ids, areas, subjects), are under the MIT licence. See "
           "[Licence](licence.md).", "",
           "| Data | CSV | JSON |", "| --- | --- | --- |"]  # fmt: skip
    for d in DATASETS:
        csv_, json_ = f"data/{d.key}.csv", f"data/{d.key}.json"
        out.append(f"| [{md_text(d.title)}](#{d.key}) | [{d.key}.csv]({csv_}) ({size(csv_)}) | "
                   f"[{d.key}.json]({json_}) ({size(json_)}) |")  # fmt: skip
    db = "data/archive.sqlite"
    out += ["", f"**The whole archive as one SQLite database:** [archive.sqlite]({db}) "
            f"(the largest file here: the text of all {paragraphs:,} paragraphs with their "
            "full-text index). Tables `documents`, `judgements`, `grades_by_year` and "
            "`recommendations` (the columns below), `councils` and `neighbours` (each council's "
            "statistical neighbours, closest first: `rank`), and `paragraphs` (every paragraph, "
            "list item and table of every report, with its `document`, `anchor`, `number` and "
            "`section`), searchable through the FTS5 table `paragraphs_fts`. Open it with "
            "`datasette archive.sqlite` or `sqlite3 archive.sqlite`.", "",
            "Also: [national-picture.csv](data/national-picture.csv) (the national chart's "
            f"data, {size('data/national-picture.csv')}).", ""]  # fmt: skip
    for d in DATASETS:
        out += [f"## {md_text(d.title)} {{: #{d.key} }}", "", md_text(d.about), "",
                f"Its columns: [data dictionary](open-data/{d.key}.md).", ""]  # fmt: skip
    return "\n".join(out)
