"""When to poll a source next, and what one poll does to its state: pure functions of the
source, what the poll got, the time and a random source (so tests fix both).

- a success (200, or 304 Not Modified) resets the error counts and waits the source's interval:
  the default, or longer when the server says its content stays fresh longer
  (`Cache-Control: max-age`, RSS `<ttl>`), within [min_interval_min, max_interval_h];
- 429 and 503 wait what `Retry-After` says (seconds or an HTTP date), never less than the
  backoff;
- any other failure waits an exponential backoff with jitter: backoff_min × 2^(errors − 1),
  scaled by a random factor in [1 − jitter, 1 + jitter] so that sources failing together
  do not retry together;
- 410 Gone disables the source at once, and `max_not_found` 404s in a row disable it;
- a redirect chain of only permanent redirects (301/308) moves the source to its new URL.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from storyfold.model import Source
from storyfold.settings import WatchSettings

_MAX_AGE = re.compile(r"(?:^|[,\s])(s-)?max-age\s*=\s*\"?(\d+)", re.I)


@dataclass(frozen=True)
class Poll:
    """What one poll of a feed got."""

    status: int | None  # the HTTP status; None when the fetch itself failed
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None  # one line, for any failure (a fetch error, a broken feed...)
    moved_to: str | None = None  # the new URL after permanent redirects only
    ttl_minutes: float | None = None  # the feed's own <ttl>


def after_poll(source: Source, poll: Poll, now: datetime, settings: WatchSettings,
               rng: random.Random) -> Source:
    """The source's state after `poll`, with its next fetch time."""
    base = replace(source, url=poll.moved_to or source.url, last_fetch=now)
    status = poll.status
    if status in (200, 304) and poll.error is None:
        headers = poll.headers
        return replace(
            base, last_status="ok" if status == 200 else "not modified", last_error=None,
            failures=0, not_found=0,
            etag=headers.get("etag") or (source.etag if status == 304 else None),
            last_modified=headers.get("last-modified") or (
                source.last_modified if status == 304 else None),
            next_fetch=now + fresh_interval(headers, poll.ttl_minutes, settings))
    label = f"http {status}" if status is not None and status >= 400 else "error"
    error = poll.error or f"HTTP {status}"
    if status == 410:
        return replace(base, last_status=label, last_error=error, next_fetch=None,
                       disabled=f"410 Gone on {now:%Y-%m-%d}: the feed is no more")
    not_found = source.not_found + 1 if status == 404 else 0
    failures = source.failures + 1
    if status == 404 and not_found >= settings.max_not_found:
        return replace(base, last_status=label, last_error=error, failures=failures,
                       not_found=not_found, next_fetch=None,
                       disabled=f"{not_found} times 404 Not Found in a row")
    wait = backoff(failures, settings, rng)
    if status in (429, 503):
        told = retry_after(poll.headers.get("retry-after"), now)
        if told is not None:
            wait = max(wait, min(told, timedelta(hours=settings.max_interval_h)))
    return replace(base, last_status=label, last_error=error, failures=failures,
                   not_found=not_found, next_fetch=now + wait)


def fresh_interval(headers: Mapping[str, str], ttl_minutes: float | None,
                   settings: WatchSettings) -> timedelta:
    """The wait after a success: the default interval, or the server's longer freshness."""
    minutes = settings.interval_min
    match = _MAX_AGE.search(headers.get("cache-control", ""))
    if match:
        minutes = max(minutes, int(match.group(2)) / 60)
    if ttl_minutes:
        minutes = max(minutes, ttl_minutes)
    minutes = min(max(minutes, settings.min_interval_min), settings.max_interval_h * 60)
    return timedelta(minutes=minutes)


def backoff(failures: int, settings: WatchSettings, rng: random.Random) -> timedelta:
    """The wait after the `failures`-th error in a row: doubling, jittered, capped."""
    minutes = settings.backoff_min * 2 ** max(failures - 1, 0)
    minutes *= rng.uniform(1 - settings.jitter, 1 + settings.jitter)
    return timedelta(minutes=min(minutes, settings.max_interval_h * 60))


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A `Retry-After` header as a wait: delay-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))
