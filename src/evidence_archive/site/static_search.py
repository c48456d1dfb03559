"""Static search: the site's own index of every report, section by section, built with the site.

On a static host no `evidence serve` answers, so the public searches the reports through an
index that the browser downloads in small pieces (`docs/assets/search.js` reads it; its files
are static_files'). A result is a section of a report that holds every word searched for; it
links to that section of the report page.

An incremental build does not index every report again: the last index is kept as the base part
(its files hard-linked) and the reports added or changed since are indexed into a small second
part, `new/`. `parts.json` tells the page the parts and the base's documents to leave out (those
changed or removed since); `state.json` keeps each document's digest for the next build. When
more than MAX_NEW documents would be in the new part, or on a clean build, every report is
indexed into one part again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_archive.files import link_or_copy
from evidence_archive.model import Document
from evidence_archive.site.static_files import FORMAT, META, filters, sections_of, shown, write_part

BUNDLE = "static-search"
"""The folder of the site that holds the static index."""
NEW = "new"
"""The folder, inside the static index, of the part that holds the reports added or changed
since the base part was indexed."""
PARTS = "parts.json"
"""What the search page reads first: the parts to search, the base documents to leave out."""
STATE = "state.json"
"""For the next build: each indexed document's digest, in the base and the new part."""
MAX_NEW = 25
"""At most this many documents in the new part (added, changed, or removed since the base);
beyond it the whole index is made again."""


def _digest(doc: Document) -> str:
    """A digest of everything the static index holds of a document ('' if it holds nothing:
    a document without a section of text)."""
    sections = sections_of(doc)
    if not sections:
        return ""
    record = {
        "sections": [[s.heading, s.target, list(s.paragraphs)] for s in sections],
        "filters": filters(doc),
        "shown": shown(doc),
    }
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


# -- the build's step -----------------------------------------------------------------------


@dataclass(frozen=True)
class Indexed:
    """What the static indexer did."""

    pages: int
    """Sections indexed in this build (every one in a clean build; the new part's otherwise)."""
    seconds: float
    folder: Path | None = None
    """The static index (None when there is none)."""

    @property
    def bytes(self) -> int:
        """The size of the static index, both parts (counted when asked)."""
        if self.folder is None:
            return 0
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


def index_site(
    site_dir: Path,
    docs: list[Document],
    work: Path | None = None,
    previous: Path | None = None,
    keys: dict[str, str] | None = None,
) -> Indexed:
    """Index the reports' sections into site_dir/static-search (replacing any old index).

    `previous` is the last build's index folder (an incremental build): its base part is kept
    (hard links) and only the documents added or changed since it was indexed are indexed, into
    the new part; when none changed, the last index is kept whole. `work` (a folder kept between
    builds, the build's cache) keeps each document's digest with its build cache key (`keys`):
    a document whose key is unchanged has the same digest, which is then not worked out again."""
    now = _doc_digests(docs, work, keys)
    by_id = {d.id: d for d in docs}
    bundle = site_dir / BUNDLE
    # The site folder may start as the last site hard-linked (an incremental build): its static
    # index is then the last one, linked, kept as the base when it serves as one.
    linked = previous is not None and _same_file(bundle / META, previous / META)
    if not now:  # a corpus of no report: no index (the search page says it cannot read one)
        shutil.rmtree(bundle, ignore_errors=True)
        return Indexed(0, 0.0)
    begin = time.perf_counter()
    state = _state(previous)
    if state is not None and previous is not None:
        base: dict[str, str] = state["base"]
        new = {d: k for d, k in now.items() if base.get(d) != k}
        hidden = sorted(d for d, k in base.items() if now.get(d) != k)
        if len(set(new) | set(hidden)) <= MAX_NEW:
            if linked:  # the base is there; what is written again is removed, never written through
                shutil.rmtree(bundle / NEW, ignore_errors=True)
                for name in (PARTS, STATE):
                    (bundle / name).unlink(missing_ok=True)
            else:
                shutil.rmtree(bundle, ignore_errors=True)
                shutil.copytree(previous, bundle, copy_function=link_or_copy,
                                ignore=shutil.ignore_patterns(NEW, PARTS, STATE))  # fmt: skip
            pages = 0
            versions = {"base": state["versions"]["base"]}
            if new and new == state["new"] and (previous / NEW / META).is_file():
                shutil.copytree(previous / NEW, bundle / NEW, copy_function=link_or_copy)
                versions["new"] = state["versions"]["new"]
            elif new:
                pages, versions["new"] = _write_into(bundle / NEW, [by_id[d] for d in sorted(new)])
            _write_state(bundle, base, new, hidden, versions)
            return Indexed(pages, time.perf_counter() - begin, bundle)
    shutil.rmtree(bundle, ignore_errors=True)
    pages, version = _write_into(bundle, docs)
    _write_state(bundle, now, {}, [], {"base": version})
    return Indexed(pages, time.perf_counter() - begin, bundle)


