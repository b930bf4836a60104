"""`storyfold watch`: poll the sources that are due, take their new entries, and fold them
into stories through the pipeline, batch by batch, until stopped.

Why nothing is lost or duplicated across a crash: a batch's articles are stored by the
pipeline first, and only then — in one transaction — are its entries recorded as taken and
its sources' new states (validators, next fetch) saved. A process killed in between leaves
those sources due and their entries untaken, so the next `watch` fetches them again
(unconditionally: the validators were not saved either) and the pipeline, which skips stored
articles, adds what is missing and nothing twice.

One writer: a batch runs under the store's writer lease, as `run` does, so a `run` beside a
`watch` takes turns with it; feeds are fetched by `workers` threads, but only the main thread
touches the store. Politeness: requests to one host are `host_delay_s` apart (one worker
polls one host's feeds in turn), and robots.txt is obeyed for feeds and pages alike.
The clock, the random source (jitter) and sleeping are injected, so tests run no real time.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from storyfold.errors import FeedError, FetchError, IngestError, StoryfoldError
from storyfold.follow.feeds import Entry, Feed, parse_feed
from storyfold.follow.fetcher import FEED_TYPES, Fetcher, Response
from storyfold.follow.pages import fetch_page
from storyfold.follow.robots import Robots
from storyfold.follow.schedule import Poll, after_poll
from storyfold.model import RawDocument, Source
from storyfold.pipeline import Pipeline
from storyfold.settings import WatchSettings
from storyfold.store.base import Store

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """One thing `watch` did, for the live status or one structured line."""

    kind: str  # "poll", "page", "batch", "wait", "stop"
    url: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None

    def line(self) -> str:
        data: dict[str, Any] = {"event": self.kind}
        if self.at is not None:
            data["at"] = self.at.isoformat()
        if self.url is not None:
            data["url"] = self.url
        data.update(self.fields)
        return json.dumps(data, ensure_ascii=False, default=str)


@dataclass
class Totals:
    """What a `watch` did so far."""

    polled: int = 0
    new_entries: int = 0
    added: int = 0
    already_stored: int = 0
    skipped: int = 0  # entries that gave no article
    failed_polls: int = 0
    batches: int = 0


@dataclass(frozen=True)
class _Fetched:
    """What a worker got for one source: the response and the parsed feed, or why not."""

    source: Source
    at: datetime
    resp: Response | None = None
    feed: Feed | None = None
    error: str | None = None  # the fetch failed (no resp), or the body is no feed


@dataclass
class _Taken:
    """One polled source waiting for its batch to be stored."""

    state: Source  # saved after the batch
    path: str  # the documents' path (the URL polled)
    docs: list[RawDocument] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # entries recorded as taken after the batch


class Watcher:
    """Polls due sources and ingests their new entries; one instance per `watch`."""

    def __init__(self, store: Store, pipeline: Pipeline, fetcher: Fetcher,
                 settings: WatchSettings, *, clock: Callable[[], datetime] = utcnow,
                 rng: random.Random | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 on_event: Callable[[Event], None] | None = None,
                 stop: threading.Event | None = None) -> None:
        self.store = store
        self.pipeline = pipeline
        self.fetcher = fetcher
        self.settings = settings
        self.clock = clock
        self.rng = rng or random.Random()
        self.sleep = sleep
        self.on_event = on_event
        self.stop = stop or threading.Event()
        self.totals = Totals()
        self._last_hit: dict[str, datetime] = {}
        self._hits_lock = threading.Lock()
        self._abort = threading.Event()  # ends the workers of a poll_due that is leaving
        self.robots = Robots(fetcher, timedelta(hours=settings.robots_ttl_h),
                             timedelta(minutes=settings.backoff_min), clock, self._polite)

    # ---- the loop -------------------------------------------------------------------------
    def run(self, once: bool = False) -> Totals:
        """Poll rounds until `stop` is set (SIGINT/SIGTERM), or one round with `once`."""
        while not self.stop.is_set():
            polled = self.poll_due()
            if once:
                break
            if not polled:
                self.stop.wait(self.settings.idle_s)
        self._emit(Event("stop", fields=self._summary()))
        return self.totals

    def poll_due(self) -> int:
        """Poll every source due now, in batches; returns how many were polled.

        Feeds are fetched by `workers` threads, one host's sources in order by one thread (so
        the per-host delay holds), and taken here, in this thread, as they arrive: only this
        thread reads or writes the store. A stop request ends it after the batch in progress
        is stored; sources fetched but not yet taken stay due, their state untouched."""
        batch: list[_Taken] = []
        polled = 0
        self._abort.clear()
        groups = _by_host(self.store.due_sources(self.clock()))
        with ThreadPoolExecutor(max_workers=max(1, self.settings.workers),
                                thread_name_prefix="storyfold-poll") as pool:
            futures = [pool.submit(self._fetch_group, g) for g in groups]
            try:
                for future in as_completed(futures):
                    for fetched in future.result():
                        if self.stop.is_set():
                            break
                        batch.append(self._take(fetched, batch))
                        polled += 1
                        if sum(len(t.docs) for t in batch) >= self.settings.batch:
                            self._store(batch)
                            batch = []
                    if self.stop.is_set():
                        break
            finally:
                self._abort.set()  # the workers stop at their next source
        self._store(batch)
        return polled

    # ---- one source: fetched by a worker, taken here ----------------------------------------
    def _fetch_group(self, sources: list[Source]) -> list[_Fetched]:
        out: list[_Fetched] = []
        for source in sources:
            if self.stop.is_set() or self._abort.is_set():
                break
            out.append(self._fetch(source))
        return out

    def _fetch(self, source: Source) -> _Fetched:
        """The network half of a poll (robots.txt, conditional GET, parsing): no store."""
        now = self.clock()
        if not self.robots.allowed(source.url):
            return _Fetched(source, now, error="robots.txt disallows this feed")
        headers = {}
        if source.etag:
            headers["If-None-Match"] = source.etag
        if source.last_modified:
            headers["If-Modified-Since"] = source.last_modified
        self._polite(_host(source.url))
        try:
            resp = self.fetcher.fetch(source.url, accept=FEED_TYPES, headers=headers)
        except FetchError as exc:
            return _Fetched(source, now, error=str(exc))
        if resp.status != 200:
            return _Fetched(source, now, resp)
        try:
            return _Fetched(source, now, resp, parse_feed(resp.body, resp.url))
        except FeedError as exc:
            return _Fetched(source, now, resp, error=str(exc))

    def _take(self, fetched: _Fetched, batch: list[_Taken]) -> _Taken:
        """The store half of a poll: the new state, and the entries not taken before."""
        source, now, resp = fetched.source, fetched.at, fetched.resp
        self.totals.polled += 1
        if resp is None:
            return self._failed(source, Poll(None, error=fetched.error), now)
        moved = self._moved(source, resp.moved_permanently)
        if resp.status != 200:
            poll = Poll(resp.status, resp.headers, moved_to=moved)
            if resp.status == 304:
                return self._done(source, after_poll(source, poll, now, self.settings, self.rng),
                                  now, 0)
            return self._failed(source, poll, now)
        feed = fetched.feed
        if feed is None:
            return self._failed(source, Poll(200, resp.headers, fetched.error, moved), now)
        state = after_poll(source, Poll(200, resp.headers, moved_to=moved,
                                        ttl_minutes=feed.ttl_minutes),
                           now, self.settings, self.rng)
        state = replace(state, title=source.title or feed.title,
                        site_url=source.site_url or feed.site_url)
        taken = _Taken(state, source.url)
        in_batch = {k for t in batch if t.state.id == source.id for k in t.keys}
        keys = [e.key for e in feed.entries]
        seen = self.store.seen_entries(source.id, keys) | in_batch
        for entry in feed.entries:
            if entry.key in seen:  # a stop request waits for the whole feed: its validators
                continue  # are saved with it, so an entry left out would never come back
            seen.add(entry.key)
            taken.keys.append(entry.key)
            taken.docs.append(self._document(state, feed, entry, source.url))
        self.totals.new_entries += len(taken.keys)
        self._emit(Event("poll", source.url, {"status": state.last_status,
                                              "new_entries": len(taken.keys)}, now))
        return taken

    def _document(self, source: Source, feed: Feed, entry: Entry, path: str) -> RawDocument:
        """The entry as a document: its own text, or its page when it carries a summary."""
        name = source.title or feed.title or _host(source.site_url or source.url)
        meta: dict[str, Any] = {"title": entry.title, "date": entry.published, "url": entry.url,
                                "source": name, "author": entry.author,
                                "extra": {"feed": source.url}}
        if (not entry.has_content and entry.url
                and len(entry.text.split()) < self.settings.summary_words):
            page = self._page(entry.url, entry.key)
            if page is not None:
                merged = {**page.meta, **{k: v for k, v in meta.items() if v}}
                return RawDocument(path=path, kind=page.kind, body=page.body, meta=merged,
                                   record=entry.key)
        return RawDocument(path=path, kind="text", body=entry.text,
                           meta={k: v for k, v in meta.items() if v}, record=entry.key)

    def _page(self, url: str, key: str) -> RawDocument | None:
        try:
            if not self.robots.allowed(url):
                raise FetchError(f"{url}: robots.txt disallows this page")
            self._polite(_host(url))
            page = fetch_page(self.fetcher, url, record=key)
        except (FetchError, IngestError) as exc:
            self._emit(Event("page", url, {"error": str(exc), "using": "the feed's summary"},
                             self.clock()))
            return None
        self._emit(Event("page", url, {"words": len(page.body.split())}, self.clock()))
        return page

    def _moved(self, source: Source, to: str | None) -> str | None:
        """The new URL of a permanent redirect, unless another source has it already."""
        if not to or to == source.url:
            return None
        other = self.store.source_by_url(to)
        if other is not None and other.id != source.id:
            log.info("%s moved to %s, which is already a source", source.url, to)
            return None
        return to

    def _failed(self, source: Source, poll: Poll, now: datetime) -> _Taken:
        state = after_poll(source, poll, now, self.settings, self.rng)
        self.totals.failed_polls += 1
        self._emit(Event("poll", source.url, {
            "status": state.last_status, "error": state.last_error,
            "next_fetch": state.next_fetch, "disabled": state.disabled}, now))
        return _Taken(state, source.url)

    def _done(self, source: Source, state: Source, now: datetime, new: int) -> _Taken:
        self._emit(Event("poll", source.url, {"status": state.last_status, "new_entries": new},
                         now))
        return _Taken(state, source.url)

    # ---- storing a batch ------------------------------------------------------------------
    def _store(self, batch: list[_Taken]) -> None:
        """Fold the batch's documents into stories, then record its entries and states."""
        if not batch:
            return
        docs = [d for t in batch for d in t.docs]

        def waiting() -> None:
            self.pipeline.reload()  # the other writer changed the stories
            self._emit(Event("wait", fields={"reason": "another run holds the store"},
                             at=self.clock()))

        with self.store.writer_lock(on_wait=waiting):
            ids: dict[tuple[str, str | None], str] = {}
            if docs:
                report = self.pipeline.add(docs)
                ids = {(path, record): aid for path, record, aid in report.inputs}
                self.totals.added += report.added
                self.totals.already_stored += report.already_stored
                self.totals.skipped += len(report.errors)
                self.totals.batches += 1
            with self.store.transaction():
                for t in batch:
                    self.store.record_entries(t.state.id, [(k, ids.get((t.path, k)))
                                                           for k in t.keys])
                    self.store.update_source(t.state)
        if docs:
            self._emit(Event("batch", fields={"documents": len(docs), **self._summary()},
                             at=self.clock()))

    # ---- politeness -----------------------------------------------------------------------
    def _polite(self, host: str) -> None:
        """Wait until `host_delay_s` has passed since the last request to `host`. The slot is
        reserved under a lock before sleeping, so two threads never take the same one."""
        with self._hits_lock:
            now = self.clock()
            last = self._last_hit.get(host)
            wait = 0.0
            if last is not None:
                wait = max(0.0, self.settings.host_delay_s - (now - last).total_seconds())
            self._last_hit[host] = now + timedelta(seconds=wait)
        if wait > 0:
            self.sleep(wait)

    def _summary(self) -> dict[str, int]:
        t = self.totals
        return {"polled": t.polled, "new_entries": t.new_entries, "added": t.added,
                "already_stored": t.already_stored, "skipped": t.skipped,
                "failed_polls": t.failed_polls}

    def _emit(self, event: Event) -> None:
        log.debug("%s", event.line())
        if self.on_event:
            try:
                self.on_event(event)
            except StoryfoldError:
                log.exception("event handler failed")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _by_host(sources: list[Source]) -> list[list[Source]]:
    """Due sources grouped by host, each group in due order: one worker polls a group."""
    groups: dict[str, list[Source]] = {}
    for s in sources:
        groups.setdefault(_host(s.url), []).append(s)
    return list(groups.values())
