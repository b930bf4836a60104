"""Stories back out as feeds: the de-duplicated stream a reader subscribes to instead of ten
copies of every event.

- `/feeds/stories.atom` and `/feeds/stories.json` (JSON Feed 1.1): one entry per story, newest
  first, filtered by `q` (words) or `source` (outlet) like `/api/stories`; an entry's id is the
  story's page, and its `updated` time and content change when the story grows (another outlet,
  a new article), so a reader shows the story again instead of another copy;
- `/feeds/stories/{id}.atom` and `.json`: one story's articles, one entry each.

Built with lxml (Atom) and json (JSON Feed) from the dicts `story_json` makes; every text is
escaped by the serialiser, never trusted as markup. Like the HTML pages, the feeds stay out of
the OpenAPI schema, which describes the JSON API.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from html import escape
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from lxml import etree

from storyfold.web.service import Services

ATOM_NS = "http://www.w3.org/2005/Atom"
OWN_NS = "urn:storyfold"  # an Atom extension element: <storyfold:version> of a story entry
JSON_FEED = "https://jsonfeed.org/version/1.1"
FEED_SIZE = 50  # stories per feed
Q = Annotated[str | None, Query(max_length=500, description="Words an article contains.")]
Src = Annotated[str | None, Query(max_length=300, description="Outlet name.")]


def _updated(story: dict[str, Any]) -> str:
    """When the story last changed as a reader sees it: its newest article's date, else its
    span; `_version` makes a grown story a new revision even when the newcomer is older."""
    dates = [a.get("published") for a in story["articles"] if a.get("published")]
    when = max(dates, default=None) or story.get("last_seen") or story.get("first_seen")
    return when or datetime(1970, 1, 1, tzinfo=UTC).isoformat()


def _version(story: dict[str, Any]) -> str:
    ids = ",".join(sorted(a["id"] for a in story["articles"]))
    return hashlib.sha1(ids.encode()).hexdigest()[:12]


def _title(story: dict[str, Any]) -> str:
    first = next((a.get("title") for a in story["articles"] if a.get("title")), None)
    return story.get("headline") or first or f"Story {story['id']}"


def _summary_html(story: dict[str, Any], base: str) -> str:
    items = "".join(
        f"<li>{escape(a.get('source') or 'unknown outlet')}: "
        + (f"<a href=\"{escape(a['url'])}\">{escape(a.get('title') or a['url'])}</a>"
           if a.get("url", "").startswith(("http://", "https://"))
           else escape(a.get("title") or a["id"]))
        + f" ({escape(a.get('role') or 'independent')})</li>"
        for a in story["articles"])
    outlets = ", ".join(story.get("outlets") or [])
    return (f"<p>{len(story['articles'])} article(s) from {escape(outlets or 'one outlet')}."
            f" <a href=\"{escape(base)}/stories/{escape(story['id'])}\">The whole story</a>"
            f"</p><ul>{items}</ul>")


def atom_feed(stories: list[dict[str, Any]], *, title: str, self_url: str, base: str) -> bytes:
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "storyfold": OWN_NS})
    _text(root, "title", title)
    _text(root, "id", self_url)
    etree.SubElement(root, f"{{{ATOM_NS}}}link", rel="self", href=self_url)
    etree.SubElement(root, f"{{{ATOM_NS}}}link", rel="alternate", href=base + "/")
    _text(root, "updated", max((_updated(s) for s in stories),
                               default=datetime(1970, 1, 1, tzinfo=UTC).isoformat()))
    _text(_text(root, "author", None), "name", "storyfold")
    for story in stories:
        entry = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", f"{base}/stories/{story['id']}")
        _text(entry, "title", _title(story))
        _text(entry, "updated", _updated(story))
        if story.get("first_seen"):
            _text(entry, "published", story["first_seen"])
        etree.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate",
                         href=f"{base}/stories/{story['id']}")
        content = _text(entry, "content", _summary_html(story, base))
        content.set("type", "html")
        for outlet in story.get("outlets") or []:
            etree.SubElement(entry, f"{{{ATOM_NS}}}category", term=outlet)
        _text(entry, f"{{{OWN_NS}}}version", _version(story))  # changes as members change
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def json_feed(stories: list[dict[str, Any]], *, title: str, self_url: str, base: str
              ) -> dict[str, Any]:
    return {
        "version": JSON_FEED, "title": title, "home_page_url": base + "/",
        "feed_url": self_url, "authors": [{"name": "storyfold"}],
        "items": [{
            "id": f"{base}/stories/{s['id']}", "url": f"{base}/stories/{s['id']}",
            "title": _title(s), "content_html": _summary_html(s, base),
            "date_published": s.get("first_seen"), "date_modified": _updated(s),
            "tags": s.get("outlets") or [], "_storyfold": {"version": _version(s),
                                                          "articles": len(s["articles"])},
        } for s in stories],
    }


def article_entries(story: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    """A story's articles as feed items (oldest first, as the story lists them)."""
    return [{"id": a["id"], "title": a.get("title") or a["id"], "url": a.get("url"),
             "source": a.get("source"), "published": a.get("published"),
             "text": texts.get(a["id"], ""), "role": a.get("role")} for a in story["articles"]]


