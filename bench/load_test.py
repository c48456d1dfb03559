"""Load test on loopback: N concurrent clients against `evidence serve` for a bounded time, with
mixed queries (some malformed) and page requests, and a new build swapped in mid-run.

Usage: python bench/load_test.py [--clients 50] [--seconds 60] [--out DIR]
Only 127.0.0.1 is ever contacted. Prints a Markdown table; exits 1 on any server error or
dropped connection.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
GOOD = [
    "young carers",
    "care leavers",
    '"bed and breakfast"',
    "CAMHS",
    "NEET",
    "adolesc*",
    "looked after children health",
    "social work vacancies",
    "Gooshays",
    "care leavers NOT Hampshire",
    "missing from home",
    "child sexual exploitation",
    "private fostering",
    "management oversight",
    "agency social workers",
    "caseloads too high",
    "return home interviews",
    "pre-proceedings",
    "life story work",
    "staying put",
    "early help assessment",
    "MASH thresholds",
    "LADO allegations",
    "children in care council",
    "personal education plans",
    "corporate parenting board",
    "disabled children short breaks",
    "youth offending",
    "domestic abuse",
    "neglect toolkit",
]
COUNCILS = ["hampshire", "havering", "lambeth", "doncaster", "surrey", "norfolk", "leeds"]
BAD = ['"unbalanced', "(open", "AND", "colour:red", "", "x" * 2000]
PAGES = [
    "",
    "authorities/",
    "authorities/hampshire/",
    "comparison/",
    "reports/hampshire/hampshire-2007-08-14-joint-area-review/",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def client(base: str, until: float, rng: random.Random, stats: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.6:
                url, params, expect = "/api/search", {"q": rng.choice(GOOD)}, 200
                if rng.random() < 0.3:
                    params["authority"] = rng.choice(COUNCILS)
            elif roll < 0.8:
                url, params, expect = "/api/search", {"q": rng.choice(BAD)}, 400
            else:
                url, params, expect = "/" + rng.choice(PAGES), {}, 200
            start = time.perf_counter()
            try:
                r = await http.get(url, params=params)
                stats["latency"].append((time.perf_counter() - start) * 1000)
                stats["status"][r.status_code] += 1
                if r.status_code != expect:
                    stats["unexpected"][f"{r.status_code} for {url} {params}"[:100]] += 1
            except httpx.HTTPError as err:
                stats["dropped"][type(err).__name__] += 1


async def run(base: str, clients: int, seconds: float, rebuild) -> dict:  # type: ignore[no-untyped-def]
    stats: dict = {
        "latency": [],
        "status": Counter(),
        "dropped": Counter(),
        "unexpected": Counter(),
    }
    until = time.monotonic() + seconds
    tasks = [
        asyncio.create_task(client(base, until, random.Random(n), stats)) for n in range(clients)
    ]
    await asyncio.sleep(seconds / 2)
    stats["swap_seconds"] = await asyncio.to_thread(rebuild)
    await asyncio.gather(*tasks)
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--keep-answers", type=int, default=512,
                    help="answers the server keeps (0: every search computed)")  # fmt: skip
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        corpus, out = Path(d) / "corpus", Path(d) / "out"
        shutil.copytree(ROOT / "corpus", corpus)
        cli = [sys.executable, "-m", "evidence_archive.cli"]
        subprocess.run(
            [*cli, "build", "--corpus", str(corpus), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [
                *cli,
                "serve",
                "--out",
                str(out),
                "--port",
                str(port),
                "--keep-answers",
                str(args.keep_answers),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def rebuild() -> float:
            # At low priority, as a server that also rebuilds should run its builds: the build
            # still takes what the searches leave of both cores.
            start = time.perf_counter()
            subprocess.run(
                ["nice", "-n", "10", *cli, "build", "--corpus", str(corpus), "--out", str(out)],
                check=True,
                capture_output=True,
            )
            return time.perf_counter() - start

        try:
            started = time.perf_counter()
            stats = asyncio.run(run(base, args.clients, args.seconds, rebuild))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
    lat = sorted(stats["latency"])
    total = len(lat)
    errors = sum(n for code, n in stats["status"].items() if code >= 500)
    dropped = sum(stats["dropped"].values())
    unexpected = sum(stats["unexpected"].values())
    half, swap = args.seconds / 2, stats["swap_seconds"]
    print(
        f"{args.clients} clients, {elapsed:.0f} s, a rebuild swapped in at {half:.0f} s "
        f"(took {swap:.1f} s); answers kept: {args.keep_answers}\n"
    )
    print(
        "| requests | per second | p50 ms | p95 ms | server errors (5xx) | dropped | unexpected |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {total} | {total / elapsed:.0f} | {statistics.median(lat):.0f} | "
        f"{lat[int(0.95 * (total - 1))]:.0f} | {errors} | {dropped} | {unexpected} |"
    )
    print("\nstatus counts:", dict(sorted(stats["status"].items())))
    for what, n in stats["unexpected"].most_common(5):
        print("unexpected:", n, what)
    return 1 if errors or dropped or stats["unexpected"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
