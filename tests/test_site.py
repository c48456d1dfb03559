"""The site: `mkdocs build --strict` from a clean clone, generated pages, escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_archive.build.parsing import parse_corpus
from evidence_archive.site.pages import generated_pages

from .conftest import ROOT, SEED_CORPUS, assert_child_stopped, stopped_child


def test_mkdocs_build_strict_has_no_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not re.search(r"^(WARNING|ERROR)", result.stderr, re.M), result.stderr
    site = tmp_path / "site"
    for page in ("index.html", "authorities/index.html", "authorities/hampshire/index.html",
                 "authorities/camden/index.html", "comparison/index.html", "grades/index.html",
                 "search/index.html", "data/documents.json", "data/judgements.csv",
                 "reports/hampshire/hampshire-2007-08-14-joint-area-review/index.html"):  # fmt: skip
        assert (site / page).is_file(), page
    # The site's own search holds councils and site pages; report text is evidence search's.
    index = (site / "search" / "search_index.json").read_text()
    assert "Gooshays" not in index and "authorities/havering/" in index
    # Nor the report text that council, recommendations and subject pages quote (every
    # visitor's browser loads this index whole): their titles and headings stay in it.
    entries = json.loads(index)["docs"]
    words = " ".join(" ".join(f"{e['title']} {e['text']}".split()) for e in entries)
    titles = {" ".join(e["title"].split()) for e in entries}
    assert "Hampshire: recommendations and what the next inspection said" in titles
    assert "Named in other documents" in titles and "Camden" in titles
    built = parse_corpus([SEED_CORPUS])
    sif = next(b.doc for b in built if b.doc.id == "hampshire-2014-03-12-single-inspection")
    camden = generated_pages(built)["authorities/camden.md"]
    quoted = {
        "authorities/hampshire/recommendations": sif.recommendations[0].text,
        "authorities/camden": next(
            line for line in camden.splitlines() if line.startswith("- [")
        ).rsplit("): ", 1)[1],  # fmt: skip
        "authorities/hampshire": "The judgements in the chart",
    }
    for page, text in quoted.items():
        start = " ".join(text.split()[:6])
        shown = re.sub(r"<[^>]+>", " ", (site / page / "index.html").read_text())
        assert start in " ".join(shown.split()), (page, start)  # on the page, not in the index
        assert start not in words, start


def test_authority_index_lists_all_153_by_region() -> None:
    pages = generated_pages(parse_corpus([SEED_CORPUS]))
    index = pages["authorities/index.md"]
    rows = [
        line
        for line in index.splitlines()
        if line.startswith("| ") and not line.startswith(("| Authority", "| ---"))
    ]
    assert len(rows) == 153
    assert len(re.findall(r"^## ", index, re.M)) == 9
    assert "| [Hampshire](hampshire.md) | 3 | " in index
    # Named in the national overview (so it has a page), but no documents: not a link here.
    assert "| Camden | 0 | none in the archive |  |" in index


def test_authority_page_compares_and_links_mentions() -> None:
    pages = generated_pages(parse_corpus([SEED_CORPUS]))
    hants = pages["authorities/hampshire.md"]
    assert (
        '<svg class="timeline"' in hants
        and "<caption>The judgements in the chart</caption>" in hants
    )
    assert "| Wiltshire | statistical neighbour | not in the archive |" in hants
    camden = pages["authorities/camden.md"]
    assert "Named in other documents" in camden
    assert "england-2007-04-narrowing-the-gap.md#camden-teenage-pregnancy-strategy" in camden


def test_report_page_has_card_metadata_and_cite_data() -> None:
    pages = generated_pages(parse_corpus([SEED_CORPUS]))
    page = pages["reports/hampshire/hampshire-2007-08-14-joint-area-review.md"]
    assert '<span class="grade grade-3">Good (3)</span>' in page
    assert "<dt>Reference no.</dt><dd>850</dd>" in page
    assert 'data-year="2007"' in page and 'data-date="Published 14 August 2007."' in page
    assert '{: #para-27 .para data-para="27" }' in page


def test_no_markup_syntax_leaks_into_the_html(tmp_path: Path) -> None:
    """Attribute lists, footnote labels and escapes must become structure, never visible text."""
    from evidence_archive.pipeline import build

    build([SEED_CORPUS], tmp_path / "out", index=False)
    seen = 0
    for page in (tmp_path / "out" / "site" / "reports").rglob("index.html"):
        html = page.read_text()
        assert "{:" not in html, page
        assert "[^" not in html, page
        assert "\\*" not in html and "\\[" not in html, page
        seen += 1
    assert seen == 5  # every seed's report page was looked at


def test_name_finder_finds_what_one_pattern_of_every_name_finds() -> None:
    import re

    from evidence_archive.corpus.store import load_corpus
    from evidence_archive.registry import NameFinder, load_registry

    names = sorted({n for a in load_registry() for n in {a.name, *a.printed_names} if len(n) > 3})
    alt = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    pattern = re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])")
    finder = NameFinder(names)
    texts = [e.read_text() for e in load_corpus([SEED_CORPUS])]
    texts += [
        "St Helens and St. Helens",
        "Hampshire-wide Hampshire's Hampshire_x xHampshire",
        "City of York Council and York",
        "Windsor and Maidenhead, Bracknell Forest.",
        "",
    ]
    checked = 0
    for text in texts:
        for line in text.splitlines():
            assert finder.names_in(line) == [m.group(0) for m in pattern.finditer(line)], line
            checked += 1
    assert checked > 1000


def test_the_source_is_ofsteds_address_or_what_the_document_says() -> None:
    from evidence_archive.model import Metadata
    from evidence_archive.site.reports import source_html as _source_html

    def source_html(given: dict) -> str:
        base = {"id": "x", "source_file": "x.txt", "sha256": "0" * 64, "title": "T",
                "authority": "kent", "kind": "other", "framework": "none", "publisher": "Ofsted",
                "published": None, "licence": None}  # fmt: skip
        return _source_html(Metadata.from_mapping({**base, **given}))

    url = "https://files.ofsted.gov.uk/v1/file/50227183"
    assert source_html({"source_url": url, "pages": 12, "publisher": "Ofsted"}) == (
        f'<a href="{url}">{url}</a> (12 pages)'
    )
    seed = {"publisher": "Ofsted", "reference": "850", "source_file": "001_cc28.txt"}
    assert source_html(seed) == (
        "Published by Ofsted, reference no. 850 (its web address is not recorded)"
    )
    pdf = {"publisher": "Ofsted", "pages": 35, "source_file": "kent-2017-06-13.pdf"}
    shown = source_html(pdf)
    assert shown == "Published by Ofsted, a PDF of 35 pages (its web address is not recorded)"
    assert "kent-2017-06-13.pdf" not in shown and "001_" not in source_html(seed)


def test_a_failure_of_the_other_pages_stops_the_subjects_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from evidence_archive.site import pages as pages_module

    started = tmp_path / "started"
    slow, failing = stopped_child(started, "council pages failed")
    monkeypatch.setattr(pages_module, "subjects_pages", slow)
    monkeypatch.setattr(pages_module, "_report_and_council_pages", failing)
    built = parse_corpus([SEED_CORPUS])
    assert_child_stopped(started, lambda: generated_pages(built), "council pages failed")


def test_reports_rendered_apart_make_the_site_mkdocs_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """evidence build renders the report pages one at a time (Generation.render_apart, so that
    MkDocs does not hold every page's HTML at once); the site is byte for byte the one
    `mkdocs build` makes when MkDocs renders every page itself."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from evidence_archive.site import mkdocs as site_mkdocs

    rendered: list[int] = []
    render_apart = site_mkdocs.Generation.render_apart

    def counting(gen: site_mkdocs.Generation, *args: object) -> None:
        rendered.append(sum(gen._rendered_apart(p) for p in gen.files))
        render_apart(gen, *args)

    monkeypatch.setattr(site_mkdocs.Generation, "render_apart", counting)
    built = parse_corpus([SEED_CORPUS])
    site_mkdocs.build_site(tmp_path / "apart", built, [SEED_CORPUS])
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "whole"), strict=True)
    config["extra"]["corpus_dirs"] = [str(SEED_CORPUS)]
    mkdocs_build(config)
    assert rendered == [len(built), 0]  # every report apart in the first, none in the second

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}  # fmt: skip

    apart, whole = files(tmp_path / "apart" / "site"), files(tmp_path / "whole")
    assert sorted(apart) == sorted(whole)
    assert [p for p in apart if apart[p] != whole[p]] == []
    page = "reports/hampshire/hampshire-2014-03-12-single-inspection/index.html"
    assert b"doc-meta" in apart[page]  # a report page, rendered in full
