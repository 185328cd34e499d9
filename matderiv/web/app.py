"""The local web page and its JSON API, as a Starlette application.

``GET /`` is the page; ``/static/`` its script, style and KaTeX (all shipped in the
wheel: the page loads nothing from another host, and says so in its Content Security
Policy). ``POST /api/derive``, ``/api/check``, ``/api/codegen``, ``/api/latex``,
``/api/pdf`` and ``/api/parse`` take a JSON object and answer JSON (the PDF as its
bytes); bad input is HTTP 400 ``{"error": "..."}`` with the CLI's one-line message.
A body is at most ``MAX_BODY`` bytes and ``MAX_NESTING`` brackets deep, and each request
runs in a worker process under a time limit (``workers``).

>>> from starlette.testclient import TestClient
>>> client = TestClient(create_app(hosts=("testserver",)))
>>> client.post("/api/derive", json={"formula": "W*"}).json()["error"]
"the request needs 'wrt'"
"""

from __future__ import annotations

import contextlib
import json
import pathlib

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..api.examples import EXAMPLES
from ..api.jsonable import strict
from ..errors import MatDerivError
from .workers import Workers

STATIC = pathlib.Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024
MAX_NESTING = 8
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")

#: Everything from this server, nothing from another host. KaTeX sets inline styles.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: blob:; font-src 'self'; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _nesting(text: str) -> int:
    """How deep the brackets of a JSON text go (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _cross_site(request: Request) -> str | None:
    """Why a POST may come from another site's page, or None.

    A page elsewhere can send a "simple" POST (text/plain, no preflight) to a server on
    this machine; asking for application/json forces the browser's CORS preflight, which
    this server never grants, and an Origin other than this server's own is refused.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return "the request body must be sent as Content-Type: application/json"
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host')}":
        return "a request from another site's page is refused"
    return None


async def _read_json(request: Request):
    """The request's JSON body, within the bounds; MatDerivError otherwise."""
    why = _cross_site(request)
    if why:
        raise MatDerivError(why)
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise MatDerivError(f"the request body is larger than {MAX_BODY // 1024} KB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise MatDerivError(f"the request body is larger than {MAX_BODY // 1024} KB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MatDerivError("the request body is not UTF-8 text") from None
    if _nesting(text) > MAX_NESTING:
        raise MatDerivError(f"the request's JSON is nested more than {MAX_NESTING} deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise MatDerivError(f"the request body is not JSON ({error})") from None


def _json(status: int, data: dict) -> JSONResponse:
    # strict: a wrong claim's value may be NaN or inf, which plain JSON cannot hold
    return JSONResponse(strict(data), status_code=status, headers=HEADERS)


def create_app(*, workers: Workers | None = None, hosts=LOOPBACK) -> Starlette:
    """The application; ``hosts`` are the Host headers it answers (against DNS
    rebinding, a loopback server answers only its loopback names)."""
    workers = workers or Workers()

    def endpoint(task: str):
        async def handle(request: Request) -> Response:
            try:
                payload = await _read_json(request)
            except MatDerivError as error:
                return _json(400, {"error": error.one_line()})
            status, answer = await anyio.to_thread.run_sync(workers.run_blocking, task,
                                                            payload)
            if task == "pdf" and status == 200:
                return Response(answer["pdf"], media_type="application/pdf", headers={
                    **HEADERS, "Content-Disposition": 'attachment; filename="proof.pdf"'})
            return _json(status, answer)
        return handle

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={**HEADERS,
                                                            "Cache-Control": "no-cache"})

    async def examples(request: Request) -> Response:
        return _json(200, {"examples": EXAMPLES})

    async def http_error(request: Request, error: HTTPException) -> Response:
        return _json(error.status_code, {"error": error.detail})

    routes = [Route("/", page), Route("/api/examples", examples),
              *(Route(f"/api/{task}", endpoint(task), methods=["POST"])
                for task in ("derive", "check", "codegen", "latex", "pdf", "parse")),
              Mount("/static", StaticFiles(directory=STATIC), name="static")]
    middleware = [] if "*" in hosts else [
        Middleware(TrustedHostMiddleware, allowed_hosts=[h.strip("[]") for h in hosts])]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await anyio.to_thread.run_sync(workers.start)
        yield

    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: http_error}, lifespan=lifespan)
