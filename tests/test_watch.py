"""`watch`: feeds polled from a loopback server, entries folded into stories, the schedule
kept, and a crash that loses and duplicates nothing. The clock is fake: no test sleeps."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from storyfold.follow.fetcher import Fetcher
from storyfold.follow.watch import Event, Watcher
from storyfold.pipeline import Pipeline
from storyfold.settings import FetchSettings, WatchSettings
from storyfold.store import Store, open_store
from tests.follow_feeds import STORIES, atom, json_feed, page, rss091, rss10, rss20
from tests.follow_server import Fixture, redirect, serve

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
WS = WatchSettings(host_delay_s=2.0, batch=64)


@dataclass
class Clock:
    now: datetime = T0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def fx():
    with serve() as fixture:
        yield fixture


@pytest.fixture
def store(tmp_path):
    st = open_store(f"sqlite:///{tmp_path / 'watch.db'}")
    yield st
    st.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def watcher(store: Store, embedder, clock: Clock, settings: WatchSettings = WS,
            events: list[Event] | None = None, **kw) -> Watcher:
    fetcher = Fetcher(FetchSettings(allow_private_networks=True, timeout_s=5.0))
    return Watcher(store, Pipeline(store, embedder=embedder), fetcher, settings, clock=clock,
                   rng=random.Random(1), sleep=clock.sleep,
                   on_event=events.append if events is not None else None, **kw)


def feeds_in_every_format(fx: Fixture) -> list[str]:
    base = fx.url("")
    fx.static("/rss20.xml", rss20(base, STORIES), ctype="application/rss+xml")
    fx.static("/rss091.xml", rss091(base, STORIES), ctype="text/xml")
    fx.static("/rss10.rdf", rss10(base, STORIES), ctype="application/rdf+xml")
    fx.static("/atom.xml", atom(base, STORIES), ctype="application/atom+xml")
    fx.static("/feed.json", json_feed(base, STORIES), ctype="application/feed+json")
    return [fx.url(p) for p in ("/rss20.xml", "/rss091.xml", "/rss10.rdf", "/atom.xml",
                                "/feed.json")]


def test_every_feed_format_is_followed_and_one_event_from_five_feeds_is_one_story(
        fx, store, embedder, clock) -> None:
    urls = feeds_in_every_format(fx)
    for url in urls:
        store.add_source(url)
    totals = watcher(store, embedder, clock).run(once=True)
    assert totals.polled == 5 and totals.new_entries == 15 and totals.added == 15
    sources = store.sources()
    assert [s.articles for s in sources] == [3] * 5
    assert {s.title for s in sources} == {"Lanford Courier", "Bay Gazette", "Valley Times",
                                          "Marrow Herald", "Coast Post"}
    assert all(s.last_status == "ok" and s.last_fetch is not None
               and s.next_fetch == s.last_fetch + timedelta(minutes=30) for s in sources)
    stories = list(store.iter_stories())
    assert len(stories) == 3 and sorted(len(s.members) for s in stories) == [5, 5, 5]


def test_the_next_poll_is_conditional_and_takes_nothing_twice(fx, store, embedder,
                                                              clock) -> None:
    body = rss20(fx.url(""), STORIES[:2]).encode()

    def conditional(h):
        if h.headers.get("If-None-Match") == '"r1"':
            return 304, {"ETag": '"r1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"r1"'}, body

    fx.routes["/feed"] = conditional
    fx.static("/plain", rss20(fx.url(""), STORIES[:1], title="Plain"), ctype="text/xml")
    store.add_source(fx.url("/feed"))
    store.add_source(fx.url("/plain"))
    w = watcher(store, embedder, clock)
    assert w.run(once=True).added == 3
    assert w.poll_due() == 0  # nothing is due yet
    clock.advance(minutes=31)
    assert w.poll_due() == 2
    assert w.totals.added == 3 and w.totals.new_entries == 3
    feed = store.source_by_url(fx.url("/feed"))
    assert feed is not None and feed.last_status == "not modified" and feed.etag == '"r1"'
    assert fx.requests[-1][1].get("if-none-match") is None  # /plain sends no validators
    assert [h.get("if-none-match") for p, h in fx.requests if p == "/feed"] == [None, '"r1"']
    assert store.article_count() == 3


def test_summary_only_entries_are_fetched_as_pages(fx, store, embedder, clock) -> None:
    base = fx.url("")
    fx.static("/feed", rss20(base, STORIES, summary=True), ctype="application/rss+xml")
    for s in STORIES:
        fx.static(f"/news/{s['id']}.html", page(s))
    store.add_source(fx.url("/feed"))
    events: list[Event] = []
    watcher(store, embedder, clock, events=events).run(once=True)
    assert all(fx.hits(f"/news/{s['id']}.html") == 1 for s in STORIES)
    articles = store.articles(a for s in store.iter_stories() for a in
                              [m.article_id for m in s.members])
    texts = {a.title: a.text for a in articles.values()}
    assert "Amalia Renner" in texts["Lanford ferry service resumes after winter storms"]
    assert "Copyright" not in " ".join(texts.values())  # extracted, not the whole page
    assert all(a.source == "Lanford Courier" for a in articles.values())
    assert len([e for e in events if e.kind == "page"]) == 3
    assert clock.slept and all(s <= 2.0 for s in clock.slept)  # one host: requests spaced


def test_robots_txt_is_obeyed_for_feeds_and_pages(fx, store, embedder, clock) -> None:
    base = fx.url("")
    fx.static("/robots.txt", "User-agent: storyfold\nDisallow: /private/\n", ctype="text/plain")
    fx.static("/private/feed", rss20(base, STORIES), ctype="application/rss+xml")
    fx.static("/open/feed", rss20(base, STORIES[:1], summary=True).replace(
        f"{base}/news/", f"{base}/private/news/"), ctype="application/rss+xml")
    store.add_source(fx.url("/private/feed"))
    store.add_source(fx.url("/open/feed"))
    watcher(store, embedder, clock).run(once=True)
    closed = store.source_by_url(fx.url("/private/feed"))
    assert closed is not None and "robots.txt" in (closed.last_error or "")
    assert fx.hits("/private/feed") == 0 and fx.hits("/private/news/ferry.html") == 0
    assert fx.hits("/robots.txt") == 1  # read once per host, then kept
    opened = store.source_by_url(fx.url("/open/feed"))
    assert opened is not None and opened.last_status == "ok"


def test_a_permanent_redirect_moves_the_source_and_a_temporary_one_does_not(
        fx, store, embedder, clock) -> None:
    fx.static("/feed.xml", rss20(fx.url(""), STORIES[:1]), ctype="application/rss+xml")
    fx.routes["/old"] = redirect("/feed.xml", 308)
    fx.routes["/today"] = redirect("/feed.xml", 302)
    store.add_source(fx.url("/old"))
    store.add_source(fx.url("/today"))
    watcher(store, embedder, clock).run(once=True)
    assert [s.url for s in store.sources()] == [fx.url("/feed.xml"), fx.url("/today")]


def test_gone_disables_and_not_found_disables_after_repeats(fx, store, embedder,
                                                             clock) -> None:
    fx.static("/gone", "gone", status=410)
    store.add_source(fx.url("/gone"))
    store.add_source(fx.url("/missing"))  # the server answers 404
    w = watcher(store, embedder, clock, WatchSettings(max_not_found=3, backoff_min=1,
                                                      jitter=0.0))
    for _ in range(4):
        w.poll_due()
        clock.advance(hours=1)
    gone, missing = store.sources()
    assert gone.disabled is not None and fx.hits("/gone") == 1
    assert missing.disabled is not None and fx.hits("/missing") == 3
    assert store.due_sources(clock.now + timedelta(days=30)) == []


def test_too_many_requests_waits_for_retry_after(fx, store, embedder, clock) -> None:
    fx.static("/busy", "slow down", status=429, Retry_After="3600")
    fx.static("/down", "maintenance", status=503)
    store.add_source(fx.url("/busy"))
    store.add_source(fx.url("/down"))
    watcher(store, embedder, clock, WatchSettings(backoff_min=10, jitter=0.0)).run(once=True)
    busy, down = store.sources()
    assert busy.next_fetch == T0 + timedelta(hours=1) and busy.last_status == "http 429"
    assert down.next_fetch is not None
    assert down.next_fetch - down.last_fetch == timedelta(minutes=10)  # type: ignore[operator]


def test_broken_feeds_and_pages_served_as_feeds_are_errors_and_store_nothing(
        fx, store, embedder, clock) -> None:
    fx.static("/broken", "<?xml version='1.0'?><rss><channel><item><title>Half",
              ctype="application/rss+xml")
    fx.static("/html", "<!doctype html><html><body><p>Just a page.</p></body></html>",
              ctype="application/rss+xml")
    fx.static("/image", b"\x89PNG\r\n", ctype="image/png")
    for path in ("/broken", "/html", "/image"):
        store.add_source(fx.url(path))
    watcher(store, embedder, clock).run(once=True)
    errors = [s.last_error for s in store.sources()]
    assert all(errors) and store.article_count() == 0
    assert "HTML page" in errors[1] and "image/png" in errors[2]  # type: ignore[operator]


def test_sources_on_one_host_are_spaced_and_other_hosts_are_not_held_up(store, embedder,
                                                                        clock) -> None:
    with serve("127.0.0.1") as one, serve("127.0.0.2") as two:
        for fx, name in ((one, "a"), (one, "b"), (two, "c")):
            fx.static(f"/{name}", rss20(fx.url(""), STORIES[:1], title=name.upper()),
                      ctype="application/rss+xml")
        store.add_source(one.url("/a"))
        store.add_source(one.url("/b"))
        store.add_source(two.url("/c"))
        w = watcher(store, embedder, clock)
        w.run(once=True)
    order = [s.title for s in store.sources()]
    assert order == ["A", "B", "C"]
    # host 1's robots.txt, a and b are spaced by the delay; host 2 is polled by another
    # worker meanwhile (the fake clock is shared, so a wait may come out shorter)
    assert len(clock.slept) >= 1 and all(0 < s <= 2.0 for s in clock.slept)
    assert one.hits("/a") == one.hits("/b") == two.hits("/c") == 1


def test_a_stop_request_finishes_the_batch_and_leaves_the_rest_due(fx, store, embedder,
                                                                  clock) -> None:
    urls = feeds_in_every_format(fx)
    for url in urls:
        store.add_source(url)
    events: list[Event] = []
    w = watcher(store, embedder, clock, events=events)

    def stop_after_first_poll(event: Event) -> None:
        events.append(event)
        if event.kind == "poll":
            w.stop.set()

    w.on_event = stop_after_first_poll
    w.run()
    first = store.source_by_url(urls[0])
    assert first is not None and first.articles == 3
    assert len(store.due_sources(clock.now)) == 4
    assert events[-1].kind == "stop"


def test_a_crash_after_storing_articles_loses_and_duplicates_nothing(
        fx, store, embedder, clock, tmp_path, monkeypatch) -> None:
    urls = feeds_in_every_format(fx)
    for url in urls:
        store.add_source(url)
    w = watcher(store, embedder, clock, WatchSettings(batch=3))

    class Killed(BaseException):
        pass

    calls = {"n": 0}
    real = store.record_entries

    def die_on_second_batch(source_id, entries):
        calls["n"] += 1
        if calls["n"] == 2:  # the pipeline stored batch 2's articles; its entries are lost
            raise Killed
        real(source_id, entries)

    monkeypatch.setattr(store, "record_entries", die_on_second_batch)
    with pytest.raises(Killed):
        w.run(once=True)
    monkeypatch.setattr(store, "record_entries", real)
    before = store.article_count()
    assert 0 < before < 15
    again = watcher(store, embedder, clock).run(once=True)
    assert store.article_count() == 15 and again.already_stored >= 3
    assert [s.articles for s in store.sources()] == [3] * 5
    assert sorted(len(s.members) for s in store.iter_stories()) == [5, 5, 5]
    clock.advance(hours=1)
    assert watcher(store, embedder, clock).run(once=True).new_entries == 0


def test_feeds_on_different_hosts_are_fetched_at_once(store, embedder, clock) -> None:
    """Host 1's feed answers only once host 2's feed has been asked for: polled one after
    the other, host 1 would give up waiting and answer 503."""
    import threading

    asked = threading.Event()
    with serve("127.0.0.1") as one, serve("127.0.0.2") as two:
        feed_one = rss20(one.url(""), STORIES[:1], title="One").encode()

        def waits_for_two(h):
            if not asked.wait(3.0):
                return 503, {"Content-Type": "text/plain"}, b"polled alone"
            return 200, {"Content-Type": "application/rss+xml"}, feed_one

        def two_feed(h):
            asked.set()
            return (200, {"Content-Type": "application/rss+xml"},
                    rss20(two.url(""), STORIES[1:2], title="Two").encode())

        one.routes["/feed"] = waits_for_two
        two.routes["/feed"] = two_feed
        store.add_source(one.url("/feed"))
        store.add_source(two.url("/feed"))
        watcher(store, embedder, clock, WatchSettings(workers=2)).run(once=True)
    assert [s.last_status for s in store.sources()] == ["ok", "ok"]
