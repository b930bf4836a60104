"""`storyfold serve`: the JSON API and the web pages from one process (FastAPI + uvicorn).

Why one process: a reader, an analyst and a script all look at the same store through the
same view functions (`views.story_json` is what `storyfold story ID --json` prints), so the
page, the API and the CLI cannot disagree.

Errors are RFC 9457 problem details (`type`, `title`, `status`, `detail`) for the API and a
plain page for browsers; anything a client can send gets a 4xx that says what to change.
Every response carries a Content-Security-Policy that forbids inline script and any other
origin: the pages escape everything, never render article HTML, and this is the second wall.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import date
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from storyfold import __version__
from storyfold.errors import StoreError
from storyfold.native_memory import settle
from storyfold.settings import DEFAULTS, Settings
from storyfold.settings_load import SETTINGS_ENV
from storyfold.web.problems import PROBLEM, install_error_handlers, problem
from storyfold.web.service import Services

log = logging.getLogger(__name__)

TOKEN_ENV = "STORYFOLD_TOKEN"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


# ---- response models (the OpenAPI schema; story objects are views.story_json) -----------------
class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["/problems/not-found"])
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
    merged_into: str | None = Field(
        None, description="On a 404 for a story merged into another: that story's id.")
    location: str | None = Field(
        None, description="On a 404 for a merged story: where the story is now.")


class StoryList(BaseModel):
    stories: list[dict[str, Any]]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last page.")


class SnippetPiece(BaseModel):
    text: str
    match: bool


class SearchArticle(BaseModel):
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None


class SearchResult(BaseModel):
    article: SearchArticle
    story_id: str | None
    score: float = Field(description="Reciprocal-rank-fusion score (higher is better).")
    text_rank: int | None = Field(description="Rank in the BM25 full-text results, if any.")
    semantic_rank: int | None = Field(description="Rank by embedding similarity, if any.")
    similarity: float | None
    snippet: list[SnippetPiece]


class SearchResults(BaseModel):
    query: str
    results: list[SearchResult]


class SimilarStory(BaseModel):
    id: str
    headline: str | None
    first_seen: str | None
    size: int
    score: float
    embedding_similarity: float
    shared_names: list[str]


class SimilarStories(BaseModel):
    story_id: str
    similar: list[SimilarStory]


class ArticleDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    story_id: str | None
    source: str | None
    url: str | None
    title: str | None
    published: str | None
    text: str
    role: str
    derived_from: str | None
    links: list[dict[str, Any]]
    removed: list[dict[str, str]]
    captions: list[str]


class IngestResult(BaseModel):
    article_id: str
    added: bool = Field(description="False when the same article was already stored.")
    story: dict[str, Any]


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": Problem, "content": {PROBLEM: {}},
                "description": HTTPStatus(c).phrase} for c in codes}


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task overhead): security headers on everything."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names
                ]
            await send(message)

        await self.app(scope, receive, wrapped)


# ---- the app --------------------------------------------------------------------------------
def create_app(store_url: str, *, token: str | None = None, warm: bool = True,
               settings: Settings = DEFAULTS) -> FastAPI:
    """The whole server for one store. `token` defaults to $STORYFOLD_TOKEN; without one the
    write endpoints answer 403. `warm` loads the embedding model in the background at start."""
    services = Services(store_url, token=token if token is not None
                        else os.environ.get(TOKEN_ENV) or None, settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # bounded threads and arenas: the server's memory follows its work (native_memory.py)
        settle(settings.memory)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.serve.threads
        if warm:
            import threading

            threading.Thread(target=services.warm, name="storyfold-warm", daemon=True).start()
        yield
        services.close_writer()
        services.close()

    app = FastAPI(
        title="storyfold", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # /docs is a plain server-rendered page (no CDN)
        description="Stories folded from many outlets' articles: who had it first, who copied "
                    "or rewrote whom, and where the rewrites drift. Story objects have the "
                    "shape that `storyfold story ID --json` prints. A story merged into "
                    "another keeps its id working: `GET /api/stories/{old}` answers 404 with "
                    "`merged_into` (the story it became) and `location` (its URL), and the "
                    "page `/stories/{old}` redirects (301) to the new story's page.",
    )
    app.state.services = services
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app, store_url)
    _api_routes(app, services)
    from storyfold.web.feeds_out import mount_feeds
    from storyfold.web.pages import mount_pages

    mount_feeds(app, services)

    mount_pages(app)
    return app


bearer = HTTPBearer(auto_error=False, description=f"The server's ${TOKEN_ENV}.")


Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1–100).")]


def _api_routes(app: FastAPI, services: Services) -> None:
    @app.get("/api/stories", response_model=StoryList, tags=["stories"],
             responses=_problems(400, 422, 503))
    def list_stories(
        q: Annotated[str | None, Query(max_length=500,
                                       description="Words an article of the story contains.")
                     ] = None,
        since: Annotated[date | None, Query(description="Stories active on or after (UTC).")
                         ] = None,
        until: Annotated[date | None, Query(description="Stories begun on or before (UTC).")
                         ] = None,
        source: Annotated[str | None, Query(max_length=300, description="Outlet name.")] = None,
        lang: Annotated[str | None, Query(
            max_length=12, pattern=r"^[A-Za-z]{2,3}$",
            description="Language code (de, en, …): stories with an article in it.")] = None,
        limit: Limit = 20,
        cursor: Annotated[str | None, Query(max_length=2000,
                                            description="`next_cursor` of the previous page.")
                          ] = None,
    ) -> dict[str, Any]:
        """Stories, newest first (by first seen), with cursor pagination."""
        stories, nxt = services.stories(q=q, since=since, until=until, source=source,
                                        limit=limit, cursor=cursor,
                                        lang=lang.lower() if lang else None)
        return {"stories": stories, "next_cursor": nxt}

    @app.get("/api/stories/{story_id}", tags=["stories"], responses=_problems(404, 503))
    def get_story(story_id: str) -> dict[str, Any]:
        """One story, exactly as `storyfold story ID --json` prints it. A story merged into
        another answers 404 with `merged_into` and `location` naming the story it became."""
        return services.story(story_id)

    @app.get("/api/stories/{story_id}/similar", response_model=SimilarStories,
             tags=["stories"], responses=_problems(404, 422, 503))
    def similar_stories(story_id: str, limit: Annotated[int, Query(ge=1, le=20)] = 5
                        ) -> dict[str, Any]:
        """Related stories (shared people, places and figures; close embeddings): other
        events, e.g. a follow-up, never this story's own articles."""
        return {"story_id": story_id, "similar": services.similar(story_id, limit)}

    @app.get("/api/articles/{article_id}", response_model=ArticleDetail, tags=["articles"],
             responses=_problems(404, 503))
    def get_article(article_id: str) -> dict[str, Any]:
        """An article's clean text, metadata, the boilerplate removed from it, its links."""
        return services.article(article_id)

    @app.get("/api/search", response_model=SearchResults, tags=["search"],
             responses=_problems(422, 503))
    def search(
        q: Annotated[str, Query(min_length=1, max_length=500, description="Any words.")],
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """Articles by hybrid ranking: BM25 full text fused with embedding similarity."""
        return {"query": q, "results": services.search(q, limit)}

    @app.post(
        "/api/articles", response_model=IngestResult, status_code=201, tags=["articles"],
        responses={200: {"model": IngestResult, "description": "Already stored"},
                   **_problems(400, 401, 403, 413, 415, 422, 503)},
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {
                "type": "object", "required": ["text"],
                "properties": {k: {"type": "string"} for k in
                               ("text", "title", "source", "url", "date", "author", "html")},
            }},
            "text/html": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        }}},
    )
    async def add_article(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Response:
        """Ingest one article (JSON record, raw HTML or plain text) into the running store and
        return the story it joined. Requires `Authorization: Bearer $STORYFOLD_TOKEN`."""
        if not services.token:
            return problem(403, f"writes are disabled on this server: start it with "
                                f"{TOKEN_ENV} set to a secret and send it as a Bearer token",
                           "writes-disabled")
        if creds is None or not hmac.compare_digest(creds.credentials.encode(),
                                                    services.token.encode()):
            return problem(401, f"missing or wrong token: send `Authorization: Bearer <the "
                                f"server's {TOKEN_ENV}>`", "unauthorized",
                           headers={"WWW-Authenticate": "Bearer"})
        declared = request.headers.get("content-length")
        limit = services.settings.serve.max_body_bytes
        if declared and declared.isdigit() and int(declared) > limit:
            return problem(413, f"article body is {declared} bytes; the limit is "
                                f"{limit}", "payload-too-large")
        body = bytearray()  # read in chunks: a chunked body has no length to check first
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return problem(413, f"article body is over {limit} bytes; the limit is "
                                    f"{limit}", "payload-too-large")
        data, added = await run_in_threadpool(
            services.ingest, bytes(body), request.headers.get("content-type", ""))
        return JSONResponse(data, status_code=201 if added else 200)


# ---- serving --------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


WORKER_DB_ENV = "STORYFOLD_SERVE_DB"  # the store URL each worker process opens (workers > 1)


def worker_app() -> FastAPI:
    """The app one worker process of `serve(workers=N)` builds for itself: its own services,
    hence its own store connections (a connection cannot cross a fork), for the store in
    $STORYFOLD_SERVE_DB with the settings loaded as the command line loads them."""
    from storyfold.settings_load import load

    return create_app(os.environ[WORKER_DB_ENV], settings=load())


def serve(store_url: str, host: str = "127.0.0.1", port: int = 8000,
          settings: Settings = DEFAULTS, workers: int = 1,
          settings_file: Path | None = None) -> None:
    """Run the server in the foreground until interrupted.

    With `workers` > 1, that many processes serve (uvicorn's supervisor restarts one that
    dies); each builds the app with `worker_app`, from `settings_file` and the environment,
    so `settings` is for one process only. They share the store: readers in any number, and
    writes taking turns on the store's writer lease. An in-memory SQLite store cannot be
    shared, so it serves from one process only."""
    import uvicorn

    token = os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host):
        log.warning("serving on %s: reachable from other machines; writes %s", host,
                    "need the token" if token else "are off")
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info",
                               "server_header": False, "proxy_headers": False}
    if workers <= 1:
        uvicorn.run(create_app(store_url, settings=settings), **options)
        return
    if store_url == "sqlite://" or store_url.endswith(":memory:"):
        raise StoreError("an in-memory store cannot be shared by several workers; "
                         "serve a file or PostgreSQL store, or use one worker")
    from storyfold.store import open_store

    open_store(store_url).close()  # a bad URL fails here, once, with the store's message
    os.environ[WORKER_DB_ENV] = store_url
    if settings_file is not None:
        os.environ[SETTINGS_ENV] = str(settings_file)
    uvicorn.run("storyfold.web.app:worker_app", factory=True, workers=workers, **options)
