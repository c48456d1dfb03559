"""PDF ingestion: the 14 real Ofsted PDFs, checked against what each report prints on its
first page (read by hand), and every kind of bad input refused with one clear line."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from evidence_archive.check.fidelity import check_entry
from evidence_archive.corpus.store import scan
from evidence_archive.ingest.pdf import extract
from evidence_archive.parse.document import parse

from .conftest import PDFS, run_cli
from .pdfs import encrypted_copy, image_only_pdf, text_pdf

pytestmark = pytest.mark.skipif(
    not PDFS.is_dir(), reason="../shared/reports-pdf is not beside the project"
)

RI = "requires improvement"
RIG = "requires improvement to be good"
LEAD, HELP = "The impact of leaders", "The experiences and progress of children who need help"
CIC, CL, OVERALL = (
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
    "Overall effectiveness",
)

#: file -> (authority, framework, kind, inspection type, start, end, published,
#:          [(label as printed, starting with, grade)]) -- read from each PDF's first page.
EXPECTED = {
    "barnsley-2023-10-27": ("barnsley", "ilacs", "ilacs-inspection", "short", "2023-09-11", "2023-09-15", None,
                            [(LEAD, "good"), (HELP, RIG), (CIC, "good"), (CL, "good"), (OVERALL, "good")]),
    "birmingham-2014-05-23": ("birmingham", "sif", "single-inspection", None, "2014-03-18", "2014-04-09", "2014-05-23",
                              [("The overall judgement", "inadequate"), ("Children who need help", "inadequate"),
                               ("Children looked after", "inadequate"), ("Adoption performance", "inadequate"),
                               ("Experiences and progress of care leavers", "inadequate"),
                               ("Leadership, management", "inadequate"), ("The effectiveness of the Local Safeguarding", "inadequate")]),
    "birmingham-2016-11-25": ("birmingham", "sif", "single-inspection", "re-inspection", "2016-09-12", "2016-10-06", "2016-11-25",
                              [("Children's services", "inadequate"), ("Children who need help", "inadequate"),
                               ("Children looked after", RI), ("Adoption performance", RI),
                               ("Experiences and progress of care leavers", RI), ("Leadership, management", "inadequate")]),
    "calderdale-2015-03-20": ("calderdale", "sif", "single-inspection", None, "2015-01-13", "2015-02-04", "2015-03-20",
                              [("The overall judgement", "require improvement"), ("Children who need help", RI),
                               ("Children looked after", RI), ("Adoption performance", "inadequate"),
                               ("Experiences and progress of care leavers", RI), ("Leadership, management", RI),
                               ("The effectiveness of the Local Safeguarding", RI)]),
    "dorset-2021-11-19": ("dorset", "ilacs", "ilacs-inspection", "standard", "2021-09-27", "2021-10-08", None,
                          [(LEAD, "outstanding"), (HELP, "good"), (CIC, "good"), (OVERALL, "good")]),
    "halton-2024-07-12": ("halton", "ilacs", "ilacs-inspection", "standard", "2024-05-13", "2024-05-24", None,
                          [(LEAD, "inadequate"), (HELP, "inadequate"), (CIC, "inadequate"), (CL, "inadequate"), (OVERALL, "inadequate")]),
    "hampshire-2014-04-22": ("hampshire", "sif", "single-inspection", None, "2014-02-18", "2014-03-12", None,
                             [("The overall judgement", "good"), ("Children who need help", "good"),
                              ("Children looked after", "good"), ("Adoption performance", "outstanding"),
                              ("Experiences and progress of care leavers", "good"), ("Leadership, management", "outstanding"),
                              ("The effectiveness of the Local Safeguarding", "good")]),
    "hampshire-2019-06-11": ("hampshire", "ilacs", "ilacs-inspection", "short", "2019-04-29", "2019-05-03", None,
                             [(LEAD, "outstanding"), (HELP, "outstanding"), (CIC, "outstanding"), (OVERALL, "outstanding")]),
    "hampshire-2024-07-23": ("hampshire", "ilacs", "ilacs-inspection", "short", "2024-06-10", "2024-06-14", None,
                             [(LEAD, "outstanding"), (HELP, "outstanding"), (CIC, "outstanding"), (CL, "good"), (OVERALL, "outstanding")]),
    "havering-2016-12-09": ("havering", "sif", "single-inspection", None, "2016-09-27", "2016-10-20", "2016-12-09",
                            [("Children's services", "require improvement to be good"), ("Children who need help", RI),
                             ("Children looked after", RI), ("Adoption performance", RI),
                             ("Experiences and progress of care leavers", "inadequate"), ("Leadership, management", RI),
                             ("The effectiveness of the Local Safeguarding", RI)]),
    "havering-2018-07-23": ("havering", "ilacs", "ilacs-inspection", "standard", "2018-06-11", "2018-06-22", None,
                            [(LEAD, "good"), (HELP, RI), (CIC, "good"), (OVERALL, "good")]),
    "havering-2024-02-16": ("havering", "ilacs", "ilacs-inspection", "standard", "2023-12-11", "2023-12-22", None,
                            [(LEAD, "inadequate"), (HELP, "inadequate"), (CIC, "inadequate"), (CL, RIG), (OVERALL, "inadequate")]),
    "isle-of-wight-2019-01-07": ("isle-of-wight", "ilacs", "ilacs-inspection", "standard", "2018-11-19", "2018-11-30", None,
                                 [(LEAD, "good"), (HELP, "good"), (CIC, "good"), (OVERALL, "good")]),
    "norfolk-2013-08-16": ("norfolk", "lac-2012", "looked-after-children-inspection", None, "2013-07-08", "2013-07-12", "2013-08-16",
                           [("Overall effectiveness", "inadequate"), ("Capacity to improve", "inadequate"),
                            ("Outcomes for looked after children", "inadequate"), ("Quality of provision", "inadequate"),
                            ("Leadership and management", "inadequate")]),
}  # fmt: skip


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All 14 real PDFs ingested into an empty corpus (the result is never committed)."""
    corpus = tmp_path_factory.mktemp("pdf-corpus") / "corpus"
    pdfs = sorted(str(PDFS / f"{name}.pdf") for name in EXPECTED)
    result = run_cli("ingest", *pdfs, "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    return corpus


def _by_source(corpus: Path) -> dict:
    entries, problems = scan([corpus])
    assert problems == []
    return {Path(e.meta["source_file"]).stem: e for e in entries}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detected_metadata_matches_the_report(ingested: Path, name: str) -> None:
    authority, framework, kind, itype, start, end, published, _ = EXPECTED[name]
    meta = _by_source(ingested)[name].meta
    assert meta["authority"] == authority
    assert (meta["framework"], meta["kind"]) == (framework, kind)
    assert meta.get("inspection_type") == itype
    assert (meta["inspection_start"], meta["inspection_end"]) == (start, end)
    assert meta["published"] == published
    assert meta["pages"] == len(pdfium.PdfDocument(str(PDFS / f"{name}.pdf")))
    assert meta["extraction"].startswith("pypdfium2 ")
    assert meta["licence"] and meta["publisher"] == "Ofsted"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_judgements_exactly_as_printed(ingested: Path, name: str) -> None:
    entry = _by_source(ingested)[name]
    doc = parse(entry.read_text(), entry.meta)
    got = [(j.label, j.grade) for j in doc.judgements]
    for label, grade in EXPECTED[name][-1]:
        hits = [g for lab, g in got if lab.replace("’", "'").startswith(label)]
        assert hits, f"{label!r} not found in {got}"
        assert hits[0] == grade, (label, hits[0])
    assert len(got) == len(EXPECTED[name][-1])


def test_lac_2012_grades_keep_their_printed_score(ingested: Path) -> None:
    entry = _by_source(ingested)["norfolk-2013-08-16"]
    doc = parse(entry.read_text(), entry.meta)
    overall = next(j for j in doc.judgements if j.area == "overall")
    assert (overall.grade, overall.score) == ("inadequate", 4)  # 'Grade 4 (inadequate)'


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ingested_page_passes_fidelity(ingested: Path, name: str) -> None:
    f = check_entry(_by_source(ingested)[name])
    assert f.differences == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extraction_keeps_every_character_but_furniture(name: str) -> None:
    """pdfium's own text = the corpus text + the furniture removed, character for character."""
    path = PDFS / f"{name}.pdf"
    ex = extract(path)
    tokens = lambda t: re.findall(r"[^\W\d_]+|\d+", t)  # noqa: E731
    raw: list[str] = []
    for page in pdfium.PdfDocument(str(path)):
        raw += tokens(page.get_textpage().get_text_range().replace("\ufffe", " "))
    mine = tokens(re.sub(r"</?sup>", " ", ex.text))
    for r in ex.removed:
        mine += tokens(r.text)
        assert r.reason == "page furniture"
    assert Counter("".join(raw)) == Counter("".join(mine))
    assert len(mine) == len(raw)
    # What was removed is furniture: page numbers and lines repeated on many pages.
    assert len(ex.removed) <= 2 * ex.pages


def test_numbered_paragraphs_of_a_single_inspection_report(ingested: Path) -> None:
    entry = _by_source(ingested)["havering-2016-12-09"]
    doc = parse(entry.read_text(), entry.meta)
    numbers = [int(b.number) for b in doc.numbered()]
    assert numbers[0] == 1 and max(numbers) >= 150
    assert len(numbers) == len(set(numbers))


def test_build_of_ingested_pdfs(ingested: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "build", "--corpus", str(ingested), "--out", str(out), "--no-site", "--no-index"
    )
    assert result.returncode == 0, result.stderr
    pages = list((out / "pages").rglob("*.md"))
    assert len(pages) == 14
    assert all(p.read_text().startswith("---\ntitle: ") for p in pages)


# --- bad input -------------------------------------------------------------------------------


def _ingest_fails(pdf: Path, corpus: Path, message: str, *extra: str) -> None:
    before = sorted(p for p in corpus.rglob("*")) if corpus.exists() else []
    result = run_cli("ingest", str(pdf), "--corpus", str(corpus), *extra)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {pdf}: ") and message in lines[0], lines[0]
    after = sorted(p for p in corpus.rglob("*")) if corpus.exists() else []
    assert after == before


def test_html_saved_as_pdf(tmp_path: Path) -> None:
    _ingest_fails(
        PDFS / "birmingham-2012-10-19.pdf", tmp_path / "c", "is an HTML page saved with a .pdf name"
    )


def test_zero_byte_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    _ingest_fails(empty, tmp_path / "c", "is empty (0 bytes)")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = (PDFS / "dorset-2021-11-19.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    _ingest_fails(cut, tmp_path / "c", "is truncated or damaged")


def test_encrypted_pdf(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    encrypted_copy(PDFS / "dorset-2021-11-19.pdf", locked)
    _ingest_fails(locked, tmp_path / "c", "is encrypted (password protected)")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    scan_pdf = tmp_path / "scan.pdf"
    image_only_pdf(scan_pdf)
    _ingest_fails(scan_pdf, tmp_path / "c", "has no text layer (scanned pages?): it needs OCR")


MINUTES = [
    "Minutes of the meeting of the Parish Council held in the village hall",
    "Published: 3 March 2020",
    "Present: the chair, the clerk and seven councillors. The minutes of the last meeting",
    "were agreed. The council discussed the repair of the bus shelter and the footpath.",
]


def test_not_an_ofsted_report_is_refused_without_kind(tmp_path: Path) -> None:
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(text_pdf(MINUTES))
    _ingest_fails(pdf, tmp_path / "c", "is not an Ofsted children's services inspection report")


def test_not_an_ofsted_report_is_taken_with_kind(tmp_path: Path) -> None:
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(text_pdf(MINUTES))
    corpus = tmp_path / "c"
    result = run_cli(
        "ingest", str(pdf), "--corpus", str(corpus), "--kind", "other", "--authority", "hampshire"
    )
    assert result.returncode == 0, result.stderr
    entries, problems = scan([corpus])
    assert problems == [] and [e.id for e in entries] == ["hampshire-2020-03-03-other"]
    assert "bus shelter" in entries[0].read_text()


def test_same_pdf_twice_names_the_corpus_document(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    pdf = PDFS / "barnsley-2023-10-27.pdf"
    assert run_cli("ingest", str(pdf), "--corpus", str(corpus)).returncode == 0
    _ingest_fails(pdf, corpus, "is already in the corpus as barnsley-2023-09-15-ilacs-inspection")
    # A renamed copy is the same PDF.
    copy = tmp_path / "renamed.pdf"
    shutil.copyfile(pdf, copy)
    _ingest_fails(copy, corpus, "is already in the corpus as barnsley-2023-09-15-ilacs-inspection")


def test_dry_run_prints_and_writes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    result = run_cli(
        "ingest", str(PDFS / "halton-2024-07-12.pdf"), "--corpus", str(corpus), "--dry-run"
    )
    assert result.returncode == 0
    assert "halton-2024-05-24-ilacs-inspection" in result.stdout
    assert "judgement   Overall effectiveness (local authority): inadequate" in result.stdout
    assert not corpus.exists()


def test_one_bad_pdf_in_a_batch_writes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = run_cli(
        "ingest", str(PDFS / "halton-2024-07-12.pdf"), str(empty), "--corpus", str(corpus)
    )
    assert result.returncode == 1
    assert "empty.pdf: is empty" in result.stderr
    assert not corpus.exists()
