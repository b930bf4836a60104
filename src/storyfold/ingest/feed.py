"""A feed file (RSS, Atom, JSON Feed) given to `run`: each entry one document, read with the
same parser `watch` uses (`follow.feeds`). Pages of summary-only entries are not fetched
here: `run` reads files and never goes to the network."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from storyfold.errors import FeedError, IngestError
from storyfold.follow.feeds import parse_feed
from storyfold.model import RawDocument


def read_feed(name: str, text: str) -> Iterator[RawDocument | IngestError]:
    try:
        feed = parse_feed(text, name)
    except FeedError as exc:
        yield IngestError(name, str(exc).removeprefix(f"{name}: "))
        return
    if not feed.entries:
        yield IngestError(name, "feed has no entries")
        return
    source = feed.title or (urlsplit(feed.site_url).hostname if feed.site_url else None)
    for entry in feed.entries:
        meta = {"title": entry.title, "url": entry.url, "date": entry.published,
                "author": entry.author, "source": source}
        yield RawDocument(path=name, kind="text", body=entry.text,
                          meta={k: v for k, v in meta.items() if v}, record=entry.key)
