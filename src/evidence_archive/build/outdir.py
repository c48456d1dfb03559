"""The output folder: built in a temporary folder beside it and swapped in whole, so a failed
build publishes nothing; only a folder this tool made may be replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from evidence_archive.errors import ArchiveError

MARKER = ".evidence-build"
"""A file in every OUT this tool wrote: only such a folder may ever be replaced by a build."""


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
        remove_tree(tmp)  # tmp now holds the previous build
        return
    old: Path | None = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        remove_tree(old)


def remove_tree(folder: Path) -> None:
    """Remove a folder and everything in it, errors ignored. The entries two levels down are
    shared between this process and a forked one: removing the last build (77,000 files at
    5,000 reports, most of it the kernel's time, file by file) takes 1.0 s alone, 0.7 s so."""
    from evidence_archive.proc import Forked

    try:
        paths = sorted(
            sub.path
            for top in os.scandir(folder)
            for sub in (os.scandir(top.path) if top.is_dir(follow_symlinks=False) else [top])
        )
    except OSError:
        paths = []
    if len(paths) > 1:
        other = Forked(lambda: _remove(paths[0::2]))
        _remove(paths[1::2])
        with contextlib.suppress(ArchiveError):  # what it left is removed below
            other.result()
    shutil.rmtree(folder, ignore_errors=True)


def _remove(paths: list[str]) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


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


MANIFEST = "manifest.json"
"""OUT/manifest.json: what the build was made from (code version, document keys, site pages),
read by the next build to decide what it can reuse."""


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The previous build's manifest, if OUT holds a complete build this tool made."""
    try:
        if not (out / MARKER).is_file():
            return None
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def default_cache(out: Path) -> Path:
    """Where a build keeps its parse cache unless told: beside OUT, e.g. '.build-cache'."""
    return out.parent / f".{out.name}-cache"
