"""State handed from `evidence build` to the MkDocs hook, so the corpus is parsed once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build import Built

PRELOADED: list[Built] | None = None
"""Set by site.build_site for the duration of one MkDocs build; None otherwise."""

PAGES: dict[str, str] | None = None
"""The generated pages (docs path -> Markdown), made once by site.build_site."""

UNCHANGED: set[str] = set()
"""Report pages whose Markdown is the same as in the previous site, which a dirty build copies
instead of rendering."""

ORDER: list[str] = []
"""The URLs of the documentation pages in the order MkDocs builds them (set by the hook), to
complete the site search index of a dirty build in a clean build's order."""

SEARCH_WORK: Path | None = None
"""Where the static search's section files are kept between builds (the build's cache); None
for a temporary folder."""
