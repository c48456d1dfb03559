"""Child processes of a build die with it: a killed build leaves no writer behind."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

from evidence_archive.errors import ArchiveError


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (kept across exec); elsewhere a
    no-op."""
    import ctypes
    import ctypes.util
    import signal

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Forked:
    """A job run in a forked child process (which dies with this one) while this process goes
    on; result() waits for it and returns its value (picklable), or raises its failure here as
    an ArchiveError. It forks only while this process runs no other thread (a lock another
    thread held would stay held in the child): with other threads (`mkdocs serve`), or without
    fork (not Linux or macOS), the job runs here, at once."""

    def __init__(self, job: Callable[[], Any]) -> None:
        self._done: tuple[str, Any] | None = None
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            self._done = _outcome(job)
            return
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)

        def child() -> None:
            die_with_parent()
            send.send(_outcome(job))

        self._proc = ctx.Process(target=child)
        self._proc.start()
        send.close()

    def result(self) -> Any:
        if self._done is None:
            try:
                self._done = self._receive.recv()
            except EOFError:
                self._done = ("error", ArchiveError(None, "a build process died"))
            self._proc.join()
            self._receive.close()
        status, value = self._done
        if status == "error":
            raise value
        return value

    def stop(self) -> None:
        """Kill the child if it is still running (a build that fails elsewhere)."""
        if self._done is None:
            self._proc.kill()
            self._proc.join()
            self._receive.close()
            self._done = ("error", ArchiveError(None, "stopped"))


def _outcome(job: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", job())
    except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
        problem = err if isinstance(err, ArchiveError) else ArchiveError(None, repr(err))
        return ("error", ArchiveError(problem.path, problem.problem))
