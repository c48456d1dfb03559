"""MkDocs hooks: add the archive's generated pages to the site. Thin: the package does the work.

`mkdocs build` and `mkdocs serve` parse the corpus here; `evidence build` hands over what it
has already parsed (evidence_archive.hooks_state), so all three build the same site.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

from evidence_archive import hooks_state
from evidence_archive.build import Built, open_data, parse_corpus
from evidence_archive.site import generated_pages

_built: list[Built] = []


def _roots(config) -> list[Path]:  # type: ignore[no-untyped-def]
    base = Path(config.config_file_path).parent
    dirs = config.extra.get("corpus_dirs") or ["corpus"]
    return [base / d for d in dirs]


def on_config(config):  # type: ignore[no-untyped-def]
    global _built
    _built = hooks_state.PRELOADED or parse_corpus(_roots(config))
    return config


def on_files(files: Files, config) -> Files:  # type: ignore[no-untyped-def]
    for path, content in {**generated_pages(_built), **open_data(_built)}.items():
        files.append(File.generated(config, path, content=content))
    return files


def on_serve(server, config, builder):  # type: ignore[no-untyped-def]
    for root in _roots(config):
        server.watch(str(root))
    return server
