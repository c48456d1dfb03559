"""The corpus: text files with a metadata file beside each, checked against a declared schema.

Layout: corpus/<authority>/<id>.txt and corpus/<authority>/<id>.yml, where <authority> is a
registry slug or 'england' for national documents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from evidence_archive.corpus.textio import decode
from evidence_archive.errors import ArchiveError, CorpusError
from evidence_archive.frameworks import FRAMEWORKS, KINDS
from evidence_archive.registry import load_registry

NATIONAL = "england"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class Field:
    """One metadata field: its type, whether it is required, and what it means."""

    type: str
    """'str', 'date' (ISO 8601, day or month or year precision), 'year', 'int', 'sha256',
    'strlist' (a list of texts)."""
    required: bool
    doc: str
    nullable: bool = True


#: The metadata schema. Every field is documented; the README's table is checked against it.
SCHEMA: dict[str, Field] = {
    "id": Field("str", True, "Stable id: <authority>-<date>-<kind>; also the file name", False),
    "source_file": Field("str", True, "The original file name", False),
    "sha256": Field("sha256", True, "sha256 of the text file's bytes", False),
    "title": Field("str", True, "Title as printed", False),
    "authority": Field("str", True, "Registry slug of the council, or 'england'", False),
    "kind": Field("str", True, "Kind of document (see frameworks.KINDS)", False),
    "framework": Field("str", True, "Inspection framework (see frameworks.FRAMEWORKS)", False),
    "inspection_type": Field("str", False, "standard, short, re-inspection, ... where printed"),
    "publisher": Field("str", True, "Ofsted, or the council for a plan", False),
    "published": Field("date", True, "Publication date as printed, or null"),
    "inspection_start": Field("date", False, "First day of the inspection as printed"),
    "inspection_end": Field("date", False, "Last day of the inspection as printed"),
    "plan_start": Field("year", False, "First year a plan covers"),
    "plan_end": Field("year", False, "Last year a plan covers"),
    "reference": Field("str", False, "Reference number as printed"),
    "source_url": Field("str", False, "Where the document was published, where printed or known"),
    "licence": Field("str", True, "The reproduction or licence statement as printed, or null"),
    "dates_note": Field("str", False, "Where a date not printed in the document came from"),
    "listing_date": Field(
        "date", False, "Publication date shown by Ofsted's report listing (not printed in it)"
    ),
    "listing_urn": Field("str", False, "The council's Ofsted URN as the report listing gives it"),
    "audit_notes": Field(
        "strlist", False, "Audit findings that are true of the printed report: 'rule: reason'"
    ),
    "source_pdf_sha256": Field("sha256", False, "sha256 of the PDF the text was extracted from"),
    "pages": Field("int", False, "Page count of the source PDF"),
    "extraction": Field("str", False, "How the text was extracted (library and version)"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the corpus, naming the file (and line where known)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CorpusEntry:
    """A corpus document: its text file and validated metadata."""

    id: str
    meta: dict[str, Any]
    text_path: Path
    meta_path: Path

    def read_text(self) -> str:
        """The document's text, decoded."""
        return decode(self.text_path.read_bytes(), self.text_path)


@dataclass
class ScanCache:
    """What scan keeps between builds: the metadata as validated, by the sha256 of its file's
    bytes (by the same code: the build keeps one per code version), and a text's sha256 by its
    file's stat (text_key; a text that decoded)."""

    known: dict[str, dict[str, Any]]
    """What earlier scans learnt (read)."""
    used: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    """What this scan used, known before or learnt now (written): the cache for the next."""

    def get(self, key: str) -> dict[str, Any] | None:
        value = self.known.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.used[key] = value


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    return y


