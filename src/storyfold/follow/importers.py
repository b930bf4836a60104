"""Importing from the readers people already use: Miniflux's REST API and the Google Reader
API (FreshRSS, Inoreader, Miniflux and others serve it). Both are read oldest first, a page at
a time, through the guarded fetcher; each page's articles are stored by the pipeline before
the cursor moves past them (kept in the store as an import cursor), so an interrupted import
resumes where it stopped and re-reading a page stores nothing twice.

- Miniflux (https://miniflux.app/docs/api.html): `X-Auth-Token`; `GET /v1/entries` with
  `order=id&direction=asc&after_entry_id=N&limit=…` answers `{"total", "entries": [...]}`,
  each entry with `id`, `title`, `url`, `published_at`, `content` (HTML), `author` and its
  `feed` (`title`, `feed_url`, `site_url`); the cursor is the last entry id. `GET /v1/feeds`
  lists the subscriptions.
- Google Reader: `POST /accounts/ClientLogin` (`Email`, `Passwd`) answers `Auth=…` lines, sent
  back as `Authorization: GoogleLogin auth=…`; `GET /reader/api/0/stream/contents/user/-/state/
  com.google/reading-list?output=json&r=o&n=…&ot=…&c=…` answers `{"items", "continuation"}`,
  each item with `id`, `title`, `published`, `timestampUsec`, `canonical`/`alternate` links,
  `summary`/`content` and `origin` (`title`, `htmlUrl`, `streamId`). The cursor is the newest
  `timestampUsec` stored, read again from that second on (`ot`) and de-duplicated by the
  pipeline. `GET /reader/api/0/subscription/list?output=json` lists the subscriptions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from storyfold.errors import ReaderError
from storyfold.follow.feeds import html_to_text
from storyfold.follow.fetcher import Fetcher, Response
from storyfold.model import RawDocument

JSON = frozenset({"application/json", "text/json", "text/javascript"})
PAGE = 100  # entries asked for per request
READING_LIST = "user/-/state/com.google/reading-list"

Page = tuple[list[RawDocument], str]  # a page's documents and the cursor after it


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str | None
    site_url: str | None


def _json(resp: Response, what: str) -> Any:
    if resp.status in (401, 403):
        raise ReaderError(f"{resp.url}: the server refused the credentials (HTTP "
                           f"{resp.status})")
    if resp.status != 200:
        raise ReaderError(f"{resp.url}: HTTP {resp.status} for {what}")
    try:
        return json.loads(resp.body)
    except ValueError as exc:
        raise ReaderError(f"{resp.url}: {what} is not JSON") from exc


def _doc(where: str, key: str, title: Any, url: Any, html: Any, when: str | None,
         author: Any, source: Any) -> RawDocument | None:
    text = html_to_text(html) if isinstance(html, str) else ""
    if not text and not title:
        return None
    meta = {"title": title if isinstance(title, str) else None,
            "url": url if isinstance(url, str) else None, "date": when,
            "author": author if isinstance(author, str) else None,
            "source": source if isinstance(source, str) else None}
    return RawDocument(path=where, kind="text", body=text,
                       meta={k: v for k, v in meta.items() if v}, record=key)


# ---- Miniflux ---------------------------------------------------------------------------
class Miniflux:
    """A Miniflux server's REST API with an API token."""

    def __init__(self, fetcher: Fetcher, base: str, token: str, page: int = PAGE) -> None:
        self.fetcher = fetcher
        self.page = page
        self.base = base.rstrip("/")
        self.headers = {"X-Auth-Token": token, "Accept": "application/json"}

    def pages(self, after: str | None) -> Iterator[Page]:
        cursor = int(after or 0)
        while True:
            query = urlencode({"order": "id", "direction": "asc", "after_entry_id": cursor,
                               "limit": self.page})
            data = _json(self.fetcher.fetch(f"{self.base}/v1/entries?{query}", accept=JSON,
                                            headers=self.headers), "the entries")
            entries = data.get("entries") if isinstance(data, dict) else None
            if not isinstance(entries, list):
                raise ReaderError(f"{self.base}: /v1/entries has no entries list")
            if not entries:
                return
            docs: list[RawDocument] = []
            for e in entries:
                if not isinstance(e, dict) or not isinstance(e.get("id"), int):
                    raise ReaderError(f"{self.base}: an entry without a numeric id")
                cursor = max(cursor, e["id"])
                feed = e.get("feed")
                feed = feed if isinstance(feed, dict) else {}
                doc = _doc(f"{self.base}/v1/entries", f"miniflux:{e['id']}", e.get("title"),
                           e.get("url"), e.get("content"), _str(e.get("published_at")),
                           e.get("author"), feed.get("title"))
                if doc is not None:
                    docs.append(doc)
            yield docs, str(cursor)
            if len(entries) < self.page:
                return

    def subscriptions(self) -> list[Subscription]:
        data = _json(self.fetcher.fetch(f"{self.base}/v1/feeds", accept=JSON,
                                        headers=self.headers), "the feeds")
        if not isinstance(data, list):
            raise ReaderError(f"{self.base}: /v1/feeds is not a list")
        return [Subscription(f["feed_url"], _str(f.get("title")), _str(f.get("site_url")))
                for f in data if isinstance(f, dict) and isinstance(f.get("feed_url"), str)]


