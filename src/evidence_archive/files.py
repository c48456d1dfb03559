"""Writing a file so that a reader sees the old bytes or the new, never half of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
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


class LinkedTree:
    """A copy of the folder src at dst (which must not exist) made of hard links to its files
    (symbolic links copied as links), or of copies where no hard link can be made: begun at
    once, finished by done(), undone by stop(). Nothing may touch dst before done(). GNU cp
    makes it in a process of its own where there is one (`cp -al`: a quarter less time than
    shutil.copytree over the 65,000 files of a 5,000-report site, the time being the
    kernel's), so that it runs while the caller works; shutil.copytree in done() elsewhere."""

    def __init__(self, src: Path, dst: Path) -> None:
        self.src, self.dst = src, dst
        self._proc: subprocess.Popen[bytes] | None = None
        self._done = False
        if os.name == "posix" and shutil.which("cp"):
            from evidence_archive.proc import die_with_parent

            # cp dies with this process (a killed build leaves nothing running); a function
            # run between fork and exec is safe only while no other thread runs.
            alone = threading.active_count() == 1
            self._proc = subprocess.Popen(
                ["cp", "-al", "--", str(src), str(dst)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=die_with_parent if alone else None,  # noqa: PLW1509
            )

    def done(self) -> None:
        """Wait for the copy to be whole (made by copytree if cp could not)."""
        if self._done:
            return
        if self._proc is not None and self._proc.wait() == 0:
            self._done = True
            return
        shutil.rmtree(self.dst, ignore_errors=True)  # another cp, or another file system
        shutil.copytree(self.src, self.dst, symlinks=True, copy_function=link_or_copy)
        self._done = True

    def stop(self) -> None:
        """Stop the copy and remove what it made (the work it was for failed)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
        shutil.rmtree(self.dst, ignore_errors=True)
        self._done = True
