"""Permanent paragraph ids: what each document has published, and where moved ids point now.

A paragraph's id is `<document id>#<anchor>`. The parser derives the anchor from the printed
paragraph number ('para-27') or, for unnumbered blocks, from the block's words ('p-<hash>');
a heading's from its words. Never from position, so re-extracting a report, re-parsing it with a
better parser or inserting paragraphs before it leaves the id of every unchanged paragraph alone.

When an id must change (its words changed, or a parser now splits or joins the block), links
to it must still work. Two files in the corpus keep the record:

- `<id>.ids` beside each document's text: the ledger, every anchor the document's page
  publishes, with a fingerprint and a sketch of its words (hashes of word triples: no text);
- `redirects.tsv` at the corpus root: the redirect map, old id -> new id, one per line.

`evidence ids --update` (and `evidence ingest`) write both. The build refuses a corpus whose
ledger names an id that is neither on the page nor in the redirect map, so a link published once
keeps working; the site answers old ids by sending the reader to the new place.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evidence_archive.errors import ArchiveError, CorpusError
from evidence_archive.files import write_atomic
from evidence_archive.model import Document

LEDGER_SUFFIX = ".ids"
REDIRECTS = "redirects.tsv"
#: A sketch shares at least this much of an old block's word triples with its successor.
SUCCESSOR_OVERLAP = 0.25
_HEADER = "# Paragraph ids published for {doc} ({authority}): anchor, fingerprint, sketch.\n"
_REDIRECTS_HEADER = (
    "# Redirect map: paragraph ids that changed (old id, tab, new id), written by "
    "`evidence ids --update`.\n"
    "# An id is <document id>#<anchor>; a document id alone moves the whole document; "
    "'authority:<slug>' is a council's page (the document was withdrawn).\n"
)


@dataclass(frozen=True)
class Place:
    """An anchor a page publishes, with what identifies its words."""

    anchor: str
    fingerprint: str
    """Hash of the block's words (lowercased, punctuation removed)."""
    sketch: tuple[str, ...]
    """Hashes of a sample of the block's word triples, to find where changed words went."""


@dataclass(frozen=True)
class Ledger:
    """One document's ledger file."""

    doc_id: str
    authority: str
    places: tuple[Place, ...]


def words(text: str) -> list[str]:
    """The words of a text as ids see them: lowercase letters and digits."""
    return re.findall(r"[^\W_]+", text.lower())


