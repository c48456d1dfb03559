"""MkDocs hooks: add the archive's generated pages to the site. Thin: the package does the work.

`evidence build` hands over the documents it has parsed and the files it has made (one
evidence_archive.site.mkdocs.Generation); `mkdocs build` and `mkdocs serve` make one from the
corpus here. So all three build the same site, and another site generator needs only the
Generation's files.
"""

from __future__ import annotations

from evidence_archive.site.mkdocs import Generation, corpus_roots, generation_for

_gen: Generation | None = None


def on_config(config):  # type: ignore[no-untyped-def]
    global _gen
    _gen = generation_for(config)
    return config


def on_files(files, config):  # type: ignore[no-untyped-def]
    assert _gen is not None
    return _gen.add_files(files, config)


def on_nav(nav, config, files):  # type: ignore[no-untyped-def]
    assert _gen is not None
    _gen.record_nav(nav, files)
    return nav


def on_env(env, config, files):  # type: ignore[no-untyped-def]
    assert _gen is not None
    _gen.before_writing(config, files, env)
    return env


def on_post_build(config):  # type: ignore[no-untyped-def]
    from pathlib import Path

    assert _gen is not None
    _gen.index_static_search(Path(config.site_dir))


def on_serve(server, config, builder):  # type: ignore[no-untyped-def]
    for root in corpus_roots(config):
        server.watch(str(root))
    return server
