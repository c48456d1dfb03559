"""The real archive: every report of ../shared in the corpus (or left out with its reason), the
audit clean on the whole corpus, and the kinds of report that ingestion once got wrong, each
checked on a small text or a sampled real PDF."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from evidence_archive.check.audit import audit_document, check_corpus
from evidence_archive.corpus import store as corpus_mod
from evidence_archive.corpus.store import SOURCES, read_sources, scan
from evidence_archive.frameworks import VARIANTS, common_scale, not_given, variant_of
from evidence_archive.ingest.detect import detect, inspection_dates, published_date
from evidence_archive.ingest.pdf import extract
from evidence_archive.parse.document import parse
from evidence_archive.registry import load_registry

from .conftest import ARCHIVE_PDFS, CORPUS, PDFS, SEED_IDS, SHARED, run_cli

needs_shared = pytest.mark.skipif(not ARCHIVE_PDFS.is_dir(), reason="../shared is not beside")


def _manifest_rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for folder in ("archive-pdf", "reports-pdf"):
        with (SHARED / folder / "MANIFEST.tsv").open(encoding="utf-8") as fh:
            rows += [(folder, r) for r in csv.DictReader(fh, delimiter="\t")]
    return rows


# ---- the corpus holds the archive ---------------------------------------------------------


@needs_shared
def test_every_listed_report_is_in_the_corpus_or_left_out_with_a_reason() -> None:
    sources = read_sources(CORPUS)
    assert sources is not None
    left = {}
    for line in (CORPUS / "left-out.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            folder, file, digest, reason = line.split("\t")
            left[digest] = (folder, file, reason)
    rows = _manifest_rows()
    assert len(rows) == 387 + 15
    missing = [r["file"] for _, r in rows if r["sha256"] not in sources and r["sha256"] not in left]
    assert missing == []
    # Each left-out line names its PDF exactly as its manifest does, with a reason.
    listed = {r["sha256"]: (folder, r["file"]) for folder, r in rows}
    assert all(listed[d] == (folder, file) and reason.strip()
               for d, (folder, file, reason) in left.items())  # fmt: skip
    assert len(left) + sum(r["sha256"] in sources for _, r in rows) == len(rows)
    # 400 reports from the PDFs plus the five seeds.
    entries, problems = scan([CORPUS])
    assert problems == []
    assert len(entries) == 405
    assert {e.id for e in entries} >= set(SEED_IDS)


@needs_shared
def test_metadata_carries_the_listing_with_its_provenance() -> None:
    by_sha = {r["sha256"]: r for _, r in _manifest_rows()}
    entries, _ = scan([CORPUS])
    checked = 0
    for e in entries:
        digest = e.meta.get("source_pdf_sha256")
        if not digest:
            continue
        row = by_sha[digest]
        assert e.meta["listing_urn"] == row["urn"]
        assert e.meta["listing_date"] == row["date_in_file_name"]
        assert e.meta.get("source_url") == (row["source_url"] or None)
        assert "listing_date" in e.meta["dates_note"]  # the page says where the date came from
        assert load_registry().get(e.meta["authority"]).urn == row["urn"]
        checked += 1
    assert checked == 400


def test_whole_corpus_audit_and_fidelity_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    entries, problems = scan([CORPUS])
    assert problems == []
    out = io.StringIO()
    status = check_corpus(entries, out, fidelity=True, audit=True, jobs=2)
    assert status == 0, out.getvalue()[-2000:]
    assert "0 findings" in capsys.readouterr().err


def test_sources_index_matches_the_metadata() -> None:
    entries, _ = scan([CORPUS])
    assert corpus_mod.check_sources(CORPUS, entries) == []


def test_check_names_a_stale_sources_index(corpus_copy: Path, tmp_path: Path) -> None:
    # The seed corpus has no PDFs; an index naming one is refused with the file named.
    (corpus_copy / SOURCES).write_text("# h\n" + "a" * 64 + "\tnowhere-2020-01-01-x\n")
    result = run_cli("check", "--corpus", str(corpus_copy))
    assert result.returncode == 1
    assert f"{corpus_copy / SOURCES}: does not match the metadata" in result.stdout


# ---- the audit sees what is wrong ---------------------------------------------------------


def _entry(doc_id: str) -> corpus_mod.CorpusEntry:
    entries, _ = scan([CORPUS])
    return next(e for e in entries if e.id == doc_id)


ILACS = "kent-2022-05-20-ilacs-inspection"


def test_audit_finds_a_missing_judgement_and_a_recorded_note_silences_it() -> None:
    entry = _entry(ILACS)
    text = entry.read_text().replace("Overall effectiveness\tOutstanding", "Overall\tsee below")
    doc = parse(text, entry.meta)
    found = audit_document(entry, doc)
    assert [f.rule for f in found] == ["judgements"]
    assert "Overall effectiveness" in found[0].message and str(entry.meta_path) in str(found[0])
    noted = entry.__class__(entry.id, {**entry.meta, "audit_notes": ["judgements: test"]},
                            entry.text_path, entry.meta_path)  # fmt: skip
    assert audit_document(noted, doc) == []


def test_an_audit_note_must_name_a_rule_and_still_explain_a_finding() -> None:
    entry = _entry(ILACS)
    doc = parse(entry.read_text(), entry.meta)
    for note, says in (
        ("judgement: typo of the rule", "names no rule of the audit: 'judgement'"),
        ("dates: nothing wrong now", "records 'dates', but the audit finds nothing"),
    ):
        noted = entry.__class__(
            entry.id, {**entry.meta, "audit_notes": [note]}, entry.text_path, entry.meta_path
        )
        found = audit_document(noted, doc)
        assert [f.rule for f in found] == ["notes"] and says in found[0].message


def test_audit_finds_gaps_dates_urn_and_markup() -> None:
    entry = _entry(ILACS)
    text = entry.read_text()
    doc = parse(text.replace("\n12. ", "\n13. ", 1), entry.meta)
    meta = {
        **entry.meta,
        "inspection_start": "2022-05-30",  # after the end
        "listing_urn": "80472",  # Hampshire's
        "title": "Inspection of Kent<sup>1</sup>",
    }
    bad = entry.__class__(entry.id, meta, entry.text_path, entry.meta_path)
    rules = sorted({f.rule for f in audit_document(bad, doc)})
    assert rules == ["council", "dates", "paragraphs", "title"]
    gaps = [f.message for f in audit_document(bad, doc) if f.rule == "paragraphs"]
    assert gaps[0] == "no paragraph 12 before 13"


# ---- framework variants -------------------------------------------------------------------


def test_variants_follow_the_inspection_date() -> None:
    def key(start: str) -> str:
        v = variant_of("ilacs", "ilacs-inspection", "Inspection of X children's services", start,
                       None)  # fmt: skip
        assert v is not None
        return v.key

    assert key("2022-12-31") == "ilacs-2018"
    assert key("2023-01-01") == "ilacs-2023"
    assert key("2026-03-31") == "ilacs-2023"
    assert key("2026-04-01") == "ilacs-2026"
    v2026 = next(v for v in VARIANTS if v.key == "ilacs-2026")
    assert "overall" not in v2026.areas and "care-leavers" in v2026.areas
    assert not_given(v2026, "overall") == "no overall effectiveness judgement from 1 April 2026"
    v2018 = next(v for v in VARIANTS if v.key == "ilacs-2018")
    assert not_given(v2018, "care-leavers") == "judged together with children in care"
    assert not_given(v2018, "overall") is None
    assert not_given(v2018, "lscb") == "not given under this framework"
    visit = variant_of("ilacs", "focused-visit", "Focused visit to X children's services", None,
                       None)  # fmt: skip
    assert visit is not None and visit.areas == ()


def test_sif_variant_depends_on_the_lscb_review_in_the_title() -> None:
    sif = "Inspection of services for children in need of help and protection, children looked " \
          "after and care leavers"  # fmt: skip
    lscb = sif + " and Review of the effectiveness of the Local Safeguarding Children Board"
    assert variant_of("sif", "single-inspection", lscb, "2015-01-01", None).key == "sif-lscb"  # type: ignore[union-attr]
    assert variant_of("sif", "single-inspection", sif, "2018-01-01", None).key == "sif"  # type: ignore[union-attr]
    reinspect = variant_of("sif", "single-inspection", "Re-" + sif, "2016-01-01", "re-inspection")
    assert reinspect is not None and reinspect.key == "sif-reinspection"


# ---- detection: titles, councils and dates as the real reports print them -----------------


@pytest.mark.parametrize(
    ("cover", "slug", "kind"),
    [
        ("Inspection of Kent County Council children’s services\nInspection dates: 9 to 20 May 2022",
         "kent", "ilacs-inspection"),
        ("Inspection of the Royal Borough of Windsor and Maidenhead local\nauthority children’s "
         "services\nInspection dates: 7 to 11 October 2024", "windsor-and-maidenhead",
         "ilacs-inspection"),
        ("Inspection of East Riding local authority children’s services\nInspection dates: 30 "
         "January to 10 February 2023", "east-riding-of-yorkshire", "ilacs-inspection"),
        ("Inspection of Newcastle local authority children’s services\nInspection dates: 29 "
         "November to 10 December 2021", "newcastle-upon-tyne", "ilacs-inspection"),
        ("Council of the Isles of Scilly\nInspection of children’s social care services\n"
         "Inspection dates: 14 October 2019 to 18 October 2019", "isles-of-scilly",
         "ilacs-inspection"),
        ("Tameside metropolitan borough\nInspection of local authority children’s social care "
         "services\nInspection dates: 13 May 2019 to 24 May 2019", "tameside", "ilacs-inspection"),
        ("Surrey Safeguarding Children Board\nReview of the effectiveness of the Local "
         "Safeguarding Children Board\nInspection date: 15 June 2015 – 17 June 2015", "surrey",
         "lscb-review"),
    ],
)  # fmt: skip
def test_titles_and_councils_as_printed(cover: str, slug: str, kind: str) -> None:
    d = detect(cover + "\n\nJudgement\tGrade\n")
    assert d.authority is not None and d.authority.slug == slug
    assert d.kind == kind
    assert d.title and "Inspection date" not in d.title


def test_a_title_loses_its_footnote_mark() -> None:
    d = detect("Slough Borough Council\nInspection of services for children in need of help and "
               "protection, children looked after and care leavers\nand\nReview of the "
               "effectiveness of the Local Safeguarding Children Board<sup>1</sup>\nInspection "
               "date: 19 November 2013 – 11 December 2013\n")  # fmt: skip
    assert d.title is not None and "<" not in d.title and d.title.endswith("Children Board")


def test_other_inspections_named_below_the_title_do_not_count() -> None:
    d = detect("Inspection of Leeds children’s services\nInspection dates: 1 to 12 May 2023\n"
               "The joint targeted area inspection in 2021 and the focused visit to Leeds "
               "children’s services in 2022 found ...\n")  # fmt: skip
    assert d.kind == "ilacs-inspection"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Inspection date: 12/09/2016 to 06/10/2016", "2016-09-12", "2016-10-06"),
        ("Inspection date: 1/06/2015 – 25/06/2015", "2015-06-01", "2015-06-25"),
        ("Inspection date: 18 Feb 2014 – 12 March 2014", "2014-02-18", "2014-03-12"),
        ("Inspection dates: 28 Sept to 9 Oct. 2020", "2020-09-28", "2020-10-09"),
        ("Inspection dates: 28 December to 8 January 2019", "2018-12-28", "2019-01-08"),
    ],
)
def test_dates_as_printed(text: str, start: str, end: str) -> None:
    assert inspection_dates(text) == (start, end)


def test_numeric_publication_date() -> None:
    assert published_date("Report published: 25/11/2016") == "2016-11-25"


# ---- judgements: the forms that were lost -------------------------------------------------

SIF_META = {"id": "x", "framework": "sif", "kind": "single-inspection", "title": "t",
            "source_file": "x.txt", "sha256": "0" * 64, "authority": "havering",
            "publisher": "Ofsted", "published": None, "licence": None}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("The effectiveness of the Local Safeguarding Children Board (LSCB) requires improvement",
         "requires improvement"),
        ("The judgement for the effectiveness of the Local Safeguarding Children Board (LSCB) is "
         "requires improvement.", "requires improvement"),
        ("The effectiveness of the Local Safeguarding Children Board (LSCB)\n\nGood.", "good"),
    ],
)  # fmt: skip
def test_lscb_judgement_in_its_printed_forms(text: str, grade: str) -> None:
    doc = parse("Children’s services in X are good\n\n" + text + "\n", SIF_META)
    lscb = [j for j in doc.judgements if j.area == "lscb"]
    assert [(j.scope, j.grade) for j in lscb] == [("LSCB", grade)]


def test_not_judged_is_recorded_not_dropped() -> None:
    text = ("1. Children who need help and protection\tGood\n\n2.1 Adoption performance\t"
            "Not judged\n\n3. Leadership, management and governance\tGood\n")  # fmt: skip
    doc = parse(text, SIF_META)
    adoption = next(j for j in doc.judgements if j.area == "adoption")
    assert adoption.grade == "not judged"


def test_a_label_cut_off_by_the_table_keeps_its_area() -> None:
    text = ("1. Children who need help and protection\tInadequate\n\n2. Children looked after and "
            "achieving\tInadequate\n\n3. Leadership, management and governance\tInadequate\n")  # fmt: skip
    doc = parse(text, SIF_META)
    assert sorted(j.area or "?" for j in doc.judgements) == [
        "children-in-care", "help-and-protection", "leadership"]  # fmt: skip


# ---- extraction of the real PDFs (a sample of the layouts that went wrong) ----------------


@needs_shared
def test_glued_paragraph_numbers_get_their_space() -> None:
    text = extract(ARCHIVE_PDFS / "westmorland-and-furness-2024-07-12.pdf").text
    numbers = [int(line.split(".")[0]) for line in text.splitlines()
               if line[:1].isdigit() and ". " in line[:5]]  # fmt: skip
    assert numbers == list(range(1, 68))
    assert "\n10.Initial" not in text and "\n10. Initial" in text


@needs_shared
def test_a_number_that_a_sentence_wraps_to_a_line_start_is_not_a_paragraph() -> None:
    text = extract(ARCHIVE_PDFS / "barking-and-dagenham-2014-07-07.pdf").text
    assert "working with those over 18. The quality and range" in text


@needs_shared
@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # Rows printed so close together that they came out as one.
        ("middlesbrough-2020-01-24", ["The impact of leaders on social work practice with "
         "children and families\tInadequate", "The experiences and progress of children who "
         "need help and protection\tInadequate"]),
        # 'Requires' printed above its label, 'improvement' beside it.
        ("barnsley-2014-08-08", ["1. Children who need help and protection\tRequires improvement",
                                 "2.1 Adoption performance\tRequires improvement"]),
        # The grade set at the top of a tall row, its label centred below it.
        ("sefton-2016-06-27", ["2.1 Adoption performance\tRequires improvement",
                               "3. Leadership, management and governance\tRequires improvement"]),
    ],
)  # fmt: skip
def test_grade_rows_come_out_whole(name: str, rows: list[str]) -> None:
    lines = extract(ARCHIVE_PDFS / f"{name}.pdf").text.splitlines()
    for row in rows:
        assert row in lines


@needs_shared
def test_ingested_judgements_of_the_hard_layouts() -> None:
    entries, _ = scan([CORPUS])
    by_source = {e.meta["source_file"]: e for e in entries}

    def grades(name: str) -> dict[str, str]:
        e = by_source[name]
        return {j.area or j.label: j.grade for j in parse(e.read_text(), e.meta).judgements}

    assert grades("middlesbrough-2020-01-24.pdf") == {
        "leadership": "inadequate", "help-and-protection": "inadequate",
        "children-in-care": "inadequate", "overall": "inadequate"}  # fmt: skip
    assert grades("isles-of-scilly-2016-06-27.pdf")["adoption"] == "not judged"
    assert grades("london-corporation-2016-09-20.pdf")["adoption"] == "not judged"
    assert grades("bolton-2014-03-21.pdf")["lscb"] == "requires improvement"
    assert grades("derbyshire-2014-02-11.pdf")["lscb"] == "requires improvement"
    assert grades("hounslow-2014-03-21.pdf")["lscb"] == "requires improvement"
    assert grades("sefton-2016-06-27.pdf")["adoption"] == "requires improvement"
    assert grades("norfolk-2013-08-16.pdf")["lac-outcomes"] == "inadequate"
    assert grades("surrey-2015-08-03.pdf") == {"lscb": "requires improvement"}
    assert by_source["surrey-2015-08-03.pdf"].meta["kind"] == "lscb-review"


# ---- batch ingestion ----------------------------------------------------------------------


@needs_shared
def test_keep_going_writes_the_good_refuses_the_bad(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    good = [ARCHIVE_PDFS / "kent-2022-07-05.pdf", ARCHIVE_PDFS / "tameside-2019-07-01.pdf"]
    result = run_cli("ingest", *map(str, good), str(empty), "--corpus", str(corpus),
                     "--keep-going", "--no-progress")  # fmt: skip
    assert result.returncode == 1
    assert f"refused: {empty}: is empty (0 bytes), not a PDF" in result.stderr
    assert "refused: not a PDF" in result.stderr and "ingested" in result.stderr  # summary
    entries, problems = scan([corpus])
    assert problems == [] and len(entries) == 2
    kent = next(e for e in entries if e.meta["authority"] == "kent")
    assert kent.meta["listing_date"] == "2022-07-05" and kent.meta["listing_urn"] == "80476"
    assert read_sources(corpus) == {e.meta["source_pdf_sha256"]: e.id for e in entries}
    # Without --keep-going the same batch writes nothing.
    again = tmp_path / "d"
    result = run_cli("ingest", *map(str, good), str(empty), "--corpus", str(again))
    assert result.returncode == 1 and not again.exists()


@needs_shared
def test_a_council_that_differs_from_the_listing_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    shutil.copyfile(ARCHIVE_PDFS / "kent-2022-07-05.pdf", folder / "kent.pdf")
    (folder / "MANIFEST.tsv").write_text(
        "file\turn\tfolder_name\tdate_in_file_name\tsha256\tpath_in_snapshot\tsource_url\n"
        "kent.pdf\t80472\thampshire\t2022-07-05\t\t\t\n"
    )
    result = run_cli("ingest", str(folder / "kent.pdf"), "--corpus", str(tmp_path / "c"))
    assert result.returncode == 1
    assert "names Kent (URN 80476) but its MANIFEST.tsv row gives URN 80472" in result.stderr


@needs_shared
def test_one_ingest_reads_the_index_not_every_metadata_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_archive.ingest import batch as ingest_mod

    corpus = tmp_path / "c"
    shutil.copytree(CORPUS / "kent", corpus / "kent")
    kent = [line for line in (CORPUS / SOURCES).read_text().splitlines() if "\tkent-" in line]
    (corpus / SOURCES).write_text("\n".join(["# index", *kent]) + "\n")

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("ingest read every metadata file")

    monkeypatch.setattr(ingest_mod, "scan", no_scan)
    monkeypatch.setattr(corpus_mod, "load_meta", no_scan)
    out = io.StringIO()
    done = ingest_mod.ingest([PDFS / "dorset-2021-11-19.pdf"], corpus, out)
    assert [p.meta["id"] for p in done.planned] == ["dorset-2021-10-08-ilacs-inspection"]
    # The same PDF again is known from the index alone.
    with pytest.raises(Exception, match="already in the corpus as dorset-2021-10-08"):
        ingest_mod.ingest([PDFS / "dorset-2021-11-19.pdf"], corpus, out)


@needs_shared
def test_extraction_gives_the_committed_text_for_a_sample_of_pdfs() -> None:
    """The corpus texts are what extraction gives: a faster or changed extractor must give the
    same bytes (or the change is a re-ingest, with its ids recorded)."""
    import hashlib

    entries, _ = scan([CORPUS])
    by_pdf = {e.meta["source_pdf_sha256"]: e for e in entries if e.meta.get("source_pdf_sha256")}
    pdfs = sorted(ARCHIVE_PDFS.glob("*.pdf"))[::25] + sorted(PDFS.glob("*.pdf"))[1::5]
    checked = 0
    for pdf in pdfs:
        entry = by_pdf.get(hashlib.sha256(pdf.read_bytes()).hexdigest())
        if entry is None:
            continue
        assert extract(pdf).text == entry.read_text(), pdf.name
        checked += 1
    assert checked >= 15


# ---- the council pages and the matrix answer "how is my council judged now?" ---------------


def test_council_headline_and_matrix_agree_with_the_newest_report_for_every_council() -> None:
    from evidence_archive.build.parsing import parse_corpus
    from evidence_archive.dates import doc_date
    from evidence_archive.opendata.national import group_by_authority
    from evidence_archive.site.pages import generated_pages
    from evidence_archive.site.reports import overall_judgement

    built = parse_corpus([CORPUS], jobs=2)
    pages = generated_pages(built)
    matrix = pages["comparison.md"]
    checked = 0
    for slug, docs in group_by_authority(built).items():
        if slug == "england":
            continue
        graded = [d for d in docs if d.judgements and d.meta.kind not in ("plan",)]
        newest = max(graded, key=lambda d: (doc_date(d), d.id))
        overall = overall_judgement(newest)
        page = pages[f"authorities/{slug}.md"]
        head = page.split('<div class="council-headline" markdown>')[1].split("</div>\n\n")[0]
        assert f"../reports/{slug}/{newest.id}.md" in head, slug
        if overall is not None:
            assert f">{overall.grade.capitalize()}" in head.split("judged now:")[1].split("\n")[0]
            # The matrix's overall cell for the council is the same grade and year.
            row = next(r for r in matrix.splitlines() if f"/authorities/{slug}/" in r)
            first_cell = re.findall(r'<td data-scale="\d+">(.*?)</td>', row)[0]
            assert '<span class="grade grade-' in first_cell, slug
            assert f">{overall.grade.capitalize()}<" in first_cell, slug
            assert f"<small>{doc_date(newest)[:4]}</small>" in first_cell, slug
        else:
            assert "Not given under this framework" in head or "no overall" in head.lower(), slug
        # Every compared area of the matrix: the newest report's grade there, or the reason
        # its framework gives none.
        from evidence_archive.frameworks import areas_not_given
        from evidence_archive.opendata.national import MATRIX_AREAS

        row = next(r for r in matrix.splitlines() if f"/authorities/{slug}/" in r)
        cells = re.findall(r'<td data-scale="-?\d+">(.*?)</td>', row)
        missing = areas_not_given(newest.meta)
        for area, cell in zip(MATRIX_AREAS, cells, strict=True):
            mine = next(
                (j for j in newest.judgements if j.area == area and j.grade != "not judged"), None
            )
            if mine is not None and common_scale(mine.grade):
                assert f">{mine.grade.capitalize()}<" in cell, (slug, area)
                assert f"<small>{doc_date(newest)[:4]}</small>" in cell, (slug, area)
            elif area in missing:
                assert missing[area].capitalize() in cell.replace("&#x27;", "'"), (slug, area)
        checked += 1
    assert checked >= 150