# ---- Google Reader ----------------------------------------------------------------------
class GoogleReader:
    """A Google Reader API endpoint (FreshRSS: https://host/api/greader.php)."""

    def __init__(self, fetcher: Fetcher, base: str, user: str, password: str,
                 page: int = PAGE) -> None:
        self.fetcher = fetcher
        self.page = page
        self.base = base.rstrip("/")
        self.user = user
        self.password = password
        self._auth: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            body = urlencode({"Email": self.user, "Passwd": self.password}).encode()
            resp = self.fetcher.fetch(
                f"{self.base}/accounts/ClientLogin", method="POST", body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            if resp.status != 200:
                raise ReaderError(f"{self.base}: login refused (HTTP {resp.status})")
            lines = dict(line.split("=", 1) for line in resp.text().splitlines() if "=" in line)
            if not lines.get("Auth"):
                raise ReaderError(f"{self.base}: the login answer has no Auth token")
            self._auth = lines["Auth"].strip()
        return {"Authorization": f"GoogleLogin auth={self._auth}"}

    def pages(self, since: str | None) -> Iterator[Page]:
        newest = int(since or 0)
        start = newest // 1_000_000  # `ot` stays that of the first page: continuations are
        continuation: str | None = None  # positions in the stream that query started
        stream = quote(READING_LIST, safe="/")
        while True:
            params: dict[str, str | int] = {"output": "json", "r": "o", "n": self.page,
                                            "ot": start}
            if continuation:
                params["c"] = continuation
            url = f"{self.base}/reader/api/0/stream/contents/{stream}?{urlencode(params)}"
            data = _json(self.fetcher.fetch(url, accept=JSON, headers=self._headers()),
                         "the reading list")
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise ReaderError(f"{self.base}: the reading list has no items")
            docs: list[RawDocument] = []
            for item in items:
                if not isinstance(item, dict):
                    continue
                stamp = _int(item.get("timestampUsec")) or _int(item.get("crawlTimeMsec")) * 1000
                newest = max(newest, stamp)
                origin = item.get("origin")
                origin = origin if isinstance(origin, dict) else {}
                body = (item.get("content") or item.get("summary") or {})
                link = next((x.get("href") for x in (item.get("canonical") or [])
                             + (item.get("alternate") or []) if isinstance(x, dict)), None)
                published = _int(item.get("published"))
                when = (datetime.fromtimestamp(published, UTC).isoformat() if published
                        else None)
                doc = _doc(f"{self.base}/reader/api/0/stream/contents",
                           str(item.get("id") or link), item.get("title"), link,
                           body.get("content") if isinstance(body, dict) else None, when,
                           item.get("author"), origin.get("title"))
                if doc is not None:
                    docs.append(doc)
            continuation = _str(data.get("continuation"))
            yield docs, str(newest)
            if not continuation or not items:
                return

    def subscriptions(self) -> list[Subscription]:
        data = _json(self.fetcher.fetch(
            f"{self.base}/reader/api/0/subscription/list?output=json", accept=JSON,
            headers=self._headers()), "the subscriptions")
        subs = data.get("subscriptions") if isinstance(data, dict) else None
        out: list[Subscription] = []
        for s in subs if isinstance(subs, list) else []:
            if not isinstance(s, dict):
                continue
            sid = _str(s.get("id")) or ""
            url = _str(s.get("url")) or (sid[5:] if sid.startswith("feed/") else None)
            if url:
                out.append(Subscription(url, _str(s.get("title")), _str(s.get("htmlUrl"))))
        return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
