"""Writing a file so that a reader sees the old bytes or the new, never half of them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write data (text as UTF-8) to a temporary file beside path, then rename it over path."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def link_or_copy(src: str, dst: str) -> None:
    """Hard-link src at dst (a copy that costs no bytes; shutil.copytree's copy_function), or
    copy it where no hard link can be made (another file system)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
