"""Adding sources: a feed URL as is, a home page through the feeds it announces, or the
subscriptions in an OPML file (what every feed reader exports)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from storyfold.errors import FeedError, FetchError, StoryfoldError
from storyfold.follow.feeds import discover_feeds, looks_like_html, parse_feed
from storyfold.follow.fetcher import FEED_TYPES, Fetcher
from storyfold.model import Source
from storyfold.store.base import SourceStore


@dataclass(frozen=True)
class Added:
    """What `sources add` did with one URL it was given."""

    given: str
    source: Source | None = None  # the source added or already there
    new: bool = False
    error: str | None = None  # one line, when nothing was added


def find_feeds(fetcher: Fetcher, url: str) -> list[tuple[str, str | None, str | None]]:
    """The feeds at `url`: itself when it is a feed, else those its page announces (each
    fetched and read, so only real feeds are added). (feed URL, title, site URL) each."""
    resp = fetcher.fetch(url, accept=FEED_TYPES)
    if resp.status != 200:
        raise FetchError(f"{url}: HTTP {resp.status}")
    feed_url = resp.moved_permanently or url
    if not looks_like_html(resp.body):
        feed = parse_feed(resp.body, resp.url)
        return [(feed_url, feed.title, feed.site_url)]
    announced = discover_feeds(resp.text(), resp.url)
    if not announced:
        raise FeedError(f"{url}: an HTML page that announces no feed "
                        "(no <link rel=\"alternate\"> of a feed type)")
    found: list[tuple[str, str | None, str | None]] = []
    errors: list[str] = []
    for link, title in announced:
        try:
            inner = fetcher.fetch(link, accept=FEED_TYPES)
            if inner.status != 200:
                raise FetchError(f"{link}: HTTP {inner.status}")
            feed = parse_feed(inner.body, inner.url)
        except StoryfoldError as exc:
            errors.append(str(exc))
            continue
        found.append((inner.moved_permanently or link, feed.title or title,
                      feed.site_url or resp.url))
    if not found:
        raise FeedError(errors[0])
    return found


def add_sources(store: SourceStore, fetcher: Fetcher, urls: list[str]) -> list[Added]:
    """Add the feeds behind each URL; a URL that gives none is one error line, not an end."""
    out: list[Added] = []
    for url in urls:
        try:
            feeds = find_feeds(fetcher, url.strip())
        except StoryfoldError as exc:
            out.append(Added(url, error=str(exc)))
            continue
        for feed_url, title, site in feeds:
            source, new = store.add_source(feed_url, title, site)
            out.append(Added(url, source, new))
    return out


def read_opml(path: Path) -> list[tuple[str, str | None, str | None]]:
    """(feed URL, title, site URL) of every outline with an `xmlUrl`, nested ones included.

    Parsed without entities, DTDs or network access: an OPML file is untrusted input."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except OSError as exc:
        raise StoryfoldError(f"{path}: cannot read ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        raise StoryfoldError(f"{path}: not valid OPML ({exc})") from exc
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise StoryfoldError(f"{path}: not an OPML file (its root is <{root.tag}>)")
    found: list[tuple[str, str | None, str | None]] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in {u for u, _, _ in found}:
            title = (outline.get("title") or outline.get("text") or "").strip() or None
            found.append((url, title, (outline.get("htmlUrl") or "").strip() or None))
    return found
