"""Which stories placement holds in memory: the active window, not everything ever stored.

An article can only join a story whose span lies within the join window of its date
(`place.max_gap_days` plus `place.grace_days`); anything older can never be joined by
news of today. So the story index holds the stories last seen within that window of the
newest article (plus `place.active_slack_days`, so that a slightly late article finds its
stories without a read), and sets the rest aside as the stream moves on; the store keeps
them. Memory then follows the news of the last few days, not the size of the store.

Exactness is kept where dates allow it: an article dated before the window held is a late
arrival, and the stories its own window needs are read back from the store before it is
scored (`cover`); a copy whose original's story was set aside brings that story back
(`bring_back`). Undated stories have no place in time: they stay until `place.max_active`
stories are held, then the least recently changed are set aside first, dated or not; an
undated article is scored against the stories held.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from storyfold.place import StoryIndex
from storyfold.settings import DEFAULTS, PlaceSettings
from storyfold.store.base import Store


def join_window(settings: PlaceSettings) -> timedelta:
    """How far from a story's span an article may still join it."""
    return timedelta(days=settings.max_gap_days + settings.grace_days)


def _hold_from(newest: datetime | None, settings: PlaceSettings) -> datetime | None:
    """The earliest `last_seen` a held story may have, given the newest article's date."""
    if newest is None:
        return None
    return newest - join_window(settings) - timedelta(days=settings.active_slack_days)


def load_active(store: Store, settings: PlaceSettings = DEFAULTS.place
                ) -> tuple[StoryIndex, ActiveWindow]:
    """The story index of a store's active window, and the window that keeps it so."""
    count = store.article_count()
    if count == 0:  # a new store: nothing to read
        empty = StoryIndex([], {}, 0, settings)
        return empty, ActiveWindow(store, empty, settings)
    newest = store.latest_seen()
    since = _hold_from(newest, settings)
    # (a store of undated stories only is read whole here, then cut to `max_active`)
    index = StoryIndex(store.story_states(since), store.document_frequencies(), count,
                       settings)
    window = ActiveWindow(store, index, settings, newest=newest, held_from=since)
    window.shed()
    return index, window


class ActiveWindow:
    """Keeps a `StoryIndex` to the stories an arriving article can join.

    Invariant (until `max_active` forces stories out): every stored story whose
    `last_seen` is at or after `held_from` is in the index.
    """

    def __init__(self, store: Store, index: StoryIndex, settings: PlaceSettings = DEFAULTS.place,
                 newest: datetime | None = None, held_from: datetime | None = None) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.newest = newest
        self.held_from = held_from  # None: everything stored is held
        self.reads = 0  # stories read back from the store (late articles, copies)
        self.set_aside = 0  # stories let go to bound memory

    def cover(self, published: datetime | None) -> None:
        """Make sure the stories an article of this date could join are held: read back
        those a late article needs, and note the date as the newest when it is."""
        if published is None:
            return
        if self.newest is None or published > self.newest:
            self.newest = published
        need = published - join_window(self.settings)
        if self.held_from is not None and need < self.held_from:
            states = self.store.story_states(need, until=self.held_from)
            for state in states:
                if state.id not in self.index:
                    self.index.put(state)
                    self.reads += 1
            self.held_from = need

    def hold_for_consolidation(self, story_ids: Iterable[str]) -> None:
        """Hold the stories a consolidation pass works on, and every story they could merge
        with: those within the join window of the earliest of them (a story placed in an
        earlier chunk of the pass may have been set aside since, and a late one's merge
        partners are as old as it is)."""
        story_ids = list(story_ids)
        self._read_back([sid for sid in story_ids if sid not in self.index])
        firsts = [s.first_seen for sid in story_ids if sid in self.index
                  and (s := self.index.get(sid)).first_seen is not None]
        if firsts:
            newest = self.newest
            self.cover(min(firsts))
            self.newest = newest

    def bring_back(self, story_id: str) -> bool:
        """Hold a story that was set aside (a copy points to it); False if it is gone."""
        if story_id not in self.index:
            self._read_back([story_id])
        return story_id in self.index

    def _read_back(self, story_ids: list[str]) -> None:
        """Hold these stories again, as stored (those that no longer exist are skipped)."""
        for state in self.store.story_states(ids=story_ids) if story_ids else []:
            self.index.put(state)
            self.reads += 1

    def shed(self) -> None:
        """Set aside the stories the newest article has left behind, then, beyond
        `max_active`, the least recently changed. Call between transactions: every held
        story is then as stored."""
        cut = _hold_from(self.newest, self.settings)
        if cut is not None and (self.held_from is None or cut > self.held_from):
            old = [s.id for s in self.index
                   if s.last_seen is not None and s.last_seen < cut]
            for sid in old:
                self.index.remove(sid)
            self.set_aside += len(old)
            self.held_from = cut
        over = len(self.index) - self.settings.max_active
        for sid in self.index.least_recently_used(over):
            self.index.remove(sid)
            self.set_aside += 1
