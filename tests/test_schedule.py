"""The polling schedule: what each answer does to a source and when it is polled next."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from storyfold.follow.schedule import Poll, after_poll, backoff, retry_after
from storyfold.model import Source
from storyfold.settings import WatchSettings

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
WS = WatchSettings(interval_min=30, min_interval_min=5, max_interval_h=24, backoff_min=10,
                   jitter=0.2, max_not_found=3)
SRC = Source(id=1, url="https://news.example/feed")


def poll(src: Source, status: int | None, seed: int = 0, **kw) -> Source:
    return after_poll(src, Poll(status, **kw), NOW, WS, random.Random(seed))


def test_a_success_keeps_the_validators_and_waits_the_interval() -> None:
    got = poll(SRC, 200, headers={"etag": '"v2"', "last-modified": "Tue, 01 Dec 2026 GMT"})
    assert (got.etag, got.last_modified, got.last_status) == ('"v2"', "Tue, 01 Dec 2026 GMT",
                                                              "ok")
    assert got.next_fetch == NOW + timedelta(minutes=30) and got.last_fetch == NOW


def test_not_modified_keeps_the_old_validators_and_clears_errors() -> None:
    failing = Source(id=1, url=SRC.url, etag='"v1"', failures=3, not_found=1, last_error="x")
    got = poll(failing, 304)
    assert got.etag == '"v1"' and got.last_status == "not modified"
    assert (got.failures, got.not_found, got.last_error) == (0, 0, None)


def test_cache_control_and_ttl_lengthen_the_wait_within_bounds() -> None:
    assert poll(SRC, 200, headers={"cache-control": "public, max-age=7200"}).next_fetch == (
        NOW + timedelta(hours=2))
    assert poll(SRC, 200, ttl_minutes=90).next_fetch == NOW + timedelta(minutes=90)
    assert poll(SRC, 200, headers={"cache-control": "max-age=60"}).next_fetch == (
        NOW + timedelta(minutes=30))  # shorter than the interval: the interval
    assert poll(SRC, 200, ttl_minutes=60 * 24 * 30).next_fetch == NOW + timedelta(hours=24)


def test_errors_back_off_exponentially_with_jitter() -> None:
    waits = [backoff(n, WS, random.Random(7)) for n in (1, 2, 3, 4)]
    for n, wait in enumerate(waits, start=1):
        nominal = timedelta(minutes=10 * 2 ** (n - 1))
        assert nominal * 0.8 <= wait <= nominal * 1.2
    assert backoff(20, WS, random.Random(7)) == timedelta(hours=24)
    spread = {backoff(3, WS, random.Random(seed)) for seed in range(20)}
    assert len(spread) > 10  # two sources failing together do not retry together
    src = SRC
    for _ in range(3):
        src = poll(src, 500)
    assert src.failures == 3 and src.last_status == "http 500" and src.disabled is None


def test_retry_after_is_honoured_on_429_and_503() -> None:
    got = poll(SRC, 429, headers={"retry-after": "7200"})
    assert got.next_fetch == NOW + timedelta(hours=2) and got.failures == 1
    date = "Wed, 02 Dec 2026 11:00:00 GMT"
    assert poll(SRC, 503, headers={"retry-after": date}).next_fetch == NOW + timedelta(hours=3)
    assert retry_after("soon", NOW) is None
    short = poll(SRC, 429, headers={"retry-after": "1"}, seed=3)
    assert short.next_fetch is not None and short.next_fetch >= NOW + timedelta(minutes=8)


def test_gone_disables_at_once_and_repeated_404s_disable() -> None:
    assert poll(SRC, 410).disabled is not None
    src = SRC
    for n in range(1, 4):
        src = poll(src, 404)
        assert src.not_found == n
        assert (src.disabled is not None) == (n == 3)
    assert poll(poll(poll(SRC, 404), 200), 404).not_found == 1  # a success resets the count


def test_a_permanent_redirect_moves_the_source() -> None:
    got = poll(SRC, 200, moved_to="https://news.example/rss")
    assert got.url == "https://news.example/rss"
    assert poll(SRC, None, error="cannot connect").url == SRC.url
