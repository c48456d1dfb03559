"""Run MkDocs over the generated pages: a clean build or, when only some reports changed, a dirty
build that renders only those (the rest copied from the previous site).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence_archive import urls
from evidence_archive.build.cache import Built, Packed
from evidence_archive.files import LinkedTree, link_or_copy
from evidence_archive.opendata.tables import DATABASE, Content
from evidence_archive.proc import Forked
from evidence_archive.site.inputs import Inputs
from evidence_archive.site.pages import site_pages
from evidence_archive.site.reports import load_moved
from evidence_archive.site.static_search import BUNDLE, index_site

ROOT = Path(__file__).resolve().parents[3]
"""The project folder: mkdocs.yml, docs/ and hooks/."""


def site_key() -> str:
    """A digest of everything but the corpus that a site page depends on: the package code and
    libraries (build.code_version), mkdocs.yml, docs/ and hooks/, and the site's address
    (EVIDENCE_SITE_URL, which mkdocs.yml reads: every page's canonical link)."""
    from evidence_archive.build.cache import code_version

    root = ROOT
    h = hashlib.sha256(code_version().encode() + b"\0" + urls.site_url().encode())
    paths = [root / "mkdocs.yml", *sorted((root / "docs").rglob("*")),
             *sorted((root / "hooks").rglob("*.py"))]  # fmt: skip
    for path in paths:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def reusable_site(old_dir: Path | None, old: dict[str, Any] | None, key: str = "") -> bool:
    """Whether the last build's site (its folder and its manifest) can be where this one starts
    (MkDocs' dirty build): it is there and was made with this site key (key, if worked out)."""
    return bool(old_dir and old_dir.is_dir() and old and old.get("key") == (key or site_key()))


class _QuietDirty(logging.Filter):
    """MkDocs warns that a dirty build may leave navigation stale. Here only report pages are
    skipped, and a report page depends on nothing but its own Markdown (not in the nav, no
    previous/next links), so the warning does not apply; tests compare with a clean build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


@dataclass
class Generation:
    """One site build, as the MkDocs hook works from it: the documents, every file the build adds
    to the site (made once), and what MkDocs reports back. The hook holds one of these and
    nothing else, so the hook stays a few lines and page generation stays in the package."""

    built: list[Built]
    files: dict[str, Content | Packed | None]
    """Every generated file, docs path -> contents: pages, then open data, then feeds; None for
    a page or feed whose inputs are the last build's (kept), which is not made again; a report
    page is Packed."""
    pages: frozenset[str]
    """The generated pages and feeds (not the open data), whose digests the manifest keeps."""
    inputs: dict[str, str] = field(default_factory=dict)
    """What each report, council and recommendations page and each feed is made from, as a
    digest (site.inputs), for the manifest."""
    kept: dict[str, str] = field(default_factory=dict)
    """The pages and feeds not made again (None in files), with their digests in the last
    build's manifest."""
    unchanged: set[str] = field(default_factory=set)
    """Generated pages whose Markdown (and feeds whose XML) is the same as in the previous site,
    which a dirty build keeps instead of rendering or writing again."""
    order: list[str] = field(default_factory=list)
    """The URLs of the documentation pages in the order MkDocs builds them (set by the hook),
    to complete the site search index of a dirty build in a clean build's order."""
    search_work: Path | None = None
    """Where the static search keeps each document's digest between builds (the build's cache);
    None for none."""
    previous_bundle: Path | None = None
    """The last build's static index (an incremental build), kept as the base part."""
    keys: dict[str, str] | None = None
    """Each document's build cache key, which fixes what the static index holds of it."""
    database: Callable[[], Path] | None = None
    """The open-data database when it is being made beside the site (evidence build): waits
    for it and gives its path. It is linked into the site just before MkDocs writes the site
    (on_env), so that the pages are made and rendered while it is made."""
    apart: bool = False
    """Render the Packed pages (the reports) one at a time, each written before the next is
    read (render_apart), instead of among the other pages: MkDocs reads and renders every page
    before it writes any, and holds all their HTML (3 GB at 5,000 reports). evidence build
    sets it, and runs MkDocs' dirty build so that MkDocs passes over these pages."""
    nav: Any = None
    """The site's navigation (set by the hook), which render_apart gives each page."""
    linked: bool = False
    """The site folder starts as the last build's site, hard-linked (an incremental build): every
    file MkDocs will write is unlinked first, so that it writes a new file and never through a
    link into the last build's site, which stays as it was until the new build is swapped in."""

    @classmethod
    def make(
        cls,
        built: list[Built],
        roots: list[Path],
        data: dict[str, Content] | None = None,
        memo: Path | None = None,
        keys: dict[str, str] | None = None,
        database: Callable[[], Path] | None = None,
        last: dict[str, Any] | None = None,
        subjects_made: Forked | None = None,
    ) -> Generation:
        """data: the open data, when the build has made it (the CSV and JSON files; with
        database, the database being made beside); memo: where the councils' recommendations
        sections are kept between builds (pages.council_recommendations_kept); keys: each
        document's build cache key; last: the manifest of the last build's site, when this
        build starts from that site (a page whose inputs are the same is not made again);
        subjects_made: the subjects' pages being made (pages.subject_pages_forked)."""
        from evidence_archive.opendata.tables import open_data
        from evidence_archive.site.feeds import feeds_made

        before: dict[str, str] = (last or {}).get("pages", {})
        inputs = Inputs({p: k for p, k in (last or {}).get("inputs", {}).items() if p in before})
        data = dict(open_data(built)) if data is None else data
        feeds = feeds_made([b.doc for b in built], keys, inputs)
        moved = load_moved(roots, built)
        pages = site_pages(built, moved, data, memo, keys, inputs, subjects_made)
        files: dict[str, Content | Packed | None] = {**pages, **data, **feeds}
        made = frozenset(pages) | frozenset(feeds)
        return cls(
            built, files, made, keys=keys, database=database,
            inputs={p: k for p, k in sorted(inputs.now.items()) if p in made},
            kept={p: before[p] for p in made if files[p] is None},
        )  # fmt: skip

    def digests(self) -> dict[str, str]:
        return {path: self._digest(path) for path in sorted(self.pages)}

    def _digest(self, path: str) -> str:
        content = self.files[path]
        if content is None:
            return self.kept[path]
        if isinstance(content, Packed):
            return content.digest[:20]
        return hashlib.sha256(_bytes(content)).hexdigest()[:20]

    # --- what the hook calls ------------------------------------------------------------------

    def add_files(self, files: Any, config: Any) -> Any:
        """MkDocs on_files: add every generated file (the unchanged reports as unmodified)."""
        from mkdocs.structure.files import File

        # In an incremental (dirty) build MkDocs skips pages older than their output; the pages
        # of docs/ are always rendered again, so that the site's search index holds them.
        for f in files.documentation_pages():
            f.is_modified = _modified
        for path, content in self.files.items():
            # A page or feed not made (kept) is the last build's, which MkDocs never reads.
            assert content is not None or path in self.unchanged, path
            if isinstance(content, Packed):
                # Read by render_apart when rendered apart, else now.
                content = "" if self.apart else content.text()
            made = File.generated(config, path, content="" if content is None else content)
            if path in self.unchanged or self._rendered_apart(path):
                made.is_modified = _unmodified  # type: ignore[method-assign]
            files.append(made)
        if self.database is not None:
            # Hundreds of MB at scale, not read into memory: the file in the site is its own
            # source (MkDocs leaves a file it would copy onto itself), linked there by
            # link_database before MkDocs writes the site.
            dest = Path(config["site_dir"]) / DATABASE
            made = File.generated(config, DATABASE, abs_src_path=str(dest))
            made.is_modified = _unmodified  # type: ignore[method-assign]
            files.append(made)
        if self.linked:
            site = Path(config["site_dir"])
            # What the dirty build writes: every file it finds modified, the theme's static
            # templates (404 page, sitemap and its gzip) and the search plugin's index.
            written = [Path(f.abs_dest_path) for f in files
                       if f.is_modified() or self._rendered_apart(f.src_uri)]  # fmt: skip
            for name in sorted(config["theme"].static_templates):
                written += [site / name, site / f"{name}.gz"]
            written.append(site / "search" / "search_index.json")
            for dest in written:
                dest.unlink(missing_ok=True)
        return files

    def _rendered_apart(self, path: str) -> bool:
        return (
            self.apart and isinstance(self.files.get(path), Packed) and path not in self.unchanged
        )

    def before_writing(self, config: Any, files: Any, env: Any) -> None:
        """MkDocs on_env (the other pages are rendered, none written): the pages rendered
        apart, then the open-data database linked in."""
        self.render_apart(config, files, env)
        self.link_database(Path(config["site_dir"]))

    def render_apart(self, config: Any, files: Any, env: Any) -> None:
        """Read, render and write each page to be rendered apart, one at a time, as MkDocs
        does (its own steps, with every plugin event: mkdocs.commands.build's _populate_page
        and _build_page, of MkDocs 1.6, whose version is in the code version), and let go of
        its Markdown and HTML before the next. MkDocs, in its dirty build, passes over them
        (unmodified); their anchors stay, for MkDocs' check of the links into them.
        tests/test_site.py checks that the site is the one MkDocs makes rendering them itself."""
        if not self.apart:
            return
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.files import InclusionLevel
        from mkdocs.structure.pages import Page

        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for path, content in self.files.items():
            if not self._rendered_apart(path):
                continue
            assert isinstance(content, Packed)
            file = files.get_file_from_path(path)
            page = file.page if file.page is not None else Page(None, file, config)
            file.content_string = content.text()
            _populate_page(page, config, files)
            _build_page(page, config, doc_files, self.nav, env)
            file.content_string = ""
            page.markdown = page.content = None

    def link_database(self, site_dir: Path) -> None:
        """The open-data database, once made, linked into the site (in place of the last
        build's there), before MkDocs writes the site."""
        if self.database is None:
            return
        made = self.database()
        dest = site_dir / DATABASE
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        link_or_copy(str(made), str(dest))

    def record_nav(self, nav: Any, files: Any) -> None:
        """MkDocs on_nav: the navigation, and the pages in build order (as pages name
        themselves: home is '')."""
        self.nav = nav
        self.order[:] = [f.page.url if f.page else f.url for f in files.documentation_pages()]

    def index_static_search(self, site_dir: Path) -> None:
        """MkDocs on_post_build: the static search index of the reports, in the site."""
        docs = [b.doc for b in self.built]
        index_site(site_dir, docs, self.search_work, self.previous_bundle, self.keys)


def _bytes(content: Content) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _modified() -> bool:
    return True


def _unmodified() -> bool:
    return False


ACTIVE: Generation | None = None
"""The Generation of the `evidence build` running MkDocs now (set by build_site); None when
MkDocs runs on its own (`mkdocs serve`), and the hook then makes one from the corpus."""


def generation_for(config: Any) -> Generation:
    """The Generation a MkDocs run works from: evidence build's, or one made from the corpus
    folders that mkdocs.yml names (`extra.corpus_dirs`, default corpus/)."""
    if ACTIVE is not None:
        return ACTIVE
    from evidence_archive.build.parsing import parse_corpus

    roots = corpus_roots(config)
    return Generation.make(parse_corpus(roots), roots)


def corpus_roots(config: Any) -> list[Path]:
    base = Path(config.config_file_path).parent
    return [base / d for d in (config.extra.get("corpus_dirs") or ["corpus"])]


def build_site(
    out: Path,
    built: list[Built],
    roots: list[Path],
    previous: tuple[Path | None, dict[str, Any] | None] | None = None,
    search_work: Path | None = None,
    data: dict[str, Content] | None = None,
    memo: Path | None = None,
    keys: dict[str, str] | None = None,
    database: Callable[[], Path] | None = None,
    subjects_made: Forked | None = None,
    linked: LinkedTree | None = None,
) -> dict[str, Any]:
    """Run `mkdocs build --strict` into out/site with this build's documents; return the site's
    manifest (site key and a digest of each generated page's Markdown).

    previous is the last build's site folder and manifest, and linked that site being hard-linked
    into out/site by the caller (files.LinkedTree: evidence build begins it with the build, when
    reusable_site). With both, and the site key still the same, MkDocs renders only the pages
    whose Markdown changed (its 'dirty' build), and the pages whose inputs are unchanged are not
    made at all (site.inputs); otherwise the site is built whole. keys: each document's build
    cache key (static search does not read again a document whose key is unchanged);
    database: the open-data database being made beside (Generation.database); subjects_made:
    the subjects' pages being made (pages.subject_pages_forked)."""
    global ACTIVE
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    key = site_key()
    site_dir = out / "site"
    old_dir, old = previous or (None, None)
    dirty = linked is not None and reusable_site(old_dir, old, key)
    if linked is not None and not dirty:  # the site key changed during the build
        linked.stop()
        linked = None
    # Hard links, not copies (a copy of the real archive's site took a second, of 5,000
    # reports' far more): gen.linked has every file MkDocs writes unlinked first. The static
    # search index comes too: it is written after MkDocs (index_site keeps the linked base
    # part when the last one serves, and writes no file through a link). The pages are made
    # here while the link is finished.
    gen = Generation.make(built, roots, data, memo, keys, database, old if dirty else None,
                          subjects_made)  # fmt: skip
    gen.search_work = search_work
    gen.apart = True
    digests = gen.digests()
    if linked is not None:
        linked.done()
    manifest = {"key": key, "pages": digests, "inputs": gen.inputs}
    if dirty and old_dir is not None and old is not None:
        gen.previous_bundle = old_dir / BUNDLE
        gen.linked = True
        before: dict[str, str] = old["pages"]
        # A generated page depends on its Markdown alone (the navigation names only the pages
        # of docs/), so one whose Markdown is unchanged is the same page as before; a feed whose
        # XML is unchanged is the same file.
        gen.unchanged = {p for p, d in digests.items() if before.get(p) == d}
        for gone in sorted(set(before) - set(digests)):  # pages no document calls for now
            if gone.endswith(".md"):
                shutil.rmtree(site_dir / gone.removesuffix(".md"), ignore_errors=True)
            else:
                (site_dir / gone).unlink(missing_ok=True)
    quiet = _QuietDirty()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    ACTIVE = gen
    try:
        config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        config["extra"]["corpus_dirs"] = [str(r.resolve()) for r in roots]
        if not dirty:  # MkDocs' clean build, but with the report pages rendered apart
            shutil.rmtree(site_dir, ignore_errors=True)
        mkdocs_build(config, dirty=True)
        if dirty and old_dir is not None:
            index = Path("search") / "search_index.json"
            merge_search_index(site_dir / index, old_dir / index, gen.order,
                               {urls.page_url(p) for p in gen.unchanged})  # fmt: skip
    finally:
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)
        ACTIVE = None
    return manifest


def merge_search_index(new: Path, old: Path, order: list[str], kept: set[str]) -> None:
    """Complete the site search index of a dirty build: MkDocs wrote entries only for the pages
    it rendered; the pages it kept from the previous site get their previous entries back, all
    in the order of a clean build (the order of the pages), written as Material writes it."""
    fresh = json.loads(new.read_text(encoding="utf-8"))
    before = json.loads(old.read_text(encoding="utf-8"))

    def by_page(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in entries:
            out[str(e["location"]).split("#")[0]].append(e)
        return out

    now, then = by_page(fresh["docs"]), by_page(before["docs"])
    docs = [e for url in order for e in (then if url in kept else now).get(url, [])]
    data = {"config": fresh["config"], "docs": docs}
    new.write_bytes(json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))
