"""Reading feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.1 by hand, and
finding a site's feeds from its home page (`<link rel="alternate">`).

An entry becomes an `Entry` with a stable `key` (its guid/id, else its link, else a hash of
its title and text): the key is what `watch` remembers, so an entry is taken once however
often the feed repeats it. Entries carrying only a summary are marked, so `watch` fetches
their page for the article.

feedparser is given bytes only: it never fetches anything itself (every request goes through
the guarded fetcher).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree
from lxml import html as lxml_html

from storyfold.errors import FeedError

FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml",
                             "application/rdf+xml", "application/feed+json",
                             "application/json"})
_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "pre", "tr", "section", "article", "figcaption", "ul", "ol", "table"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class Entry:
    """One feed entry, as text."""

    key: str  # stable identity within its feed
    url: str | None
    title: str | None
    text: str  # plain text: the full content when the feed has it, else the summary
    published: str | None = None  # ISO 8601
    author: str | None = None
    has_content: bool = False  # the feed carried full content (not only a summary)


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title and site, its entries, and its own polling hint."""

    kind: str  # "rss20", "atom10", "rss10", "json11", ... (feedparser's names)
    title: str | None
    site_url: str | None
    entries: list[Entry] = field(default_factory=list)
    ttl_minutes: float | None = None  # RSS <ttl>


def parse_feed(body: bytes | str, url: str) -> Feed:
    """The feed in `body` (fetched from `url`); FeedError when it is not a feed."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _json_feed(raw, url)
    if looks_like_html(raw):
        raise FeedError(f"{url}: an HTML page, not a feed")
    parsed = feedparser.parse(raw, response_headers={"content-location": url},
                              resolve_relative_uris=True, sanitize_html=True)
    if parsed.get("bozo") and not parsed.entries:
        exc = parsed.get("bozo_exception")
        raise FeedError(f"{url}: not a feed (malformed XML: {_one_line(exc)})")
    info = parsed.feed
    entries = [e for e in (_entry(item, url) for item in parsed.entries) if e is not None]
    if not parsed.get("version") or (not entries and not info.get("title")):
        raise FeedError(f"{url}: not an RSS, Atom or JSON feed (or one too broken to read)")
    ttl = None
    try:
        ttl = float(info.get("ttl")) if info.get("ttl") else None
    except (TypeError, ValueError):
        ttl = None
    return Feed(kind=str(parsed.version), title=_clean_line(info.get("title")),
                site_url=info.get("link") or None, entries=entries, ttl_minutes=ttl)


def _entry(item: Any, feed_url: str) -> Entry | None:
    content = item.get("content") or []
    full = max((c.get("value") or "" for c in content), key=len, default="")
    summary = item.get("summary") or ""
    text = html_to_text(full) if full else html_to_text(summary)
    title = _clean_line(item.get("title"))
    link = item.get("link") or None
    if not text and not title:
        return None
    key = item.get("id") or link or _hash(f"{title}\n{text}")
    when = item.get("published_parsed") or item.get("updated_parsed")
    published = (datetime(*when[:6]).replace(tzinfo=UTC).isoformat() if when else None)
    return Entry(key=str(key), url=link, title=title, text=text, published=published,
                 author=_clean_line(item.get("author")), has_content=bool(full))


def _json_feed(raw: bytes, url: str) -> Feed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1): `items` with `id`, `url`,
    `title`, `content_html`/`content_text`, `summary`, `date_published`, `authors`."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"{url}: not a feed (invalid JSON)") from exc
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError(f"{url}: JSON without a jsonfeed.org version is not a feed")
    entries: list[Entry] = []
    items = data.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        full = _str(item.get("content_html"))
        text = html_to_text(full) if full else _str(item.get("content_text")).strip()
        has_content = bool(text)
        if not text:
            text = _str(item.get("summary")).strip()
        link = _str(item.get("url")) or None
        link = urljoin(url, link) if link else None
        title = _clean_line(item.get("title"))
        if not text and not title:
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        author = next((_str(a.get("name")) for a in authors
                       if isinstance(a, dict) and a.get("name")), None)
        key = _str(item.get("id")) or link or _hash(f"{title}\n{text}")
        entries.append(Entry(key=key, url=link, title=title, text=text,
                             published=_str(item.get("date_published")) or None,
                             author=author, has_content=has_content))
    kind = "json" + version.rsplit("/", 1)[-1].replace(".", "")
    return Feed(kind=kind, title=_clean_line(data.get("title")),
                site_url=_str(data.get("home_page_url")) or None, entries=entries)


def discover_feeds(html: str, page_url: str) -> list[tuple[str, str | None]]:
    """The feeds a page announces: (absolute URL, title) of each `<link rel="alternate">`
    with a feed type, in page order, without repeats."""
    try:
        tree = lxml_html.fromstring(html.encode("utf-8", "replace")[:2_000_000])
    except (etree.ParserError, ValueError):
        return []
    base = next((b.get("href") for b in tree.iter("base") if b.get("href")), None)
    base_url = urljoin(page_url, base) if base else page_url
    found: list[tuple[str, str | None]] = []
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_LINK_TYPES and href:
            url = urljoin(base_url, href)
            if url not in {u for u, _ in found}:
                found.append((url, _clean_line(link.get("title"))))
    return found


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block, markup and scripts gone."""
    if "<" not in fragment:
        return _paragraphs(fragment)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(re.sub(r"<[^>]*>", " ", fragment))
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    paras = (_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paras if p)


def _clean_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", html_to_text(value) if "<" in value else value).strip()
    return " ".join(text.split()) or None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _hash(text: str) -> str:
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _one_line(exc: Any) -> str:
    return " ".join(str(exc or "unknown error").split())[:200]
