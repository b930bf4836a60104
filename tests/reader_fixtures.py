"""Fixture servers for the reader imports, answering as the APIs are documented.

Miniflux (https://miniflux.app/docs/api.html): `X-Auth-Token`, `GET /v1/entries` with
`after_entry_id`, `order=id`, `direction=asc`, `limit` -> `{"total", "entries"}`, and
`GET /v1/feeds`. Google Reader API (as FreshRSS and Inoreader serve it): `POST
/accounts/ClientLogin` -> `SID=…/LSID=…/Auth=…` lines, `Authorization: GoogleLogin auth=…`,
`GET /reader/api/0/stream/contents/user/-/state/com.google/reading-list` with `output=json`,
`r=o`, `n`, `ot`, `c` -> `{"items", "continuation"}`, and `subscription/list?output=json`.
The entries are generated articles; nothing here is copied from a real server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.follow_server import Fixture, Reply
from tests.test_crash import _generate

FEEDS = [("https://courier.example/rss", "Lanford Courier", "https://courier.example/"),
         ("https://herald.example/atom", "Marrow Herald", "https://herald.example/")]


def articles(n: int, seed: int = 5) -> list[dict]:
    """n generated articles with distinct texts, as (title, html, url, published)."""
    seen: dict[str, dict] = {}
    for r in _generate(n * 3, seed=seed):
        text = " ".join(str(r["text"]).split()[:90])
        seen.setdefault(text, {"title": str(r["title"]), "text": text})
        if len(seen) == n:
            break
    out = []
    for i, rec in enumerate(seen.values(), start=1):
        out.append({**rec, "url": f"https://courier.example/news/{i}",
                    "published": 1764576000 + 600 * i})  # 2025-12-01 08:00 UTC onwards
    return out


def _json(status: int, data: object) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


@dataclass
class MinifluxServer:
    token: str
    items: list[dict]
    fail_after: int | None = None  # answer 500 to a page asked after this entry id
    asked: list[int] = field(default_factory=list)  # after_entry_id of each request

    def install(self, fx: Fixture) -> None:
        fx.routes["/v1/entries"] = self.entries
        fx.routes["/v1/feeds"] = self.feeds

    def _refused(self, h: BaseHTTPRequestHandler) -> Reply | None:
        if h.headers.get("X-Auth-Token") != self.token:
            return _json(401, {"error_message": "Access Unauthorized"})
        return None

    def entries(self, h: BaseHTTPRequestHandler) -> Reply:
        if (refused := self._refused(h)) is not None:
            return refused
        q = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        assert q.get("order") == "id" and q.get("direction") == "asc"
        after, limit = int(q.get("after_entry_id", 0)), int(q.get("limit", 100))
        self.asked.append(after)
        if self.fail_after is not None and after >= self.fail_after:
            return _json(500, {"error_message": "database is down"})
        rows = [dict(a, id=i) for i, a in enumerate(self.items, start=1) if i > after][:limit]
        entries = [{"id": r["id"], "user_id": 1, "feed_id": 7, "status": "unread",
                    "hash": f"h{r['id']}", "title": r["title"], "url": r["url"],
                    "published_at": f"2025-12-01T{8 + r['id'] // 6:02d}:{r['id'] * 10 % 60:02d}"
                                    ":00Z",
                    "content": f"<p>{r['text']}</p>", "author": "Desk", "starred": False,
                    "feed": {"id": 7, "title": FEEDS[0][1], "feed_url": FEEDS[0][0],
                             "site_url": FEEDS[0][2]}}
                   for r in rows]
        return _json(200, {"total": len(self.items), "entries": entries})

    def feeds(self, h: BaseHTTPRequestHandler) -> Reply:
        if (refused := self._refused(h)) is not None:
            return refused
        return _json(200, [{"id": n, "user_id": 1, "feed_url": url, "site_url": site,
                            "title": title} for n, (url, title, site) in enumerate(FEEDS)])


@dataclass
class GoogleReaderServer:
    user: str
    password: str
    items: list[dict]
    auth: str = "fixture-auth-4f1c"

    def install(self, fx: Fixture, prefix: str = "/api/greader.php") -> None:
        self.fx = fx
        fx.routes[f"{prefix}/accounts/ClientLogin"] = self.login
        fx.routes[f"{prefix}/reader/api/0/stream/contents/user/-/state/com.google/"
                  "reading-list"] = self.stream
        fx.routes[f"{prefix}/reader/api/0/subscription/list"] = self.subscriptions

    def login(self, h: BaseHTTPRequestHandler) -> Reply:
        body = self.fx.bodies[-1] if h.command == "POST" and self.fx.bodies else b""
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if h.command != "POST" or form.get("Email") != self.user \
                or form.get("Passwd") != self.password:
            return 401, {"Content-Type": "text/plain"}, b"Error=BadAuthentication\n"
        return (200, {"Content-Type": "text/plain"},
                f"SID={self.auth}\nLSID=null\nAuth={self.auth}\n".encode())

    def _refused(self, h: BaseHTTPRequestHandler) -> Reply | None:
        if h.headers.get("Authorization") != f"GoogleLogin auth={self.auth}":
            return 401, {"Content-Type": "text/plain"}, b"Unauthorized!"
        return None

    def stream(self, h: BaseHTTPRequestHandler) -> Reply:
        if (refused := self._refused(h)) is not None:
            return refused
        q = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        assert q.get("output") == "json" and q.get("r") == "o"
        n, ot, start = int(q.get("n", 20)), int(q.get("ot", 0)), int(q.get("c", 0))
        rows = [a for a in self.items if a["published"] >= ot]
        page = rows[start:start + n]
        items = [{"id": f"tag:google.com,2005:reader/item/{a['published']:016x}",
                  "crawlTimeMsec": str(a["published"] * 1000),
                  "timestampUsec": str(a["published"] * 1_000_000),
                  "published": a["published"], "title": a["title"],
                  "canonical": [{"href": a["url"]}], "alternate": [{"href": a["url"],
                                                                     "type": "text/html"}],
                  "summary": {"content": f"<p>{a['text']}</p>"}, "author": "Desk",
                  "categories": ["user/-/state/com.google/reading-list"],
                  "origin": {"streamId": f"feed/{FEEDS[1][0]}", "title": FEEDS[1][1],
                             "htmlUrl": FEEDS[1][2]}} for a in page]
        data: dict = {"id": "user/-/state/com.google/reading-list", "updated": 1764600000,
                      "items": items}
        if start + n < len(rows):
            data["continuation"] = str(start + n)
        return _json(200, data)

    def subscriptions(self, h: BaseHTTPRequestHandler) -> Reply:
        if (refused := self._refused(h)) is not None:
            return refused
        return _json(200, {"subscriptions": [
            {"id": f"feed/{url}", "title": title, "categories": [], "url": url,
             "htmlUrl": site, "iconUrl": ""} for url, title, site in FEEDS]})