def _h(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def place(anchor: str, text: str) -> Place:
    """The place of one block or heading."""
    ws = words(text)
    triples = [" ".join(ws[i : i + 3]) for i in range(max(1, len(ws) - 2))]
    hashes = sorted({_h(t, 6) for t in triples})
    if len(hashes) > 24:  # a sample that two versions of the block share: every 4th hash value
        hashes = [h for h in hashes if int(h, 16) % 4 == 0] or hashes[:1]
    return Place(anchor, _h(" ".join(ws), 12), tuple(hashes[:64]))


def places(doc: Document) -> list[Place]:
    """Every anchor the document's page publishes, in page order."""
    out = []
    for sec in doc.sections:
        if sec.level:
            out.append(place(sec.anchor, sec.title))
        out += [place(b.anchor, b.text) for b in sec.blocks]
    out += [place(b.anchor, b.text) for b in doc.boilerplate]
    return out


def ledger_path(text_path: Path) -> Path:
    """The ledger beside a document's text file."""
    return text_path.with_suffix(LEDGER_SUFFIX)


def ledger_text(doc: Document) -> str:
    """A document's ledger (deterministic)."""
    lines = [_HEADER.format(doc=doc.id, authority=doc.meta.authority)]
    for p in places(doc):
        lines.append(f"{p.anchor}\t{p.fingerprint}\t{' '.join(p.sketch)}\n")
    return "".join(lines)


def read_ledger(path: Path) -> Ledger:
    """A ledger file, or CorpusError naming the file and line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(path, f"cannot read the id ledger: {err}") from err
    head = re.match(r"# Paragraph ids published for (\S+) \((\S+)\)", text)
    if head is None:
        raise CorpusError(f"{path}:1", "not an id ledger (its first line is not the header)")
    out = []
    for n, line in enumerate(text.splitlines()[1:], start=2):
        cols = line.split("\t")
        if len(cols) != 3 or not cols[0] or not re.fullmatch(r"[0-9a-f]{12}", cols[1]):
            raise CorpusError(f"{path}:{n}", "an id ledger line is: anchor, fingerprint, sketch")
        out.append(Place(cols[0], cols[1], tuple(cols[2].split())))
    return Ledger(head.group(1), head.group(2), tuple(out))


def read_redirects(roots: Iterable[Path]) -> dict[str, str]:
    """The redirect map of every corpus root: old id -> new id."""
    out: dict[str, str] = {}
    for root in roots:
        path = Path(root) / REDIRECTS
        if not path.exists():
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 2 or not cols[0] or not cols[1]:
                raise CorpusError(f"{path}:{n}", "a redirect line is: old id, tab, new id")
            out[cols[0]] = cols[1]
    return out


def resolve(pid: str, redirects: dict[str, str], published: set[str]) -> str:
    """Where an old id points now, following the map to its end. A document id in the map moves
    every anchor of that document; 'authority:<slug>' is a council's page."""
    for _ in range(50):
        if pid.startswith("authority:"):
            return pid
        doc, _, anchor = pid.partition("#")
        if pid in redirects:
            pid = redirects[pid]
        elif doc in redirects and doc not in published:
            to = redirects[doc]
            pid = to if to.startswith("authority:") or not anchor else f"{to}#{anchor}"
        else:
            return pid
    raise ArchiveError(REDIRECTS, f"the redirect map goes round in a circle at {pid}")


def successor(old: Place, new: list[Place]) -> str | None:
    """The anchor that now holds an old block's words: the same words, else most of them."""
    for p in new:
        if p.fingerprint == old.fingerprint:
            return p.anchor
    if not old.sketch:
        return None
    mine = set(old.sketch)
    best, score = None, 0.0
    for p in new:
        shared = len(mine & set(p.sketch)) / len(mine)
        if shared > score:
            best, score = p.anchor, shared
    return best if score >= SUCCESSOR_OVERLAP else None


def moved(doc: Document, ledger: Ledger) -> dict[str, str]:
    """Ids of the ledger that the document no longer publishes -> where to send their readers."""
    now = places(doc)
    present = {p.anchor for p in now}
    out = {}
    for old in ledger.places:
        if old.anchor in present:
            continue
        to = successor(old, now)
        out[f"{ledger.doc_id}#{old.anchor}"] = f"{doc.id}#{to}" if to else doc.id
    return out


def anchors(doc: Document) -> set[str]:
    """The anchors a document's page publishes."""
    sections = doc.sections  # read once: a built document's body is kept packed
    out = {sec.anchor for sec in sections if sec.level}
    out.update(b.anchor for sec in sections for b in sec.blocks)
    out.update(b.anchor for b in doc.boilerplate)
    return out


def stale(docs: dict[str, Document], roots: Iterable[Path]) -> list[ArchiveError]:
    """Ledger ids that are neither published nor redirected: links that would break."""
    roots = list(roots)
    redirects = read_redirects(roots)
    problems: list[ArchiveError] = []
    for path in _ledgers(roots):
        ledger = read_ledger(path)
        if ledger.doc_id not in docs:
            if ledger.doc_id not in redirects:
                why = "is no longer in the corpus and its ids are not redirected"
                problems.append(
                    CorpusError(path, f"{ledger.doc_id} {why}: run `evidence ids --update`")
                )
            continue
        doc = docs[ledger.doc_id]
        now = anchors(doc)
        lost = [
            p.anchor for p in ledger.places
            if p.anchor not in now and f"{doc.id}#{p.anchor}" not in redirects
        ]  # fmt: skip
        if lost:
            shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
            problems.append(CorpusError(path, f"{len(lost)} published paragraph ids are gone "
                            f"from {doc.id} and not redirected ({shown}): run "
                            "`evidence ids --update` to record where they moved"))  # fmt: skip
    return problems


def _ledgers(roots: Iterable[Path]) -> list[Path]:
    return sorted(p for r in roots for p in Path(r).rglob(f"*{LEDGER_SUFFIX}") if p.is_file())


@dataclass(frozen=True)
class Update:
    """What `evidence ids --update` changed."""

    ledgers: tuple[str, ...]
    """Documents whose ledger was written."""
    redirects: dict[str, str]
    """Redirects added."""


def update(
    docs: dict[str, tuple[Document, Path]],
    root: Path,
    *,
    renamed: dict[str, str] | None = None,
    complete: bool = True,
    dry_run: bool = False,
) -> Update:
    """Record the documents' ids in their ledgers, and where every id that changed went.

    docs: the documents of this corpus root to record (document, text path). renamed: old
    document id -> new id, for documents given a new id. complete: docs is the whole root, so a
    ledger with no document is a document renamed (most of its words are now in one document)
    or withdrawn (its readers go to the council's page). Old ledgers stay: they name the council
    whose folder held the old page."""
    root = Path(root)
    redirects = read_redirects([root])
    renamed = dict(renamed or {})
    added: dict[str, str] = {}
    # Only a whole-corpus update needs every ledger; adding documents needs the renamed ones'.
    wanted = _ledgers([root]) if complete else [p for p in _ledgers([root]) if p.stem in renamed]
    known = {ledger.doc_id: ledger for ledger in map(read_ledger, wanted)}
    if complete:
        by_fingerprint: dict[str, str] = {}
        for doc_id, (doc, _) in sorted(docs.items()):
            for p in places(doc):
                by_fingerprint.setdefault(p.fingerprint, doc_id)
        for doc_id, ledger in sorted(known.items()):
            if doc_id in docs or doc_id in renamed or doc_id in redirects:
                continue
            votes = Counter(
                by_fingerprint[p.fingerprint]
                for p in ledger.places
                if p.fingerprint in by_fingerprint
            )
            heir = max(sorted(votes), key=lambda d: votes[d]) if votes else None
            if heir is not None and votes[heir] * 2 >= len(ledger.places):
                renamed[doc_id] = heir
            else:
                added[doc_id] = f"authority:{ledger.authority}"
    for old_id, new_id in sorted(renamed.items()):
        added[old_id] = new_id
        if old_id in known and new_id in docs:
            added.update(moved(docs[new_id][0], known[old_id]))
    for doc, text_path in (docs[d] for d in sorted(docs)):
        path = ledger_path(text_path)
        if path.exists():
            added.update(moved(doc, read_ledger(path)))
    added = {k: v for k, v in added.items() if redirects.get(k) != v}
    written: list[str] = []
    if dry_run:
        return Update((), added)
    for doc_id, (doc, text_path) in sorted(docs.items()):
        path = ledger_path(text_path)
        text = ledger_text(doc)
        if not path.exists() or path.read_text("utf-8") != text:
            write_atomic(path, text)
            written.append(doc_id)
    if added:
        merged = {**redirects, **added}
        body = "".join(f"{k}\t{v}\n" for k, v in sorted(merged.items()))
        write_atomic(root / REDIRECTS, _REDIRECTS_HEADER + body)
    return Update(tuple(written), added)


def site_redirects(
    roots: Iterable[Path], docs: dict[str, str]
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, str]]]:
    """What the site needs from the redirect map, every chain followed to its end.

    docs maps each document id in the build to its authority. Returns (anchors, pages):
    anchors[doc id][old anchor] = new id, for anchors a current page no longer has; pages[old
    document id] = (its old authority, new id or 'authority:<slug>'), for documents that left.
    """
    roots = list(roots)
    redirects = read_redirects(roots)
    if not redirects:
        return {}, {}
    # The council of a document that left is in its old ledger (its first line).
    gone = {k for k in redirects if "#" not in k and k not in docs}
    authorities = {}
    for path in _ledgers(roots):
        if path.stem in gone:
            ledger = read_ledger(path)
            authorities[ledger.doc_id] = ledger.authority
    published = set(docs)
    anchors: dict[str, dict[str, str]] = {}
    pages: dict[str, tuple[str, str]] = {}
    for old in sorted(redirects):
        doc, _, anchor = old.partition("#")
        target = resolve(old, redirects, published)
        if anchor:
            anchors.setdefault(doc, {})[anchor] = target
        elif doc not in published and doc in authorities:
            pages[doc] = (authorities[doc], target)
    return anchors, pages
