"""Atomic publishing: a build killed with SIGKILL at any point leaves the previous site and index
intact and still served; the next build cleans up after it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from evidence_archive.build.outdir import MARKER
from evidence_archive.pipeline import build

from .conftest import stable_files


def _snapshot(out: Path) -> dict[str, bytes]:
    return stable_files(
        {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    )


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as r:
        r.read()
        return int(r.status)


def _processes_naming(marker: str) -> list[int]:
    """Processes (but this one) whose command line names marker: a killed build's children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("kill_after", [0.3, 1.0, 2.0, 3.5, 5.0])
def test_sigkill_leaves_the_previous_build_served(
    tmp_path: Path, corpus_copy: Path, kill_after: float
) -> None:
    out = tmp_path / "out"
    build([corpus_copy], out)
    before = _snapshot(out)
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "evidence_archive.cli", "serve", "--out", str(out),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                _get(base + "api/health")
                break
            except OSError:
                time.sleep(0.1)
        proc = subprocess.Popen([sys.executable, "-m", "evidence_archive.cli", "build", "--corpus",
                                 str(corpus_copy), "--out", str(out), "--clean"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(kill_after)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # Nothing of the killed build runs on: its parse and index workers, the index and
        # database processes and the site's die with it (PR_SET_PDEATHSIG).
        # (and the `cp -al` linking the last site into the build's temporary folder).
        markers = (str(corpus_copy), str(tmp_path / ".out.tmp-"))
        for _ in range(100):
            if not any(_processes_naming(m) for m in markers):
                break
            time.sleep(0.05)
        assert [_processes_naming(m) for m in markers] == [[], []]
        if not finished:
            now = _snapshot(out)
            if now != before:
                # The build swapped its output in just before the kill landed: then OUT is the
                # whole new build (the same pages; index segments have new names), never a part.
                def pages(snap: dict[str, bytes]) -> dict[str, bytes]:
                    return {k: v for k, v in snap.items() if not k.startswith("index/")}

                assert pages(now) == pages(before)
                assert "index/archive.json" in now
            else:
                assert now == before  # the previous build, every byte
        assert (out / MARKER).is_file()
        assert _get(base) == 200
        assert _get(base + "reports/hampshire/hampshire-2007-08-14-joint-area-review/") == 200
        assert _get(base + "api/search?q=young+carers") == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    # The next build succeeds and removes what the killed one left behind.
    build([corpus_copy], out)
    assert not list(tmp_path.glob(".out.tmp-*"))
    assert _snapshot(out).keys() - before.keys() <= {
        k for k in _snapshot(out) if k.startswith("index/")
    }