def _plain(value: Any) -> Any:
    """ruamel round-trip values -> plain Python (dates as ISO strings)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _valid_date(value: str) -> bool:
    if not ISO_DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _check_value(name: str, field: Field, value: Any) -> str | None:
    if value is None:
        return None if field.nullable else f"{name}: must not be empty"
    if field.type == "str":
        if not isinstance(value, str) or not value.strip():
            return f"{name}: expected text, got {type(value).__name__} {value!r}"
    elif field.type == "date":
        if not isinstance(value, str) or not _valid_date(value):
            return f"{name}: {value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)"
    elif field.type == "year":
        if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2100:
            return f"{name}: {value!r} is not a year"
    elif field.type == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"{name}: {value!r} is not a whole number"
    elif field.type == "strlist":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"{name}: expected a list of texts, got {value!r}"
    elif field.type == "sha256" and (
        not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value)
    ):
        return f"{name}: {value!r} is not a sha256 hex digest"
    return None


def validate_meta(raw: Any, path: str, line_of: Callable[[str], int | None]) -> list[Problem]:
    """Check one metadata mapping against SCHEMA and the vocabularies."""
    if not isinstance(raw, dict):
        return [Problem(path, "metadata is not a mapping of field: value", 1)]
    problems = []
    for name, field in SCHEMA.items():
        if name not in raw:
            if field.required:
                problems.append(Problem(path, f"missing field '{name}'"))
            continue
        err = _check_value(name, field, _plain(raw[name]))
        if err:
            problems.append(Problem(path, err, line_of(name)))
    for name in raw:
        if name not in SCHEMA:
            problems.append(Problem(path, f"unknown field '{name}'", line_of(str(name))))
    if problems:
        return problems
    meta = _plain(raw)
    vocab: list[tuple[str, Callable[[Any], bool], str]] = [
        ("authority", lambda v: v == NATIONAL or load_registry().get(v) is not None, "authority"),
        ("kind", lambda v: v in KINDS, "kind"),
        ("framework", lambda v: v in FRAMEWORKS, "framework"),
    ]
    for name, ok, what in vocab:
        if not ok(meta[name]):
            problems.append(Problem(path, f"{name}: unknown {what} {meta[name]!r}", line_of(name)))
    if not SLUG.match(meta["id"]):
        problems.append(Problem(path, f"id: {meta['id']!r} is not a slug (a-z, 0-9, -)"))
    for a, b in (("inspection_start", "inspection_end"), ("plan_start", "plan_end")):
        if meta.get(a) and meta.get(b) and str(meta[a]) > str(meta[b]):
            problems.append(Problem(path, f"{a} is after {b}", line_of(a)))
    return problems


def load_meta(path: Path, label: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and validate one metadata file; YAML errors are reported, never swallowed."""
    try:
        raw = _yaml().load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(label, "metadata is not valid UTF-8")]
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(label, f"invalid YAML: {err.problem or err.context}", line)]
    except YAMLError as err:
        return None, [Problem(label, f"invalid YAML: {err}")]

    def line_of(key: str) -> int | None:
        try:
            return int(raw.lc.key(key)[0]) + 1
        except (AttributeError, KeyError, TypeError):
            return None

    problems = validate_meta(raw, label, line_of)
    return (None if problems else _plain(raw)), problems


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def scan(
    roots: Iterable[Path], meta_cache: ScanCache | None = None
) -> tuple[list[CorpusEntry], list[Problem]]:
    """Read every corpus document under the roots; return the good ones and every problem.

    meta_cache: what earlier scans learnt, and where this one records what it used."""
    entries: list[CorpusEntry] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for root in roots:
        if not root.is_dir():
            problems.append(Problem(str(root), "corpus folder does not exist"))
            continue
        for link in sorted(p for p in root.rglob("*") if p.is_symlink() and not _inside(p, root)):
            if link.suffix not in (".txt", ".yml", ".yaml"):  # those are reported below
                problems.append(Problem(str(link), "is a link to a file outside the corpus"))
        files = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".yml", ".yaml"))
        stems: dict[Path, dict[str, Path]] = {}
        for p in files:
            label = str(p)
            if p.is_symlink() and not _inside(p, root):
                problems.append(Problem(label, "is a link to a file outside the corpus"))
                continue
            if not p.is_file():
                continue
            kind = "text" if p.suffix == ".txt" else "meta"
            stems.setdefault(p.with_suffix(""), {})[kind] = p
        for stem, pair in sorted(stems.items()):
            if "text" not in pair:
                problems.append(Problem(str(pair["meta"]), "metadata with no text file beside it"))
                continue
            if "meta" not in pair:
                problems.append(Problem(str(pair["text"]), "text file with no metadata beside it"))
                continue
            meta, found = _cached_meta(pair["meta"], meta_cache)
            problems += found
            seen_as = text_key(pair["text"]) if meta_cache is not None else ""
            known = meta_cache.get(seen_as) if meta_cache is not None else None
            if known is not None:
                digest = str(known["sha256"])
            else:
                data = pair["text"].read_bytes()
                try:
                    decode(data, pair["text"])
                except ArchiveError as err:
                    problems.append(Problem(str(pair["text"]), err.problem))
                    continue
                digest = hashlib.sha256(data).hexdigest()
                if meta_cache is not None:
                    meta_cache.put(seen_as, {"sha256": digest})
            if meta is None:
                continue
            label = str(pair["meta"])
            if meta["sha256"] != digest:
                problems.append(
                    Problem(label, f"sha256 does not match the text (text is {digest[:12]}…)")
                )
            if stem.name != meta["id"]:
                problems.append(Problem(label, f"file name does not match id {meta['id']!r}"))
            if stem.parent.name != meta["authority"]:
                problems.append(
                    Problem(label, f"is in folder '{stem.parent.name}', not its authority")
                )
            if meta["id"] in seen:
                problems.append(
                    Problem(label, f"duplicate id {meta['id']!r} (also {seen[meta['id']]})")
                )
                continue
            seen[meta["id"]] = label
            entries.append(CorpusEntry(meta["id"], meta, pair["text"], pair["meta"]))
    entries.sort(key=lambda e: e.id)
    return entries, problems


