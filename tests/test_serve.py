"""`evidence serve`: searches off the event loop with a bound (503 beyond it), answers kept per
index, and several worker processes on one port that stop together."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from starlette.responses import JSONResponse, Response

from evidence_archive.search.api import Gate


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gate_refuses_beyond_its_bound_and_keeps_answers() -> None:
    calls: list[str] = []

    def slow(name: str) -> Response:
        calls.append(name)
        time.sleep(0.3)
        return JSONResponse({"name": name})

    async def scenario() -> list[Response]:
        gate = Gate(threads=1, queue=1, kept=8)
        # Two may run or wait; a third at the same time is refused at once.
        first = asyncio.create_task(gate.run(lambda: slow("a"), ("a",)))
        second = asyncio.create_task(gate.run(lambda: slow("b"), ("b",)))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        third = await gate.run(lambda: slow("c"), ("c",))
        refused_in = time.perf_counter() - started
        assert refused_in < 0.1
        done = [await first, await second, third]
        # The same request again is answered from what was kept, without running.
        again = await gate.run(lambda: slow("a"), ("a",))
        # A refusal or a request not to keep is never kept.
        assert ("c",) not in gate.answers
        return [*done, again]

    first, second, third, again = asyncio.run(scenario())
    assert first.status_code == second.status_code == 200
    assert third.status_code == 503
    assert third.headers["Retry-After"] == "1"
    assert b"busy" in third.body
    assert again.status_code == 200 and again.body == first.body
    assert calls == ["a", "b"]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return {int(p) for p in out.stdout.split()}


def test_workers_share_the_port_and_stop_together(tmp_path: Path, corpus_copy: Path) -> None:
    from evidence_archive.pipeline import build

    out = tmp_path / "out"
    build([corpus_copy], out)
    port = _port()
    cmd = [sys.executable, "-m", "evidence_archive.cli", "serve", "--out", str(out),
           "--port", str(port), "--workers", "2"]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                if _get(base + "api/health")[0] == 200:
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                time.sleep(0.1)
        workers = _children(server.pid)
        workers = {w for w in workers if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()}
        assert len(workers) == 2
        status, body = _get(base + "api/search?q=young+carers")
        assert status == 200 and b'"hits"' in body
        assert _get(base + "api/search?q=%22unbalanced")[0] == 400
        assert _get(base)[0] == 200
        # A second server on the same port is refused with a clear message, not let in.
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"cannot serve on 127.0.0.1:{port}" in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    time.sleep(0.5)
    assert all(not os.path.exists(f"/proc/{w}") for w in workers)