def _text(parent: Any, tag: str, text: str | None) -> Any:
    el = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{ATOM_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def mount_feeds(app: FastAPI, services: Services) -> None:
    """The feed routes (see the module docstring)."""

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def stories_for(q: str | None, source: str | None) -> list[dict[str, Any]]:
        stories, _ = services.stories(q=q, since=None, until=None, source=source,
                                      limit=FEED_SIZE, cursor=None)
        return stories

    def feed_title(q: str | None, source: str | None) -> str:
        parts = [f"matching {q!r}" if q else "", f"from {source}" if source else ""]
        return " ".join(["storyfold: stories", *[p for p in parts if p]])

    @app.get("/feeds/stories.atom", response_class=Response,
             include_in_schema=False)
    def stories_atom(request: Request, q: Q = None, source: Src = None) -> Response:
        """Stories as an Atom feed: one entry per story, updated when it grows."""
        body = atom_feed(stories_for(q, source), title=feed_title(q, source),
                         self_url=str(request.url), base=base_of(request))
        return Response(body, media_type="application/atom+xml")

    @app.get("/feeds/stories.json", response_class=Response,
             include_in_schema=False)
    def stories_json(request: Request, q: Q = None, source: Src = None) -> Response:
        """Stories as a JSON Feed 1.1: one item per story, updated when it grows."""
        data = json_feed(stories_for(q, source), title=feed_title(q, source),
                         self_url=str(request.url), base=base_of(request))
        return Response(json.dumps(data), media_type="application/feed+json")

    @app.get("/feeds/stories/{story_id}.atom", response_class=Response,
             include_in_schema=False)
    def story_atom(request: Request, story_id: str) -> Response:
        """One story's articles as an Atom feed."""
        base = base_of(request)
        story, texts = _one_story(services, story_id)
        root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
        _text(root, "title", f"storyfold: {_title(story)}")
        _text(root, "id", f"{base}/stories/{story['id']}")
        etree.SubElement(root, f"{{{ATOM_NS}}}link", rel="self", href=str(request.url))
        _text(root, "updated", _updated(story))
        _text(_text(root, "author", None), "name", "storyfold")
        for a in article_entries(story, texts):
            entry = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
            _text(entry, "id", f"{base}/api/articles/{a['id']}")
            _text(entry, "title", a["title"])
            _text(entry, "updated", a["published"] or _updated(story))
            if a["url"] and str(a["url"]).startswith(("http://", "https://")):
                etree.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", href=a["url"])
            if a["source"]:
                _text(_text(entry, "author", None), "name", a["source"])
            _text(entry, "content", a["text"]).set("type", "text")
        return Response(etree.tostring(root, xml_declaration=True, encoding="utf-8"),
                        media_type="application/atom+xml")

    @app.get("/feeds/stories/{story_id}.json", response_class=Response,
             include_in_schema=False)
    def story_json_feed(request: Request, story_id: str) -> Response:
        """One story's articles as a JSON Feed 1.1."""
        base = base_of(request)
        story, texts = _one_story(services, story_id)
        data = {"version": JSON_FEED, "title": f"storyfold: {_title(story)}",
                "home_page_url": f"{base}/stories/{story['id']}", "feed_url": str(request.url),
                "items": [{"id": f"{base}/api/articles/{a['id']}", "title": a["title"],
                           "url": a["url"], "content_text": a["text"],
                           "date_published": a["published"],
                           "authors": [{"name": a["source"]}] if a["source"] else []}
                          for a in article_entries(story, texts)]}
        return Response(json.dumps(data), media_type="application/feed+json")


def _one_story(services: Services, story_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The story (as `story_json` makes it) and its articles' texts; NotFound, or Merged for
    a story merged into another, answered as the API answers them."""
    from storyfold.output.json import story_json

    st = services.store()
    rec = st.story(services.current_id(story_id))
    arts = st.articles(m.article_id for m in rec.members)
    return story_json(st, rec, arts=arts), {aid: a.text for aid, a in arts.items()}
