"""MkDocs hooks: add the archive's generated pages to the site. Thin: the package does the work.

`mkdocs build` and `mkdocs serve` parse the corpus here; `evidence build` hands over what it
has already parsed (evidence_archive.hooks_state), so all three build the same site.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

from evidence_archive import hooks_state
from evidence_archive.build import Built, open_data, parse_corpus
from evidence_archive.feeds import site_feeds
from evidence_archive.site import generated_pages, load_moved
from evidence_archive.static_search import index_site

_built: list[Built] = []


def _roots(config) -> list[Path]:  # type: ignore[no-untyped-def]
    base = Path(config.config_file_path).parent
    dirs = config.extra.get("corpus_dirs") or ["corpus"]
    return [base / d for d in dirs]


def on_config(config):  # type: ignore[no-untyped-def]
    global _built
    _built = hooks_state.PRELOADED or parse_corpus(_roots(config))
    return config


class _Unchanged(File):
    """A report page the previous site already holds as it would be rendered now."""

    def is_modified(self) -> bool:
        return False


def _modified() -> bool:
    return True


def on_files(files: Files, config) -> Files:  # type: ignore[no-untyped-def]
    # In an incremental (dirty) build MkDocs skips pages older than their output; the pages of
    # docs/ are always rendered again, so that the site's search index holds them.
    for f in files.documentation_pages():
        f.is_modified = _modified  # type: ignore[method-assign]
    pages = hooks_state.PAGES
    if pages is None:
        pages = generated_pages(_built, load_moved(_roots(config), _built))
    feeds = site_feeds([b.doc for b in _built])
    for path, content in {**pages, **open_data(_built), **feeds}.items():
        cls = _Unchanged if path in hooks_state.UNCHANGED else File
        files.append(cls.generated(config, path, content=content))
    return files


def on_nav(nav, config, files):  # type: ignore[no-untyped-def]
    # As pages name themselves (Page.url): the home page is "", not "./".
    hooks_state.ORDER[:] = [f.page.url if f.page else f.url for f in files.documentation_pages()]
    return nav


def on_post_build(config):  # type: ignore[no-untyped-def]
    # The static search index of the reports, section by section (Pagefind), in the site.
    index_site(Path(config.site_dir), [b.doc for b in _built], hooks_state.SEARCH_WORK)


def on_serve(server, config, builder):  # type: ignore[no-untyped-def]
    for root in _roots(config):
        server.watch(str(root))
    return server
