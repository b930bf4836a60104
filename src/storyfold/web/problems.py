"""Errors as answers: the HTTP errors the service raises, and RFC 9457 problem details for
the API or a plain page for browsers.

Every error answer passes through one `respond`, which also takes the store's file path out
of the detail (store messages name it for the CLI's user; an HTTP client has no use for it).
"""

from __future__ import annotations

import logging
import os
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyfold.errors import NotFound, StoreError, StoryfoldError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class HTTPProblem(StoryfoldError):
    """An error with the HTTP status and problem type it answers with."""

    def __init__(self, detail: str, kind: str, status: int) -> None:
        super().__init__(detail)
        self.kind = kind
        self.status = status


class BadRequest(HTTPProblem):
    """Input a client can fix: the message says how."""

    def __init__(self, detail: str, kind: str = "bad-request", status: int = 400) -> None:
        super().__init__(detail, kind, status)


class WriteFailed(HTTPProblem):
    """The store failed while writing an article; the server's story index was reloaded from
    the store, so a retry starts from what is really stored."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "write-failed", 503)


class Merged(HTTPProblem):
    """A story id that consolidation merged into another story: the API answers 404 naming
    the story it became (`merged_into`), the pages redirect there."""

    def __init__(self, story_id: str, merged_into: str) -> None:
        super().__init__(f"story {story_id!r} was merged into story {merged_into!r}; "
                         f"it is at /api/stories/{merged_into}", "story-merged", 404)
        self.merged_into = merged_into


def problem(status: int, detail: str, kind: str | None = None,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None,
            extra: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}" if kind else "about:blank",
        "title": HTTPStatus(status).phrase, "status": status, "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path == "/api" or path.startswith("/openapi"))


def _store_paths(store_url: str) -> list[str]:
    """The spellings of the store's location that a store message may carry, longest first."""
    path = store_url
    for prefix in ("sqlite:///", "sqlite://"):
        if store_url.startswith(prefix):
            path = store_url[len(prefix):]
            break
    spellings = {store_url, path}
    if path and path != ":memory:":
        spellings |= {os.path.abspath(path), os.path.realpath(path)}
    return sorted((s for s in spellings if len(s) > 1), key=len, reverse=True)


def redact(detail: str, paths: list[str]) -> str:
    """A store message without the server's file paths (a client has no use for them, and
    they tell an attacker the layout): each spelling of the store's path becomes "the store"."""
    for p in paths:
        detail = detail.replace(repr(p), "the store").replace(p, "the store")
    return detail


def install_error_handlers(app: FastAPI, store_url: str) -> None:
    from storyfold.web.pages import error_page

    paths = _store_paths(store_url)

    def respond(request: Request, status: int, detail: str, kind: str | None = None,
                errors: list[dict[str, Any]] | None = None,
                headers: dict[str, str] | None = None,
                extra: dict[str, Any] | None = None) -> Response:
        detail = redact(detail, paths)  # every error answer passes here
        if _wants_page(request):
            return error_page(request, status, detail)
        return problem(status, detail, kind, errors, headers, extra)

    @app.exception_handler(HTTPProblem)
    async def http_problem(request: Request, exc: HTTPProblem) -> Response:
        if isinstance(exc, Merged):
            where = f"/api/stories/{exc.merged_into}"
            return respond(request, exc.status, str(exc), exc.kind,
                           headers={"Link": f'<{where}>; rel="alternate"'},
                           extra={"merged_into": exc.merged_into, "location": where})
        return respond(request, exc.status, str(exc), exc.kind)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return respond(request, 404, str(exc), "not-found")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        # the store failed (disk, lock, schema): not the client's to fix, but worth a retry
        log.warning("store error on %s %s: %s", request.method, request.url.path, exc)
        return respond(request, 503, str(exc), "store-unavailable")

    @app.exception_handler(StoryfoldError)
    async def storyfold_error(request: Request, exc: StoryfoldError) -> Response:
        return respond(request, 400, str(exc), "storyfold-error")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
                  for e in exc.errors()]
        detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "invalid request"
        return respond(request, 422, detail, "validation-error", errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}; see /docs for the API"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs"
        return respond(request, exc.status_code, detail, None, None,
                       dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error; the server log has the details",
                       "internal-error")
