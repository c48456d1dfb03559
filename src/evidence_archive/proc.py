"""Child processes of a build die with it: a killed build leaves no writer behind."""

from __future__ import annotations


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
