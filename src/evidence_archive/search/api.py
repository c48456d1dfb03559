"""`evidence serve`: the built site and the evidence search API, on Starlette + uvicorn.

GET /api/search takes the same parameters as `evidence search` and answers the same hits, plus
the total and facet counts. GET /api/verify?q=QUOTE checks a quote (verify.py); GET /api/feed
takes the parameters of a search and answers an Atom feed of its paragraphs, newest first.
Every error is JSON of one shape: {"error": {"status", "message"}}.
A new index swapped in by `evidence build` is picked up on the next request, without a restart.

Searches are CPU work: they run in a small thread pool, off the event loop (which keeps serving
pages and health checks), at most SEARCH_THREADS at a time, with at most SEARCH_QUEUE waiting;
one more is refused at once with 503 and Retry-After rather than queued without end. Each
process keeps its last good answers, per index. `evidence serve --workers N` runs N such
processes on one port, each on its own socket (SO_REUSEPORT) with the read-only index open (its
files shared through the page cache), so that searches use every core.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from evidence_archive.errors import ArchiveError
from evidence_archive.search.contract import Backend, Filters, whole_number
from evidence_archive.search.searcher import Searcher
from evidence_archive.urls import site_url

log = logging.getLogger(__name__)


def error(status: int, message: str) -> JSONResponse:
    """The API's one error shape."""
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


def _expand(params: Any) -> bool:
    """Stemming, abbreviations and synonyms, unless the request asks for exact words."""
    return params.get("exact", "") not in ("1", "true", "yes")


def _fold(params: Any) -> bool:
    """At most a few paragraphs of one report among the hits, unless fold=0 asks for all."""
    return params.get("fold", "") not in ("0", "false", "no")


def _answer(make: Callable[[], Response]) -> Response:
    """The response, or the API's error: the status the error carries (a bad query 400, no
    readable index 503), its message naming no file of the server."""
    try:
        return make()
    except ArchiveError as err:
        return error(err.status, err.problem)


#: Searches running at once in one server process (threads; NumPy releases the GIL for part
#: of a search), and searches allowed to wait for one of them before the next is refused.
SEARCH_THREADS = 4
SEARCH_QUEUE = 64


#: Answers kept per server process (least recently asked out; about 50 KB each): the same
#: request to the same index is answered again from here, without searching.
ANSWERS_KEPT = 512


class Gate:
    """Runs blocking work off the event loop, SEARCH_THREADS at a time, refusing (503) work
    beyond SEARCH_QUEUE waiting; keeps the last `kept` good answers of each index."""

    def __init__(self, threads: int = SEARCH_THREADS, queue: int = SEARCH_QUEUE,
                 kept: int = ANSWERS_KEPT) -> None:  # fmt: skip
        self.limiter = anyio.CapacityLimiter(threads)
        self.most = threads + queue
        self.busy = 0
        self.kept = kept
        self.answers: OrderedDict[tuple[Any, ...], tuple[bytes, str | None]] = OrderedDict()

    async def run(self, make: Callable[[], Response], key: tuple[Any, ...] | None) -> Response:
        """The response of make() (key: what makes two requests the same, None if not to keep),
        run in a thread; or the kept answer; or 503 when too many wait already."""
        if key is not None and key in self.answers:
            self.answers.move_to_end(key)
            body, media_type = self.answers[key]
            return Response(body, media_type=media_type)
        if self.busy >= self.most:
            busy = error(503, "the server is busy with other searches: try again in a moment")
            busy.headers["Retry-After"] = "1"
            return busy
        self.busy += 1
        try:
            response = await anyio.to_thread.run_sync(_answer, make, limiter=self.limiter)
        finally:
            self.busy -= 1
        if key is not None and self.kept and response.status_code == 200:
            self.answers[key] = (bytes(response.body), response.media_type)
            while len(self.answers) > self.kept:
                self.answers.popitem(last=False)
        return response


def _limit(params: Any, default: int, most: int | None = None) -> int:
    limit = whole_number(params.get("limit"), "limit") or default
    return limit if most is None else min(limit, most)


def filters_from(params: Any) -> Filters:
    """Filters from query parameters (authority and grade may repeat)."""
    return Filters.from_params(params.getlist)


