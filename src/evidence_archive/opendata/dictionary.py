"""The open data's data dictionary, declared once: every dataset, its files and every column
with its type and meaning. The tables (opendata/tables.py), the SQLite database
(opendata/database.py) and the site's Open data page are all made from it, so they cannot
disagree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """'text', 'integer', 'date' (ISO 8601 at the precision printed) or 'year'."""
    meaning: str


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    about: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_COUNCIL = (
    Column("council", "text", "The council's slug in the archive's registry ('england' for "
           "national documents)"),
    Column("council_name", "text", "The council's name"),
    Column("la_code", "text", "The DfE local authority code"),
    Column("ons_code", "text", "The ONS (GSS) code of the council's area"),
    Column("region", "text", "The English region"),
)  # fmt: skip

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "documents", "Documents",
        "One row per document of the archive: what it is, whom it is about, when, and where "
        "it was published.",
        (
            Column("id", "text", "The document's id in the archive, also its page's name"),
            Column("title", "text", "The title as printed"),
            *_COUNCIL,
            Column("kind", "text", "Kind of document (single-inspection, ilacs-inspection, ...)"),
            Column("framework", "text", "The inspection framework (jar-2005, sif, ilacs, ...)"),
            Column("variant", "text", "The form of the framework's report it takes "
                   "(ilacs-2018, sif-lscb, ...)"),
            Column("inspection_type", "text", "standard, short, re-inspection, ... where known"),
            Column("inspection_start", "date", "First day of the inspection as printed"),
            Column("inspection_end", "date", "Last day of the inspection as printed"),
            Column("published", "date", "Publication date as printed (empty when not printed)"),
            Column("listing_date", "date", "The date Ofsted's report listing shows"),
            Column("date", "date", "The date the archive places it at: published, else the "
                   "inspection's last day, else the plan's first year"),
            Column("reference", "text", "Reference number as printed"),
            Column("source_url", "text", "Where Ofsted published it, where known"),
            Column("pages", "integer", "Pages of the published PDF"),
            Column("paragraphs", "integer", "Numbered paragraphs"),
            Column("words", "integer", "Words of its text"),
            Column("recommendations", "integer", "Recommendations it makes"),
            Column("url", "text", "Its page, relative to the site's root"),
        ),
    ),
    Dataset(
        "judgements", "Judgements",
        "One row per judgement as printed, and one per compared area that a report does not "
        "give under its framework (grade empty, the reason in `note`).",
        (
            Column("document", "text", "The document's id"),
            *_COUNCIL,
            Column("framework", "text", "The inspection framework"),
            Column("variant", "text", "The form of the framework's report"),
            Column("inspection_start", "date", "First day of the inspection"),
            Column("inspection_end", "date", "Last day of the inspection"),
            Column("published", "date", "Publication date as printed"),
            Column("date", "date", "The date the archive places the document at"),
            Column("label", "text", "The judgement's label as printed"),
            Column("scope", "text", "Whom it is for: local authority, LSCB, local services "
                   "overall, ..."),
            Column("area", "text", "The judgement area it is compared in (overall, "
                   "help-and-protection, children-in-care, care-leavers, ...)"),
            Column("grade", "text", "The grade as printed, lower case"),
            Column("score", "integer", "The number printed, where the framework prints one"),
            Column("common_scale", "integer", "The grade on the archive's common four-point "
                   "scale: 4 outstanding, 3 good, 2 requires improvement / adequate, 1 "
                   "inadequate"),
            Column("common_grade", "text", "The common scale's word"),
            Column("note", "text", "Why there is no grade, where there is none"),
        ),
    ),
    Dataset(
        "grades-by-year", "Grades by year",
        "A time series: for every council and compared area, the latest grade as at the end "
        "of each year, from its first inspection in the archive to the newest year the archive "
        "holds.",
        (
            *_COUNCIL,
            Column("year", "year", "The year; the grade is the one standing on 31 December"),
            Column("area", "text", "The judgement area"),
            Column("grade", "text", "The grade as printed (empty when that inspection does "
                   "not give the area)"),
            Column("common_scale", "integer", "The grade on the common four-point scale"),
            Column("common_grade", "text", "The common scale's word, or 'not given'"),
            Column("since", "date", "The date of the document that gave it"),
            Column("document", "text", "That document's id"),
        ),
    ),
    Dataset(
        "recommendations", "Recommendations",
        "One row per recommendation, as printed: what each report says must improve.",
        (
            Column("id", "text", "Its permanent id: the document's id, '#', the paragraph's "
                   "anchor"),
            Column("document", "text", "The document's id"),
            *_COUNCIL,
            Column("framework", "text", "The inspection framework"),
            Column("variant", "text", "The form of the framework's report"),
            Column("date", "date", "The date the archive places the document at"),
            Column("order", "integer", "Its place among the report's recommendations"),
            Column("section", "text", "The heading it is printed under"),
            Column("number", "text", "The paragraph number as printed, where numbered"),
            Column("area", "text", "The judgement area its words tie it to (empty when none)"),
            Column("text", "text", "Its words as printed"),
            Column("url", "text", "Its place in the report's page, relative to the site's root"),
        ),
    ),
)  # fmt: skip

BY_KEY = {d.key: d for d in DATASETS}
