"""What one document becomes in a build (Built) and the cache that keeps it between builds.

A document's cache key is its text, its metadata and the code version; a change to any of them
makes the document parse again.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from evidence_archive.corpus.store import CorpusEntry
from evidence_archive.files import write_atomic
from evidence_archive.model import Block, Document, Section


@dataclass
class Stats:
    """What a build did and how long each stage took (seconds), for logs and benchmarks."""

    parsed: int = 0
    reused: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    incremental: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def _pack(value: Any) -> bytes:
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(data: bytes) -> Any:
    return pickle.loads(zlib.decompress(data))


@dataclass(frozen=True)
class Packed:
    """Text kept compressed (zlib, UTF-8), with the digest of its UTF-8 bytes: a document's
    page in Built, and a report page of the site until MkDocs renders it (the real archive's
    405 report pages are 49 MB as Python text, 9 MB packed)."""

    data: bytes
    digest: str
    """sha256 of the text's UTF-8 bytes, hex."""

    @classmethod
    def of(cls, text: str) -> Packed:
        raw = text.encode("utf-8")
        return cls(zlib.compress(raw, 1), hashlib.sha256(raw).hexdigest())

    def text(self) -> str:
        return zlib.decompress(self.data).decode("utf-8")


class PackedDocument(Document):
    """A Document whose body (its sections and boilerplate: nine tenths of its memory as Python
    objects) is kept pickled and compressed, and unpacked at each reading: a build holds every
    document from parsing to its end (the real archive's 405 are 72 MB as objects; their
    bodies packed, 10 MB). The same Document to every reader (equal to, and built from, the
    document it packs), at about 1 ms a reading: read doc.sections once per pass, not once
    per section."""

    @classmethod
    def pack(cls, doc: Document) -> PackedDocument:
        return cls(**{f.name: getattr(doc, f.name) for f in fields(doc)})

    @property
    def sections(self) -> tuple[Section, ...]:
        return _unpack(self.__dict__["_sections"])  # type: ignore[no-any-return]

    @sections.setter  # set once, by the dataclass's __init__
    def sections(self, value: tuple[Section, ...]) -> None:
        self.__dict__["_sections"] = _pack(value)

    @property
    def boilerplate(self) -> tuple[Block, ...]:
        return _unpack(self.__dict__["_boilerplate"])  # type: ignore[no-any-return]

    @boilerplate.setter
    def boilerplate(self, value: tuple[Block, ...]) -> None:
        self.__dict__["_boilerplate"] = _pack(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Document):
            return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))
        return NotImplemented

    __hash__ = Document.__hash__


@dataclass(frozen=True)
class Built:
    """One document as built: the parsed model, its page and its page path under OUT; the
    document's body and its page kept packed (PackedDocument, packed), as a build holds every
    document to its end."""

    doc: Document
    packed: Packed
    """The page's Markdown (markdown)."""
    page: str
    """Path of the page under OUT, e.g. 'pages/hampshire/<id>.md'."""
    source_file: str
    body_at: int
    """Where the page's body starts in markdown, after its front matter."""
    front: dict[str, Any]
    """The page's front matter (judgements, paragraph range, word count, ...)."""
    abbreviations: dict[str, list[str]]
    """Abbreviations the document defines (for the search index's table)."""
    blocks: int
    """How many blocks (paragraphs, list items, tables, ...) the body holds."""
    named: tuple[tuple[int, int, tuple[str, ...]], ...] = ()
    """Places that name other councils: (section index, block index or -1 for the heading,
    slugs), for the councils' pages."""

    @classmethod
    def of(cls, doc: Document, markdown: str, page: str, source_file: str, body_at: int,
           front: dict[str, Any], abbreviations: dict[str, list[str]],
           named: tuple[tuple[int, int, tuple[str, ...]], ...] = ()) -> Built:  # fmt: skip
        """A document and its page, packed."""
        return cls(
            PackedDocument.pack(doc), Packed.of(markdown), page,
            source_file, body_at, front, abbreviations, len(doc.blocks()), named,
        )  # fmt: skip

    @property
    def markdown(self) -> str:
        """The page: front matter and body."""
        return self.packed.text()

    @property
    def body(self) -> str:
        """The page without its front matter (the site wraps it in a card and metadata box);
        not kept twice, so that the cache loads less at every build."""
        return self.markdown[self.body_at :]


def code_version() -> str:
    """A digest of the code that turns a corpus into outputs: this package's source and the
    versions of the libraries whose output lands in the pages, index and site. A change to any of
    them invalidates every cached result."""
    from importlib.metadata import version

    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1]
    for path in sorted(pkg.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".csv", ".txt"):
            h.update(path.relative_to(pkg).as_posix().encode() + b"\0" + path.read_bytes())
    for lib in ("whoosh-reloaded", "mkdocs", "mkdocs-material", "markdown"):
        h.update(f"{lib}={version(lib)}".encode())
    return h.hexdigest()[:16]


def document_key(entry: CorpusEntry, code: str) -> str:
    """The cache key of a document: its text (sha256, checked by the corpus), its metadata and
    the code version."""
    meta = json.dumps(entry.meta, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{code}\0{entry.meta['sha256']}\0{meta}".encode()).hexdigest()


class Cache:
    """Parsed and rendered documents (Built), one file per cache key, written atomically.

    Only this build tool reads the files it wrote here (pickle): the folder is a local cache,
    never published or shared."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str) -> Built | None:
        if self.folder is None:
            return None
        try:
            data = (self.folder / f"{key}.pickle").read_bytes()
            built = pickle.loads(data)
        except Exception:  # noqa: BLE001 - missing or damaged: the document is parsed again
            return None
        return built if isinstance(built, Built) else None

    def put(self, key: str, built: Built) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(
            self.folder / f"{key}.pickle", pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
        )

    def prune(self, keep: set[str]) -> None:
        """Remove the entries no document of the last build used."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".pickle" and path.stem not in keep:
                path.unlink(missing_ok=True)

    def metadata(self, code: str) -> dict[str, dict[str, Any]] | None:
        """Validated metadata by the sha256 of its file (reading YAML is most of the time of a
        build that parses nothing), and the sha256 of each text by its file's stat
        (corpus.store.text_key), for this code version; None without a cache folder."""
        if self.folder is None:
            return None
        try:
            table = pickle.loads((self.folder / f"metadata-{code}.meta").read_bytes())
        except Exception:  # noqa: BLE001 - missing or damaged: the YAML is read again
            return {}
        return table if isinstance(table, dict) else {}

    def put_metadata(self, code: str, table: dict[str, dict[str, Any]]) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("metadata-*.meta"):
            old.unlink(missing_ok=True)
        write_atomic(
            self.folder / f"metadata-{code}.meta",
            pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL),
        )
