"""robots.txt, read through the guarded fetcher and kept per host for `robots_ttl_h`.

What an answer means follows RFC 9309: a 4xx (no robots.txt) allows everything; a 5xx or a
failed fetch means the site is unreachable, so nothing is fetched from it until robots.txt
is read again (after `backoff_min`, not the full TTL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from storyfold.errors import FetchError
from storyfold.follow.fetcher import Fetcher

AGENT = "storyfold"  # the product token robots.txt rules name
_NOTHING = ["User-agent: *", "Disallow: /"]


class Robots:
    """The robots.txt rules of each host seen, with when they expire."""

    def __init__(self, fetcher: Fetcher, ttl: timedelta, retry: timedelta,
                 clock: Callable[[], datetime], before_request: Callable[[str], None]) -> None:
        self.fetcher = fetcher
        self.ttl = ttl
        self.retry = retry
        self.clock = clock
        self.before_request = before_request  # politeness: called with the URL's host
        self._rules: dict[str, tuple[RobotFileParser, datetime]] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = self.clock()
        cached = self._rules.get(origin)
        if cached is None or cached[1] <= now:
            cached = self._read(origin, now)
            self._rules[origin] = cached
        return cached[0].can_fetch(AGENT, url)

    def _read(self, origin: str, now: datetime) -> tuple[RobotFileParser, datetime]:
        rules = RobotFileParser()
        self.before_request(urlsplit(origin).hostname or "")
        try:
            resp = self.fetcher.fetch(origin + "/robots.txt")
        except FetchError:
            rules.parse(_NOTHING)
            return rules, now + self.retry
        if resp.status >= 500:
            rules.parse(_NOTHING)
            return rules, now + self.retry
        lines: list[str] = []  # a 4xx, or a body that is not text: everything allowed
        if resp.status == 200:
            try:
                lines = resp.text().splitlines()
            except FetchError:
                lines = []
        rules.parse(lines)  # also marks the rules read: can_fetch is False until then
        return rules, now + self.ttl