def text_key(path: Path) -> str:
    """The key under which scan's cache keeps a text file's sha256 once it has been read,
    decoded and hashed: the file's path, device, inode, size and modification and change times
    (as git's index does). Any write to the file changes its change time, so a text is read
    again whenever it may differ; unchanged, it is not read at all (1.2 s of every build at
    5,000 reports)."""
    st = path.stat()
    return (
        f"text\0{path}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    )


def _cached_meta(
    path: Path, cache: ScanCache | None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    if cache is None:
        return load_meta(path, str(path))
    key = hashlib.sha256(path.read_bytes()).hexdigest()
    known = cache.get(key)
    if known is not None:
        return dict(known), []
    meta, found = load_meta(path, str(path))
    if meta is not None and not found:
        cache.put(key, dict(meta))
    return meta, found


def load_corpus(roots: Iterable[Path], meta_cache: ScanCache | None = None) -> list[CorpusEntry]:
    """Every corpus document, or CorpusError listing every problem."""
    entries, problems = scan(roots, meta_cache)
    if problems:
        raise CorpusError(None, "\n".join(str(p) for p in problems))
    return entries


def dump_meta(meta: dict[str, Any]) -> str:
    """Metadata as YAML in schema order (dates quoted so they stay text)."""
    y = YAML()
    y.default_flow_style = False
    y.width = 4096
    ordered = {k: meta[k] for k in SCHEMA if k in meta}
    buf = io.StringIO()
    y.dump(ordered, buf)
    return buf.getvalue()


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


SOURCES = "sources.tsv"
"""The corpus's index of source PDFs: sha256 of the PDF, tab, document id; one line each,
sorted by id. Ingest reads it instead of every metadata file (its cost must not grow with the
corpus); `evidence check` verifies it against the metadata."""
_SOURCES_HEADER = "# source PDF sha256\tdocument id (written by evidence ingest)\n"


def read_sources(root: Path) -> dict[str, str] | None:
    """sha256 of a source PDF -> document id, or None where the corpus has no index yet."""
    path = root / SOURCES
    if not path.is_file():
        return None
    out: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, _, doc_id = line.partition("\t")
            out[digest] = doc_id
    return out


def sources_text(sources: dict[str, str]) -> str:
    """The index file's text (deterministic: sorted by id, then sha256)."""
    rows = sorted(sources.items(), key=lambda kv: (kv[1], kv[0]))
    return _SOURCES_HEADER + "".join(f"{d}\t{i}\n" for d, i in rows)


def check_sources(root: Path, entries: list[CorpusEntry]) -> list[Problem]:
    """The index must list exactly the documents' source PDFs."""
    want = {
        str(e.meta["source_pdf_sha256"]): e.id
        for e in entries
        if e.meta.get("source_pdf_sha256") and _inside(e.meta_path, root)
    }
    have = read_sources(root)
    if have is None:
        return (
            [Problem(str(root / SOURCES), "is missing: run evidence ids --update")] if want else []
        )
    if have != want:
        extra = sorted(set(have.items()) - set(want.items()))
        lost = sorted(set(want.items()) - set(have.items()))
        what = "; ".join(
            [f"lists {i} ({d[:12]}…) that no metadata gives" for d, i in extra[:3]]
            + [f"lacks {i} ({d[:12]}…)" for d, i in lost[:3]]
        )
        return [Problem(str(root / SOURCES), f"does not match the metadata: {what}; run "
                        "evidence ids --update")]  # fmt: skip
    return []


def doc_ids(root: Path) -> set[str]:
    """The ids of the documents under a corpus root, from file names alone (no reading)."""
    return {p.stem for p in root.glob("*/*.yml")} if root.is_dir() else set()
