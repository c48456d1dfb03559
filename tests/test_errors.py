"""Errors as users meet them: the API's one error shape and status on every endpoint (400 for a
bad request, 503 with no readable index, 404 for no such endpoint), and a bug inside a worker
reported as a bug, naming the document, with its traceback (never as bad input)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from evidence_archive.build import parsing
from evidence_archive.errors import IndexUnavailable, QueryError, WorkerFailure
from evidence_archive.search.api import make_app

from .conftest import SEED_CORPUS, run_cli

ENDPOINTS = ("/api/search", "/api/verify", "/api/feed")


def _shape(r) -> dict:  # type: ignore[no-untyped-def]
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == r.status_code
    return body["error"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_index_is_503_on_every_endpoint(tmp_path: Path, endpoint: str) -> None:
    (tmp_path / "site").mkdir()
    client = TestClient(make_app(tmp_path))
    r = client.get(endpoint, params={"q": "care leavers"})
    assert r.status_code == 503
    err = _shape(r)
    assert "evidence build" in err["message"] and str(tmp_path) not in err["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_damaged_index_is_503_on_every_endpoint(
    search_build: Path, tmp_path: Path, endpoint: str
) -> None:
    out = tmp_path / "out"
    shutil.copytree(search_build / "index", out / "index")
    (out / "index" / "archive.json").write_text("{not json", encoding="utf-8")
    r = TestClient(make_app(out)).get(endpoint, params={"q": "care leavers"})
    assert r.status_code == 503
    assert "cannot be read" in _shape(r)["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_bad_request_is_400_on_every_endpoint(search_build: Path, endpoint: str) -> None:
    client = TestClient(make_app(search_build))
    for params in ({"q": ""}, {"q": '"unclosed'} if endpoint != "/api/verify" else {"q": " "}):
        r = client.get(endpoint, params=params)
        assert r.status_code == 400, (endpoint, params)
        assert _shape(r)["message"]
    if endpoint != "/api/verify":
        r = client.get(endpoint, params={"q": "care", "limit": "lots"})
        assert r.status_code == 400 and "limit must be a whole number" in _shape(r)["message"]
        r = client.get(endpoint, params={"q": "care", "from": "2010s"})
        assert r.status_code == 400 and "from must be a whole number" in _shape(r)["message"]


def test_unknown_endpoints_are_404_in_the_same_shape(search_build: Path) -> None:
    client = TestClient(make_app(search_build))
    for path in ("/api/nowhere", "/api/search/extra"):
        r = client.get(path)
        assert r.status_code == 404 and path in _shape(r)["message"]
    assert client.get("/api/health").json() == {"status": "ok"}


def test_errors_carry_their_http_status() -> None:
    assert QueryError(None, "x").status == 400
    assert IndexUnavailable(None, "x").status == 503


def test_a_bug_in_a_parse_worker_names_the_document_and_keeps_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)

    def broken(doc):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("a bug in the renderer")

    monkeypatch.setattr(parsing, "render_body", broken)
    with pytest.raises(WorkerFailure) as caught:
        parsing.parse_corpus([corpus])  # in this process: the same wrapping as in a worker
    err = caught.value
    assert err.path.endswith(".txt") and Path(err.path).parent.parent == corpus
    assert "ZeroDivisionError: a bug in the renderer" in err.trace
    assert "render_body" in err.trace or "broken" in err.trace


def test_the_cli_reports_a_worker_bug_as_a_bug_with_the_traceback(tmp_path: Path) -> None:
    # A corpus whose text makes the (real) pipeline fail would be bad input; a bug needs code that
    # fails, so the CLI is run on a package whose parser raises, through a sitecustomize hook.
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "from evidence_archive.build import parsing\n"
        "def broken(doc):\n    raise KeyError('no such field')\n"
        "parsing.render_body = broken\n",
        encoding="utf-8",
    )
    import os

    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{hook}{os.pathsep}{env_path}" if env_path else str(hook)
    try:
        r = run_cli("build", "--corpus", str(corpus), "--out", str(tmp_path / "out"),
                    "--no-site", "--no-index", "--jobs", "2")  # fmt: skip
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            del os.environ["PYTHONPATH"]
    assert r.returncode == 70, r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("error: ") and ".txt: unexpected error" in first and "bug" in first
    assert "Traceback" in r.stderr and "KeyError: 'no such field'" in r.stderr
    assert not (tmp_path / "out").exists()


def test_the_documented_hit_is_the_contract() -> None:
    """README's list of a hit's fields is search.contract.Hit, field for field, in order."""
    import re

    from evidence_archive.search.contract import HIT_FIELDS, Hit

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("The JSON of a hit")
    said = re.findall(r"`(\w+)`", readme[start : readme.index("\n\n", start)])
    assert tuple(said) == HIT_FIELDS == tuple(Hit.__annotations__)
