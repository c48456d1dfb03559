"""Ingest: a PDF as Ofsted publishes it -> a corpus document (text + metadata), reviewed.

Every PDF of a batch is extracted, detected, parsed and checked for fidelity before anything is
written; any failure is reported (one line per file) and nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .corpus import NATIONAL, dump_meta, scan
from .detect import Detected, detect
from .errors import ArchiveError, BuildErrors, PdfError
from .extract import Extracted, extract
from .fidelity import compare
from .frameworks import KINDS
from .ids import update
from .model import Document
from .parse import parse
from .registry import load_registry
from .render import render

#: Short names of kinds used in ids.
ID_KINDS = {
    "ilacs-inspection": "ilacs-inspection",
    "single-inspection": "single-inspection",
    "looked-after-children-inspection": "looked-after-children-inspection",
    "safeguarding-inspection": "safeguarding-inspection",
}

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


def plan(
    path: Path, authority: str | None, kind: str | None, known: dict[str, str],
    replace: bool = False,
) -> Planned:  # fmt: skip
    """Extract, detect, parse and check one PDF; raise PdfError naming the file if it fails.
    With replace, a PDF already in the corpus is planned to replace its document."""
    if not path.is_file():
        raise PdfError(path, "does not exist or is not a file")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in known and not replace:
        raise PdfError(path, f"is already in the corpus as {known[digest]} (same PDF, sha256); "
                       "give --replace to ingest it again")  # fmt: skip
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
    if authority is not None:
        if authority != NATIONAL and reg.get(authority) is None:
            raise PdfError(path, f"--authority {authority!r} is not a registry slug")
        slug = authority
    elif d.authority is not None:
        slug = d.authority.slug
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
        "licence": licence,
        "dates_note": " ".join(notes) or None,
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
    return Planned(path, meta, text, ex, d, grades, doc, known.get(digest))


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


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)


def ingest(
    paths: list[Path],
    corpus: Path,
    out: TextIO,
    *,
    authority: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    replace: bool = False,
) -> list[Planned]:
    """Ingest PDFs into the corpus; on any failure raise BuildErrors and write nothing.

    Each document's paragraph ids go into its ledger (ids.py). With replace, a PDF already in
    the corpus (same sha256) is extracted again and replaces its document: ids that changed are
    added to the redirect map, and a document whose id changed leaves a redirect behind."""
    entries, _ = scan([corpus]) if corpus.is_dir() else ([], [])
    known = {
        str(e.meta["source_pdf_sha256"]): e.id for e in entries if e.meta.get("source_pdf_sha256")
    }
    ids = {e.id for e in entries}
    planned: list[Planned] = []
    errors: list[ArchiveError] = []
    for path in paths:
        try:
            p = plan(path, authority, kind, known, replace)
            if p.meta["id"] in ids and p.meta["id"] != p.replaces:
                raise PdfError(path, f"would have the id {p.meta['id']}, already in the corpus")
        except ArchiveError as err:
            errors.append(err)
            continue
        known[str(p.meta["source_pdf_sha256"])] = str(p.meta["id"])
        ids.add(str(p.meta["id"]))
        planned.append(p)
        _describe(p, out)
    if errors:
        raise BuildErrors(errors)
    if not dry_run:
        by_id = {e.id: e for e in entries}
        docs: dict[str, tuple[Document, Path]] = {}
        renamed: dict[str, str] = {}
        for p in planned:
            folder = corpus / str(p.meta["authority"])
            folder.mkdir(parents=True, exist_ok=True)
            text_path = folder / f"{p.meta['id']}.txt"
            _write_atomic(text_path, p.text.encode("utf-8"))
            _write_atomic(folder / f"{p.meta['id']}.yml", dump_meta(p.meta).encode("utf-8"))
            docs[str(p.meta["id"])] = (p.doc, text_path)
            if p.replaces and p.replaces != p.meta["id"]:
                renamed[p.replaces] = str(p.meta["id"])
                old = by_id[p.replaces]
                old.text_path.unlink(missing_ok=True)
                old.meta_path.unlink(missing_ok=True)
        update(docs, corpus, renamed=renamed, complete=False)
    return planned