def make_app(out: Path, kept: int = ANSWERS_KEPT) -> Starlette:
    """The ASGI app serving OUT/site and the API over OUT/index (keeping `kept` answers)."""
    out = Path(out).resolve()
    state: dict[str, Backend] = {}
    gate = Gate(kept=kept)

    opening = threading.Lock()

    def searcher() -> Backend:
        """The one searcher of this process, opened by the first search that needs it."""
        if "s" not in state:
            with opening:
                if "s" not in state:
                    state["s"] = Searcher(out / "index")
        return state["s"]

    def same(request: Request, base: str) -> tuple[Any, ...] | None:
        """What makes two requests the same: the index they are answered from (None when
        there is none), the endpoint, the query string and the base of the URLs answered."""
        if "s" not in state:  # opened by the first search, in its thread
            return None
        stamp = state["s"].generation()
        return None if stamp is None else (stamp, request.url.path, request.url.query, base)

    async def api_search(request: Request) -> Response:
        params = request.query_params
        base = site_url() or str(request.base_url)
        return await gate.run(lambda: JSONResponse(searcher().search(
            params.get("q", ""), filters_from(params),
            limit=_limit(params, 20), expand=_expand(params), facets=True, base_url=base,
            fold=_fold(params),
        )), same(request, base))  # fmt: skip

    async def api_verify(request: Request) -> Response:
        from evidence_archive.search.verify import check_quote

        base = site_url() or str(request.base_url)
        return await gate.run(lambda: JSONResponse(check_quote(
            searcher(), request.query_params.get("q", ""), base_url=base
        )), same(request, base))  # fmt: skip

    async def api_feed(request: Request) -> Response:
        from urllib.parse import urlencode

        from evidence_archive.search.formats import search_feed

        params = request.query_params

        def feed() -> Response:
            s = searcher()
            result = s.search(
                params.get("q", ""), filters_from(params),
                limit=_limit(params, 50, 200), expand=_expand(params),
                base_url=site_url() or str(request.base_url), fold=False,
            )  # fmt: skip
            dated = {**result, "hits": [{**h, "date": s.documents[h["id"]]["date"]}
                                        for h in result["hits"]]}  # fmt: skip
            saved = urlencode(sorted(params.multi_items()))
            xml = search_feed(dated, saved, str(request.base_url))
            return Response(xml, media_type="application/atom+xml; charset=utf-8")

        return await gate.run(feed, same(request, str(request.base_url)))

    async def api_health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def backend(request: Request) -> Response:
        # The search page asks for this file first: a static host has no such file, and the
        # page then searches with the static index, sending nothing to /api.
        return JSONResponse({"api": True, "search": "/api/search", "verify": "/api/verify",
                             "feed": "/api/feed"})  # fmt: skip

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return error(404, f"no such endpoint: {request.url.path}")
        page = out / "site" / "404.html"
        if page.exists():
            return Response(page.read_bytes(), status_code=404, media_type="text/html")
        return Response("Not found", status_code=404)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return error(500, "internal error")

    async def api_unknown(request: Request) -> Response:
        return error(404, f"no such endpoint: {request.url.path}")

    routes = [
        Route("/search-backend.json", backend),
        Route("/api/search", api_search),
        Route("/api/verify", api_verify),
        Route("/api/feed", api_feed),
        Route("/api/health", api_health),
        Route("/api/{rest:path}", api_unknown),
        Mount("/", app=StaticFiles(directory=str(out / "site"), html=True, check_dir=False)),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error})


def _listening_socket(host: str, port: int, shared: bool = True) -> socket.socket:
    """A socket on host:port that the other workers bind too (SO_REUSEPORT, when shared): the
    kernel spreads new connections across the workers' sockets (one shared socket would leave
    them to whichever worker wakes first, and a client's kept-alive connections with it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ArchiveError(None, f"cannot serve on {host}:{port}: {err.strerror}") from err
    return sock


def _worker(out: str, host: str, port: int, kept: int) -> None:
    """One server process: the app over OUT on its own socket of the shared port."""
    import uvicorn

    sock = _listening_socket(host, port)
    config = uvicorn.Config(make_app(Path(out), kept), log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def serve(out: Path, host: str, port: int, workers: int = 1, kept: int = ANSWERS_KEPT) -> None:
    """Serve until interrupted, with `workers` processes (each with the index open, keeping
    `kept` answers)."""
    import uvicorn

    if not (out / "site" / "index.html").exists():
        raise ArchiveError(out, "no built site here: run `evidence build` first")
    if workers < 1:
        raise ArchiveError(None, "--workers must be at least 1")
    print(f"Serving the archive on http://{host}:{port}/ (search API: /api/search, "  # noqa: T201
          f"{workers} worker{'s' if workers > 1 else ''})")  # fmt: skip
    if workers == 1:
        uvicorn.run(make_app(out, kept), host=host, port=port, log_level="warning")
        return
    import multiprocessing
    import signal

    # The port is free (or the error says so): bound alone, as another server's would fail.
    _listening_socket(host, port, shared=False).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(str(Path(out).resolve()), host, port, kept))
             for _ in range(workers)]  # fmt: skip

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=10)
