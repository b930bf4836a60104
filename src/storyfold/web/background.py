"""Analysis after a write, off the request: the server's answer to "read instantly".

A POSTed article changes one story; its comparison and write-up take seconds (spaCy, the
encoder), which the writer should not wait for and the next reader should not pay. One
worker thread analyses the stories writes changed, each once however often it changed
while queued, through its own store connection; a reader arriving first computes it
itself, as before (the cache makes the second computation a read).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from storyfold.analyze.service import StoryAnalyzer, analyse_stories
from storyfold.native_memory import give_back
from storyfold.store.base import Store

log = logging.getLogger(__name__)


class BackgroundAnalysis:
    """A queue of story ids and the one thread that analyses them."""

    def __init__(self, store: Callable[[], Store], analyzer: StoryAnalyzer) -> None:
        self._store = store  # the calling thread's connection (`Services.store`)
        self._analyzer = analyzer
        self._queued: list[str] = []
        self._wanted: set[str] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.done = 0  # stories analysed, for tests and logs

    def submit(self, story_ids: Iterable[str]) -> None:
        with self._cond:
            if self._closed:
                return
            for sid in story_ids:
                if sid not in self._wanted:
                    self._wanted.add(sid)
                    self._queued.append(sid)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, daemon=True,
                                                name="storyfold-analysis")
                self._thread.start()
            self._cond.notify()

    def idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or being analysed (tests, shutdown); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._wanted, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._queued.clear()
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queued or self._closed)
                if self._closed:
                    self._wanted.clear()
                    self._cond.notify_all()
                    return
                sid = self._queued.pop(0)
            try:
                self.done += analyse_stories(self._store(), self._analyzer, [sid])
            except Exception:  # noqa: BLE001 - the thread must outlive one bad story
                log.exception("background analysis of story %s failed", sid)
            finally:
                with self._cond:
                    self._wanted.discard(sid)
                    drained = not self._queued
                    self._cond.notify_all()
            if drained:  # a pass is over: hand its freed pages back (see native_memory.py)
                give_back()
