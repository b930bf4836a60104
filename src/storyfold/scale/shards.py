"""One placer per language shard: a run's prepared articles routed by their language, each
shard placed in arrival order by its own `Pipeline`, which sees only its shard's stories.

Why this gives a single placer's stories: an article is placed among the stories of its
own language already (`place_languages`: a non-English article's placement vector comes
from the multilingual space, and word scores do not meet across languages), and stories in
two languages are linked afterwards, not merged. So a shard's placer, holding only its own
stories, makes the choices the single placer made; the cross-language link pass of each
shard looks among every shard's stories (`Pipeline.link_pool`), as the single placer's did.

What each shard's placer owns, and what keeps the store consistent:
- its own active window and index (`ShardView.story_states` lets only the shard's stories
  in), so a join, a split or a merge never reaches another shard's story;
- its share of the pending set (`ShardView.pending`): a story an interrupted run left
  pending is finished by the placer of its shard, so a killed run plus its re-run ends as
  one clean run;
- story ids are "s" + the founding article's id, unique whatever placer makes them.
The placers take turns in this process under the store's one writer lease (held here for
the whole run): their writes are chunk transactions, one at a time, on one connection.

A story's shard is the shard of its founding members' language; stories this run saves are
known by the placer that saved them, stored ones are looked up once, all the stories of one
read in one query (`Router.learn`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from itertools import chain
from typing import Any, cast

from storyfold.errors import SettingsError
from storyfold.model import StoryState
from storyfold.pipeline import Feed, Inline, Pipeline, RunReport
from storyfold.prepare import Prepared
from storyfold.store.base import Store

log = logging.getLogger(__name__)

UNKNOWN = "und"  # the shard of articles whose language is not known (ISO 639-2 "undetermined")
LOOKUP_MEMBERS = 3  # members read to tell a stored story's language (its earliest ones)


def parse_shards(spec: str) -> dict[str, str]:
    """`scale.shards` as language → shard name: "de fr; es pt" puts German and French in
    shard "de+fr", Spanish and Portuguese in "es+pt"; a language named twice is an error."""
    out: dict[str, str] = {}
    for group in spec.split(";"):
        langs = group.split()
        name = "+".join(langs)
        for lang in langs:
            if lang in out:
                raise SettingsError(f"scale.shards names {lang!r} in two groups; put each "
                                    "language in one")
            out[lang] = name
    return out


class Router:
    """Which shard an article or a stored story belongs to."""

    def __init__(self, store: Store, spec: str = "") -> None:
        self.store = store
        self.groups = parse_shards(spec)
        self._stories: dict[str, str] = {}  # story id → shard, as known or looked up

    def shard_of(self, lang: str | None) -> str:
        if not lang:
            return UNKNOWN
        return self.groups.get(lang, lang)

    def note(self, story_id: str, shard: str) -> None:
        self._stories[story_id] = shard

    def story_shard(self, story_id: str) -> str:
        """The shard of a stored story: of the language most of its first members are in
        (a story that no longer has members: the unknown shard, which finishes it)."""
        if story_id not in self._stories:
            self.learn([story_id])
        return self._stories[story_id]

    def learn(self, story_ids: Iterable[str]) -> None:
        """Look up the shards of the stored stories not known yet, in one read: a window
        of stories read back from the store costs one query, not two per story."""
        unknown = [sid for sid in dict.fromkeys(story_ids) if sid not in self._stories]
        if not unknown:
            return
        firsts = self.store.story_languages(unknown, LOOKUP_MEMBERS)
        for sid in unknown:
            langs = Counter(firsts.get(sid, []))
            # ties go to the earliest member's language (Counter keeps first-seen order)
            self._stories[sid] = self.shard_of(langs.most_common(1)[0][0] if langs else None)


class ShardView:
    """The store as one shard's placer sees it: every call passes through, except that
    only the shard's stories are read as active or pending, the stories it saves are noted
    as its own, and the writer lease is the sharded run's (already held)."""

    def __init__(self, store: Store, router: Router, shard: str) -> None:
        self._store = store
        self._router = router
        self.shard = shard

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _mine(self, story_id: str) -> bool:
        return self._router.story_shard(story_id) == self.shard

    def story_states(self, since: datetime | None = None, until: datetime | None = None,
                     ids: Iterable[str] | None = None) -> list[StoryState]:
        states = self._store.story_states(since, until, ids)
        self._router.learn(s.id for s in states)
        return [s for s in states if self._mine(s.id)]

    def pending(self) -> set[str]:
        pending = self._store.pending()
        self._router.learn(pending)
        return {sid for sid in pending if self._mine(sid)}

    def save_story_state(self, state: StoryState) -> None:
        self._router.note(state.id, self.shard)
        self._store.save_story_state(state)

    def writer_lock(self, on_wait: Callable[[], None] | None = None
                    ) -> AbstractContextManager[None]:
        return nullcontext()


class ShardedPlacer:
    """Places a stream of prepared articles with one placer per language shard, made like
    `template` (its settings, embedder, callbacks, analysis), over `template.store`."""

    def __init__(self, template: Pipeline) -> None:
        self.template = template
        self.store = template.store
        self.router = Router(self.store, template.settings.scale.shards)
        self.placers: dict[str, Pipeline] = {}
        self._feeds: dict[str, Feed] = {}
        self._ahead = Inline()  # articles come fingerprinted: nothing is encoded ahead

    def add_prepared(self, items: Iterable[Prepared]) -> RunReport:
        """Route each item to its shard's placer, in arrival order; then finish every
        shard (consolidation, provenance, cross-language links) and return one report."""
        report = RunReport()
        waited = self.template._writer_lease()  # the store's one lease, for every shard
        with waited, self._ahead:
            pending = sorted(self.store.pending())  # an interrupted run's, by shard
            self.router.learn(pending)
            for sid in pending:
                self._feed(self.router.story_shard(sid), report)
            for item in items:
                lang = item.article.lang if item.article is not None else None
                self._feed(self.router.shard_of(lang), report).push(item)
            for shard in sorted(self._feeds):  # every article placed, then every shard
                self._feeds[shard].end()       # finished: the last link passes see all
            for shard in sorted(self._feeds):
                self.placers[shard]._finish(report)
        log.info("placed by %d shard(s): %s", len(self.placers), ", ".join(sorted(self.placers)))
        return report

    def _feed(self, shard: str, report: RunReport) -> Feed:
        if shard not in self._feeds:
            t = self.template
            view = cast(Store, ShardView(self.store, self.router, shard))
            pipe = Pipeline(view, t.settings, embedder=t.embedder, on_error=t.on_error,
                            on_progress=t.on_progress, provenance=t.provenance,
                            analyze=t.analyze,
                            analyzer=t.analyzer() if t.analyze else None)
            pipe.multilingual = t.multilingual
            pipe.link_pool = self._every_story
            pipe._begin(report)
            self.placers[shard] = pipe
            self._feeds[shard] = Feed(pipe, report, self._ahead)
        return self._feeds[shard]

    def _every_story(self) -> Iterator[StoryState]:
        """The stories every shard's placer holds: where a cross-language link is found."""
        return chain.from_iterable(p.index() for p in list(self.placers.values()))

    @property
    def reused(self) -> int:
        return sum(p.reused for p in self.placers.values())
