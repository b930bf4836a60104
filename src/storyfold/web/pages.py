"""Server-rendered pages: front page, story, article, search, sources, API reference.

Jinja2 with autoescaping on for every template, so article text (which may contain
`<script>`, `</textarea>` or `javascript:` — it is text from anywhere) is always shown as
text. Article HTML is never rendered: only the cleaned text is stored. The pages work with
JavaScript off; `static/app.js` only adds niceties.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from storyfold.web import present
from storyfold.web.problems import BadRequest, Merged
from storyfold.web.service import Services

HERE = Path(__file__).parent


def templates() -> Environment:
    """The app's Jinja environment (it caches compiled templates, so each app owns one; Jinja's
    cache is thread-safe)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["short_time"] = present.short_time
    env.globals["safe_url"] = present.safe_url
    return env


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    env: Environment = request.app.state.templates
    return HTMLResponse(env.get_template(name).render(**ctx), status_code=status)


def error_page(request: Request, status: int, detail: str) -> Response:
    from http import HTTPStatus

    return render(request, "error.html", status=status, title=HTTPStatus(status).phrase,
                  status_code=status, detail=detail)


def _services(request: Request) -> Services:
    return request.app.state.services


def _optional_date(value: str | None, name: str) -> date | None:
    """Dates from a form: empty means no filter; anything else must be YYYY-MM-DD."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a date like 2024-05-31, not {value[:40]!r}") from exc


Text = Annotated[str | None, Query(max_length=500)]
Cursor = Annotated[str | None, Query(max_length=2000)]


def mount_pages(app: FastAPI) -> None:
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def front(request: Request, q: Text = None, since: Text = None, until: Text = None,
              source: Text = None, cursor: Cursor = None
              ) -> Response:
        svc = _services(request)
        d_since, d_until = _optional_date(since, "since"), _optional_date(until, "until")
        page, nxt = svc.cards(q=q, since=d_since, until=d_until, source=source, limit=20,
                              cursor=cursor)
        filters = {k: v for k, v in
                   {"q": q, "since": since, "until": until, "source": source}.items() if v}
        next_url = "/?" + urlencode({**filters, "cursor": nxt}) if nxt else None
        cards = [present.card(story, comparison) for story, comparison in page]
        return render(request, "index.html", title="Stories", cards=cards,
                      filters=filters, outlets=svc.outlets(), next_url=next_url,
                      paged=bool(cursor))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str) -> Response:
        svc = _services(request)
        try:
            story = svc.story(story_id)
        except Merged as merged:  # an old link: the story lives on under the other id
            return RedirectResponse(f"/stories/{merged.merged_into}", status_code=301)
        names = present.labels(story)
        comp = present.comparison_of(story)
        summary = [
            {"text": item.get("text", ""), "single_source": bool(item.get("single_source")),
             "citations": present.citations(item, names)}
            for item in (story.get("summary") or []) if isinstance(item, dict)
        ]
        claims = [c for c in (comp or {}).get("claims") or [] if c.get("single_source")]
        # each member's clean text as paragraphs, for the one-click reading
        texts = {aid: present.paragraphs(text)
                 for aid, text in svc.texts([a["id"] for a in story.get("articles") or []]).items()}
        card = present.card(story)
        return render(
            request, "story.html", title=card["headline"], story=story,
            card=card, names=names, comp=comp, summary=summary,
            quotes=present.quote_groups(comp, names) if comp else [],
            claims=claims, conflicts=(comp or {}).get("conflicts") or [],
            entities=((comp or {}).get("entities") or [])[:16],
            timeline=present.timeline_chart(story), graph=present.provenance_graph(story),
            timeline_items=present.timeline_items(story, names),
            events=present.events(story, names), texts=texts,
            similar=svc.similar(story_id),
        )

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str) -> Response:
        svc = _services(request)
        art = svc.article(article_id)
        story = svc.story(art["story_id"]) if art.get("story_id") else None
        names = present.labels(story) if story else {}
        return render(request, "article.html", title=art.get("title") or article_id, art=art,
                      story=story, names=names,
                      paragraphs=present.paragraphs(art["text"]))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: Text = None) -> Response:
        results = _services(request).search(q, 30) if q and q.strip() else []
        return render(request, "search.html", title=f"Search: {q}" if q else "Search",
                      q=q or "", results=results)

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(request: Request) -> Response:
        """The followed sources and their health (what `storyfold sources list` shows)."""
        rows = [present.source_row(s) for s in _services(request).store().sources()]
        return render(request, "sources.html", title="Sources", sources=rows)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> Response:
        return render(request, "docs.html", title="API",
                      operations=_operations(request.app.openapi()))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "params": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "description": p.get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "responses": sorted(op.get("responses", {})),
                "auth": bool(op.get("security")),
            })
    return ops
