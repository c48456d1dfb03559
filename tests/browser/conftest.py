"""Shared fixtures of the browser tests: headless Chromium, helpers, a free port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import CORPUS, ROOT, SEED_CORPUS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = Path(
    os.environ.get("AXE_JS", ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
)
SHOTS = ROOT / "test-output" / "screenshots"
JAR = "reports/hampshire/hampshire-2007-08-14-joint-area-review/"

needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1280,1000"):  # fmt: skip
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _open(driver, url: str, shot: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(url)
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    time.sleep(0.3)
    driver.save_screenshot(str(SHOTS / f"{shot}.png"))


@contextlib.contextmanager
def serving(out: Path) -> Iterator[str]:
    """`evidence serve` of a built OUT on a free loopback port; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "evidence_archive.cli",
            "serve",
            "--out",
            str(out),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("evidence serve did not start: " + proc.stderr.read().decode())  # type: ignore[union-attr]
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def static_serving(site: Path) -> Iterator[str]:
    """The built site served by a plain static file server (Python's http.server), as a static
    host serves it: no API, no search service. Yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the static file server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def axe_violations(driver) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """axe-core's WCAG 2.0-2.2 A and AA violations of the page now shown (id, impact, nodes)."""
    driver.execute_script(AXE.read_text())
    return driver.execute_async_script(  # type: ignore[no-any-return]
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa']}}).then(r => done(r.violations.map(v => ({id: v.id,"
        " impact: v.impact, nodes: v.nodes.length, target: v.nodes[0].target}))));"
    )


#: Real reports added to the seeds for the browser tests: Hampshire then has four inspections,
#: and two of these are judged inadequate overall.
REPORTS = (
    "kent/kent-2022-05-20-ilacs-inspection",
    "hampshire/hampshire-2024-06-14-ilacs-inspection",
    "middlesbrough/middlesbrough-2019-12-06-ilacs-inspection",
    "havering/havering-2023-12-22-ilacs-inspection",
    "norfolk/norfolk-2013-08-16-looked-after-children-inspection",
)


@pytest.fixture(scope="session")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seeds and four real reports, built as `evidence build` builds them (site, index,
    static search); the folder holds corpus/ and out/."""
    from evidence_archive.pipeline import build

    root = tmp_path_factory.mktemp("small-archive")
    corpus = root / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    for stem in REPORTS:
        (corpus / stem.split("/")[0]).mkdir(exist_ok=True)
        for suffix in (".txt", ".yml", ".ids"):
            shutil.copy2(CORPUS / f"{stem}{suffix}", corpus / f"{stem}{suffix}")
    build([corpus], root / "out")
    return root
