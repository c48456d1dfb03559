"""The build, top to bottom: corpus -> parse -> render pages -> open data (-> index -> site).

Everything is written into a temporary folder beside OUT and swapped in whole at the end, so a
build that fails on any document publishes nothing and leaves the previous OUT as it was.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import load_corpus
from .errors import ArchiveError, BuildErrors
from .model import Document
from .parse import parse
from .render import front_matter, page_markdown, render_body

log = logging.getLogger(__name__)

MARKER = ".evidence-build"
"""A file in every OUT this tool wrote: only such a folder may ever be replaced by a build."""


@dataclass(frozen=True)
class Built:
    """One document as built: the parsed model, its page and its page path under OUT."""

    doc: Document
    markdown: str
    page: str
    """Path of the page under OUT, e.g. 'pages/hampshire/<id>.md'."""
    source_file: str
    body: str
    """The page without its front matter (the site wraps it in a card and metadata box)."""
    front: dict[str, Any]
    """The page's front matter (judgements, paragraph range, word count, ...)."""


def parse_corpus(roots: Iterable[Path]) -> list[Built]:
    """Parse and render every corpus document; every failure is collected, then raised."""
    built: list[Built] = []
    errors: list[ArchiveError] = []
    for entry in load_corpus(roots):
        try:
            doc = parse(entry.read_text(), entry.meta)
        except ArchiveError as err:
            errors.append(err)
            continue
        page = f"pages/{doc.meta['authority']}/{doc.id}.md"
        body = render_body(doc)
        front = front_matter(doc, body)
        built.append(
            Built(
                doc, page_markdown(front, body), page, str(entry.meta["source_file"]), body, front
            )
        )
    if errors:
        raise BuildErrors(errors)
    return built


def document_record(b: Built) -> dict[str, Any]:
    """One entry of data/documents.json."""
    m, fm = b.doc.meta, b.front
    return {
        "id": b.doc.id,
        "source_file": b.source_file,
        "title": m["title"],
        "authority": m["authority"],
        "la_code": fm["la_code"],
        "kind": m["kind"],
        "framework": m["framework"],
        "published": m.get("published"),
        "inspection_start": m.get("inspection_start"),
        "inspection_end": m.get("inspection_end"),
        "judgements": [
            {"label": j.label, "scope": j.scope, "grade": j.grade, "score": j.score}
            for j in b.doc.judgements
        ],
        "paragraphs": fm["paragraphs"]["count"],
        "first_paragraph": fm["paragraphs"]["first"],
        "last_paragraph": fm["paragraphs"]["last"],
        "words": fm["words"],
        "page": b.page,
    }


def judgements_csv(built: list[Built]) -> str:
    """data/judgements.csv: one row per judgement."""
    from .frameworks import common_scale

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["document", "authority", "framework", "published", "inspection_end", "label", "scope",
         "grade", "score", "area", "common_scale"]
    )  # fmt: skip
    for b in built:
        m = b.doc.meta
        for j in b.doc.judgements:
            w.writerow(
                [b.doc.id, m["authority"], m["framework"], m.get("published") or "",
                 m.get("inspection_end") or "", j.label, j.scope, j.grade,
                 "" if j.score is None else j.score, j.area or "", common_scale(j.grade) or ""]
            )  # fmt: skip
    return buf.getvalue()


def open_data(built: list[Built]) -> dict[str, str]:
    """The open-data files, path under OUT (and the site) -> text."""
    records = [document_record(b) for b in built]
    return {
        "data/documents.json": json.dumps(records, indent=1, ensure_ascii=False) + "\n",
        "data/judgements.csv": judgements_csv(built),
    }


def write_outputs(built: list[Built], dest: Path) -> None:
    """Write pages and open data into dest (a fresh folder)."""
    for b in built:
        path = dest / b.page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(b.markdown, encoding="utf-8")
    for rel, text in open_data(built).items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def _replaceable(out: Path) -> bool:
    """True if out is absent, an empty folder, or a folder an earlier build made (MARKER)."""
    if not out.exists():
        return True
    return out.is_dir() and (not any(out.iterdir()) or (out / MARKER).is_file())


def swap_in(tmp: Path, out: Path) -> None:
    """Replace out with tmp (see _swap). Only a folder carrying MARKER is ever replaced."""
    if not _replaceable(out):
        raise ArchiveError(out, "was not made by `evidence build`: refusing to replace it")
    _swap(tmp, out)


def _swap(tmp: Path, out: Path) -> None:
    """Replace out with tmp. Where the system can, the two are exchanged in one atomic step, so
    a server reading out never finds it missing; elsewhere, rename aside and rename in."""
    if out.is_dir() and not out.is_symlink() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous build
        return
    old: Path | None = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_out(out: Path, roots: list[Path]) -> None:
    """Refuse an OUT that would replace, contain or sit inside something the build did not make."""
    for root in roots:
        r = root.resolve()
        if out == r or r.is_relative_to(out) or out.is_relative_to(r):
            raise ArchiveError(out, f"--out must be outside the corpus ({root}) and not contain it")
    if not _replaceable(out):
        raise ArchiveError(
            out,
            "exists and was not made by `evidence build`: refusing to replace it "
            "(choose an empty or new --out)",
        )


def clean_stale(out: Path) -> None:
    """Remove the temporary folders that a killed build left beside OUT."""
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        if stale.is_dir() and ((stale / MARKER).is_file() or not any(stale.iterdir())):
            shutil.rmtree(stale, ignore_errors=True)


def build(
    roots: Iterable[Path], out: Path, *, site: bool = True, index: bool = True
) -> list[Built]:
    """Build the pages and open data (and the index and site when asked) into out."""
    out = out.resolve()
    roots = list(roots)
    check_out(out, roots)
    built = parse_corpus(roots)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        tmp.chmod(0o755)
        (tmp / MARKER).write_text("made by evidence build; a build may replace this folder\n")
        write_outputs(built, tmp)
        if index:
            from .index import build_index

            build_index(built, tmp / "index")
        if site:
            from .site import build_site

            build_site(tmp, built, list(roots))
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("built %d documents into %s", len(built), out)
    return built
