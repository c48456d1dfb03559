"""Ingest: a PDF as Ofsted publishes it -> a corpus document (text + metadata), reviewed.

Every PDF of a batch is extracted, detected, parsed and checked for fidelity (in parallel, one
process per core) before anything is written. By default any failure is reported (one line per
file) and nothing is written at all; with keep_going every PDF that passes is written and the
others are refused one line each. A MANIFEST.tsv beside the PDFs (Ofsted's report listing as a
collection recorded it) gives the source URL, the listing date and the council's URN, which is
checked against the council the report names. The corpus's sources.tsv (PDF sha256 -> id) is
read instead of every metadata file, so one ingest costs the same in an empty or a full corpus.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from evidence_archive.check.fidelity import compare
from evidence_archive.corpus.ids import ledger_path, ledger_text, update
from evidence_archive.corpus.store import (
    NATIONAL,
    SOURCES,
    doc_ids,
    dump_meta,
    read_sources,
    scan,
    sources_text,
)
from evidence_archive.errors import ArchiveError, BuildErrors, PdfError, WorkerFailure
from evidence_archive.files import write_atomic
from evidence_archive.frameworks import AREAS, KINDS, variant_for, variant_of
from evidence_archive.ingest.detect import Detected, detect
from evidence_archive.ingest.pdf import Extracted, extract
from evidence_archive.model import Document, Metadata
from evidence_archive.parse.document import parse
from evidence_archive.proc import die_with_parent
from evidence_archive.registry import load_registry
from evidence_archive.render.markdown import render

#: Short names of kinds used in ids.
ID_KINDS = {
    "ilacs-inspection": "ilacs-inspection",
    "single-inspection": "single-inspection",
    "looked-after-children-inspection": "looked-after-children-inspection",
    "safeguarding-inspection": "safeguarding-inspection",
}

MANIFEST = "MANIFEST.tsv"
"""A listing beside the PDFs: file, urn, date_in_file_name (Ofsted's listing date), sha256,
source_url (columns as in ../shared/*/MANIFEST.tsv)."""

#: Reproduction or licence statements as Ofsted prints them (first match wins).
LICENCE_STATEMENTS = (
    re.compile(r"You may reuse this information[^\n]*?Open Government Licence\.", re.I),
    re.compile(r"You may copy all or parts of this document[^\n]*?in any way\.", re.I),
    re.compile(r"This document may be reproduced in whole or in part[^\n]*?are stated\.", re.I),
)


@dataclass(frozen=True)
class Planned:
    """A PDF ready to be written into the corpus."""

    source: Path
    meta: dict[str, Any]
    text: str
    extracted: Extracted
    detected: Detected
    judgements: tuple[str, ...]
    doc: Document
    replaces: str | None = None
    """The id of the corpus document this PDF replaces (--replace), if any."""
    ledger: str = ""
    """The document's ledger of paragraph ids (ids.ledger_text), made where it was parsed."""
    warnings: tuple[str, ...] = ()
    """What a reviewer should look at: judgements the framework prints that were not found,
    a council taken from the listing."""


def _ilacs_type(d: Detected) -> tuple[str | None, str | None]:
    """ILACS reports do not print 'short' or 'standard': the fieldwork length tells."""
    if d.inspection_type or d.framework != "ilacs" or not (d.inspection_start and d.inspection_end):
        return d.inspection_type, None
    days = (
        dt.date.fromisoformat(d.inspection_end) - dt.date.fromisoformat(d.inspection_start)
    ).days
    kind = "short" if days <= 6 else "standard" if days >= 9 else None
    if kind is None:
        return None, None
    return (
        kind,
        f"inspection_type inferred from the fieldwork length ({days + 1} days), not printed",
    )


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """The rows of the MANIFEST.tsv in a folder, by file name ({} when there is none)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh, delimiter="\t") if r.get("file")}


def plan(
    path: Path, authority: str | None, kind: str | None, known: dict[str, str],
    replace: bool = False, listing: dict[str, str] | None = None,
) -> Planned:  # fmt: skip
    """Extract, detect, parse and check one PDF; raise PdfError naming the file if it fails.
    With replace, a PDF already in the corpus is planned to replace its document. listing is
    the PDF's row of the MANIFEST.tsv beside it, if any."""
    if not path.is_file():
        raise PdfError(path, "does not exist or is not a file")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in known and not replace:
        raise PdfError(path, f"is already in the corpus as {known[digest]} (same PDF, sha256); "
                       "give --replace to ingest it again")  # fmt: skip
    listing = listing or {}
    if listing.get("sha256") and listing["sha256"] != digest:
        raise PdfError(path, f"is not the file its {MANIFEST} row lists (sha256 differs)")
    ex = extract(path)
    d = detect(ex.text)
    if kind is None and d.framework is None:
        raise PdfError(
            path,
            "is not an Ofsted children's services inspection report (no framework title found); "
            "give --kind to ingest it anyway",
        )
    if kind is not None and kind not in KINDS:
        raise PdfError(path, f"--kind {kind!r} is not one of {', '.join(KINDS)}")
    reg = load_registry()
    warnings: list[str] = []
    urn = (listing.get("urn") or "").strip() or None
    if authority is not None:
        if authority != NATIONAL and reg.get(authority) is None:
            raise PdfError(path, f"--authority {authority!r} is not a registry slug")
        slug = authority
    elif d.authority is not None:
        slug = d.authority.slug
        if urn and d.authority.urn != urn:
            other = reg.by_urn(urn)
            raise PdfError(path, f"names {d.authority.name} (URN {d.authority.urn}) but its "
                           f"{MANIFEST} row gives URN {urn}"
                           + (f" ({other.name})" if other else "")
                           + "; give --authority to decide")  # fmt: skip
    elif urn and reg.by_urn(urn) is not None:
        slug = reg.by_urn(urn).slug  # type: ignore[union-attr]
        warnings.append(f"council not named in the report: {slug}, from the URN in {MANIFEST}")
    else:
        raise PdfError(path, "cannot tell which council the report is about; give --authority")
    the_kind = kind or d.kind or "other"
    framework = d.framework or "none"
    itype, type_note = _ilacs_type(d)
    day = d.published or d.inspection_end
    if day is None:
        raise PdfError(path, "prints neither a publication date nor inspection dates")
    doc_id = f"{slug}-{day}-{ID_KINDS.get(the_kind, the_kind)}"
    text = ex.text
    notes = []
    if d.published is None:
        notes.append("No publication date is printed; the id uses the last day of inspection.")
    if type_note:
        notes.append(type_note + ".")
    listed = (listing.get("date_in_file_name") or "").strip() or None
    if listed:
        notes.append(
            "listing_date is the publication date Ofsted's report listing showed; the report "
            "does not print it." if d.published is None else
            "listing_date is the date Ofsted's report listing showed."
        )  # fmt: skip
    printed_council = d.authority_printed or ""
    title = d.title or path.stem
    if printed_council and printed_council.lower() not in title.lower():
        title = f"{printed_council}: {title}"
    licence = next((m.group(0) for p in LICENCE_STATEMENTS if (m := p.search(text))), None)
    import pypdfium2  # noqa: F401  (the version goes into the metadata)

    meta: dict[str, Any] = {
        "id": doc_id,
        "source_file": path.name,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "title": title,
        "authority": slug,
        "kind": the_kind,
        "framework": framework,
        "inspection_type": itype,
        "publisher": "Ofsted",
        "published": d.published,
        "inspection_start": d.inspection_start,
        "inspection_end": d.inspection_end,
        "source_url": (listing.get("source_url") or "").strip() or None,
        "licence": licence,
        "dates_note": " ".join(notes) or None,
        "listing_date": listed,
        "listing_urn": urn,
        "source_pdf_sha256": digest,
        "pages": ex.pages,
        "extraction": ex.library,
    }
    meta = {k: v for k, v in meta.items() if v is not None or k in ("published", "licence")}
    doc = parse(text, meta)
    fidelity = compare(text, doc, render(doc))
    if fidelity.differences:
        raise PdfError(path, f"does not pass the fidelity check: {fidelity.differences[0]}")
    grades = tuple(f"{j.label} ({j.scope}): {j.grade}" for j in doc.judgements)
    variant = variant_of(framework, the_kind, title, d.inspection_start, itype)
    if variant is None and framework != "none":
        warnings.append(f"fits no variant of {framework} (see frameworks.VARIANTS)")
    have = {j.area for j in doc.judgements}
    for area in variant.areas if variant else ():
        if area not in have:
            warnings.append(f"no {AREAS[area]!r} judgement found; {variant.name} prints one")  # type: ignore[union-attr]
    return Planned(
        path, meta, text, ex, d, grades, doc, replaces=known.get(digest),
        ledger=ledger_text(doc), warnings=tuple(warnings),
    )  # fmt: skip


def _describe(p: Planned, out: TextIO) -> None:
    m = p.meta
    out.write(f"{p.source}: {m['id']}\n")
    out.write(f"  authority   {m['authority']} (printed: {p.detected.authority_printed})\n")
    out.write(f"  framework   {m['framework']} / {m['kind']}")
    out.write(f" / {m['inspection_type']}\n" if m.get("inspection_type") else "\n")
    out.write(f"  inspection  {m.get('inspection_start')} to {m.get('inspection_end')}\n")
    out.write(f"  published   {m.get('published') or 'not printed'}\n")
    out.write(f"  pages       {m['pages']}; furniture lines removed: {len(p.extracted.removed)}\n")
    for g in p.judgements:
        out.write(f"  judgement   {g}\n")
    for w in p.warnings:
        out.write(f"  WARNING     {w}\n")


#: Refusal reasons for the summary, from the start of the problem each PdfError states.
_REASONS = (
    ("is already in the corpus", "already in the corpus"),
    ("would have the id", "already in the corpus"),
    ("is an HTML page", "not a PDF"),
    ("is not a PDF", "not a PDF"),
    ("is empty", "not a PDF"),
    ("is truncated", "damaged or encrypted"),
    ("is encrypted", "damaged or encrypted"),
    ("is not a readable PDF", "damaged or encrypted"),
    ("has no text layer", "no text layer"),
    ("is not an Ofsted", "not an inspection report"),
    ("cannot tell which council", "council not found"),
    ("names ", "council differs from the listing"),
    ("prints neither", "no dates"),
    ("does not pass the fidelity", "fidelity"),
    ("is not the file its", "listing differs"),
)


def reason_of(err: ArchiveError) -> str:
    """A short reason for the summary table."""
    return next((r for start, r in _REASONS if err.problem.startswith(start)), "other")


@dataclass
class Outcome:
    """What one call of ingest did."""

    planned: list[Planned] = field(default_factory=list)
    refused: list[ArchiveError] = field(default_factory=list)
    written: bool = False


def _plan_job(
    job: tuple[Path, str | None, str | None, dict[str, str], bool, dict[str, str] | None],
) -> Planned | ArchiveError:
    try:
        return plan(*job)
    except ArchiveError as err:
        return err
    except Exception as err:  # a bug, not bad input: keep the traceback, name the file
        raise WorkerFailure.here(job[0]) from err


def _progress(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr with counts, or None when not wanted."""
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[ok]} ok, {task.fields[bad]} refused"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=False,
    )  # fmt: skip


def summary(outcome: Outcome, out: TextIO) -> None:
    """The table printed at the end of a batch: ingested, refused by reason, warnings, and the
    variants ingested."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ingest summary", show_header=True)
    table.add_column("")
    table.add_column("documents", justify="right")
    table.add_row("ingested" if outcome.written else "ready (nothing written)",
                  str(len(outcome.planned)))  # fmt: skip
    for reason, n in sorted(Counter(reason_of(e) for e in outcome.refused).items()):
        table.add_row(f"refused: {reason}", str(n))
    table.add_row("with warnings", str(sum(1 for p in outcome.planned if p.warnings)))
    variants: Counter[str] = Counter()
    for p in outcome.planned:
        v = variant_for(Metadata.from_mapping(p.meta))
        variants[v.key if v else f"{p.meta['framework']} (no variant)"] += 1
    for key, n in sorted(variants.items()):
        table.add_row(f"  variant {key}", str(n))
    Console(file=out, width=100).print(table)


def ingest(
    paths: list[Path],
    corpus: Path,
    out: TextIO,
    *,
    authority: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    replace: bool = False,
    keep_going: bool = False,
    jobs: int = 1,
    progress: bool = False,
) -> Outcome:
    """Ingest PDFs into the corpus. On any failure raise BuildErrors and write nothing, unless
    keep_going: then write every PDF that passed and return the refusals in the outcome.

    Each document's paragraph ids go into its ledger (ids.py). With replace, a PDF already in
    the corpus (same sha256) is extracted again and replaces its document: ids that changed are
    added to the redirect map, and a document whose id changed leaves a redirect behind."""
    sources = read_sources(corpus)
    entries = None
    if sources is None:  # a corpus from before sources.tsv: read it once, then keep the index
        entries, _ = scan([corpus]) if corpus.is_dir() else ([], [])
        sources = {
            str(e.meta["source_pdf_sha256"]): e.id
            for e in entries
            if e.meta.get("source_pdf_sha256")
        }
    known = dict(sources)
    ids = doc_ids(corpus)
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    jobs_list = []
    for path in paths:
        folder = path.resolve().parent
        if folder not in manifests:
            manifests[folder] = read_manifest(folder)
        jobs_list.append((path, authority, kind, known, replace, manifests[folder].get(path.name)))
    outcome = Outcome()
    bar = _progress(len(paths), progress)
    task = bar.add_task("ingest", total=len(paths), ok=0, bad=0) if bar else None
    results: list[Planned | ArchiveError] = []

    def done(r: Planned | ArchiveError) -> None:
        results.append(r)
        if bar is not None and task is not None:
            ok = sum(isinstance(x, Planned) for x in results)
            bar.update(task, advance=1, ok=ok, bad=len(results) - ok)

    if bar:
        bar.start()
    try:
        if jobs > 1 and len(paths) > 1:
            with ProcessPoolExecutor(min(jobs, len(paths)), initializer=die_with_parent) as pool:
                for r in pool.map(_plan_job, jobs_list, chunksize=1):
                    done(r)
        else:
            for j in jobs_list:
                done(_plan_job(j))
    finally:
        if bar:
            bar.stop()
    for path, r in zip(paths, results, strict=True):
        if isinstance(r, ArchiveError):
            outcome.refused.append(r)
            continue
        digest = str(r.meta["source_pdf_sha256"])
        if digest in known and known[digest] != r.replaces and not replace:
            outcome.refused.append(
                PdfError(
                    path,
                    f"is already in the corpus as {known[digest]} "
                    "(same PDF, sha256): listed twice in this batch",
                )
            )
            continue
        if r.meta["id"] in ids and r.meta["id"] != r.replaces:
            outcome.refused.append(
                PdfError(
                    path,
                    f"would have the id {r.meta['id']}, already "
                    "in the corpus (the same report under another file?)",
                )
            )
            continue
        known[digest] = str(r.meta["id"])
        ids.add(str(r.meta["id"]))
        outcome.planned.append(r)
        _describe(r, out)
    if outcome.refused and not keep_going:
        raise BuildErrors(outcome.refused)
    if dry_run or not outcome.planned:
        return outcome
    docs: dict[str, tuple[Document, Path]] = {}
    renamed: dict[str, str] = {}
    by_id = {}
    if any(p.replaces for p in outcome.planned):
        entries = entries if entries is not None else scan([corpus])[0]
        by_id = {e.id: e for e in entries}
    for p in outcome.planned:
        folder = corpus / str(p.meta["authority"])
        folder.mkdir(parents=True, exist_ok=True)
        text_path = folder / f"{p.meta['id']}.txt"
        write_atomic(text_path, p.text.encode("utf-8"))
        write_atomic(folder / f"{p.meta['id']}.yml", dump_meta(p.meta).encode("utf-8"))
        if p.replaces or ledger_path(text_path).exists():
            docs[str(p.meta["id"])] = (p.doc, text_path)  # ids may move: ids.update sees to it
        else:
            write_atomic(ledger_path(text_path), p.ledger.encode("utf-8"))  # a new document
        if p.replaces and p.replaces != p.meta["id"]:
            renamed[p.replaces] = str(p.meta["id"])
            old = by_id[p.replaces]
            old.text_path.unlink(missing_ok=True)
            old.meta_path.unlink(missing_ok=True)
            known = {d: i for d, i in known.items() if i != p.replaces}
            known[str(p.meta["source_pdf_sha256"])] = str(p.meta["id"])
    if docs or renamed:
        update(docs, corpus, renamed=renamed, complete=False)
    write_atomic(corpus / SOURCES, sources_text(known).encode("utf-8"))
    outcome.written = True
    return outcome