def _write_into(folder: Path, docs: list[Document]) -> tuple[int, str]:
    """write_part into a temporary folder beside `folder`, then moved into place (a build
    stopped half way leaves no half index where the next build looks for one); the number of
    sections and the part's version (_version)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".static-", dir=folder.parent))
    try:
        pages = write_part(docs, tmp / "part")
        version = _version(tmp / "part")
        os.replace(tmp / "part", folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return pages, version


def _version(part: Path) -> str:
    """A digest of every file of a part, which the page adds to each address it fetches from
    the part (`?v=`): a browser's cached file of an older index is never read with a newer
    one, and an unchanged part stays cached."""
    h = hashlib.sha256()
    for path in sorted(part.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(part).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _doc_digests(
    docs: Iterable[Document], work: Path | None, keys: dict[str, str] | None
) -> dict[str, str]:
    """Each document that has sections to index -> its digest (`_digest`); a document whose
    build cache key is the one listed in `work` keeps its listed digest."""
    listing = work / "static-search.json" if work is not None else None
    old: dict[str, list[str]] = {}
    if listing is not None:
        try:
            old = json.loads(listing.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        if not isinstance(old, dict):
            old = {}
    out: dict[str, str] = {}
    listed: dict[str, list[str]] = {}
    for doc in sorted(docs, key=lambda d: d.id):
        key = (keys or {}).get(doc.id)
        was = old.get(doc.id)
        if key is not None and isinstance(was, list) and len(was) == 2 and was[0] == key:
            digest = was[1]
        else:
            digest = _digest(doc)
        if digest:
            out[doc.id] = digest
        if key is not None:
            listed[doc.id] = [key, digest]
    if listing is not None:
        listing.parent.mkdir(parents=True, exist_ok=True)
        tmp = listing.with_suffix(".tmp")
        tmp.write_text(json.dumps(listed, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, listing)
    return out


def _state(previous: Path | None) -> dict[str, Any] | None:
    """The last index's state, or None when there is no usable last index."""
    if previous is None or not (previous / META).is_file():
        return None
    try:
        state = json.loads((previous / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(state, dict) and all(
        isinstance(state.get(k), dict) for k in ("base", "new", "versions")
    )
    return state if ok and "base" in state["versions"] else None


def _write_state(
    bundle: Path,
    base: dict[str, str],
    new: dict[str, str],
    hidden: list[str],
    versions: dict[str, str],
) -> None:
    """state.json (the base's and the new part's digests, and their versions) and parts.json
    (the parts to search with their versions; the base documents to leave out)."""
    state = {"base": base, "new": new, "versions": versions}
    (bundle / STATE).write_text(json.dumps(state, indent=0, sort_keys=True) + "\n", "utf-8")
    names = ["base", "new"] if new else ["base"]
    parts = {
        "parts": ["", f"{NEW}/"] if new else [""],
        "versions": [versions[n] for n in names],
        "hide": hidden,
        "format": FORMAT,
    }
    (bundle / PARTS).write_text(json.dumps(parts, sort_keys=True) + "\n", "utf-8")
