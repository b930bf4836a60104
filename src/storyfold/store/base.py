"""The store contract: everything above the store talks to these protocols, never to SQL.

A backend implements `Store`, which is made of one small protocol per concern:

- `ArticleStore`: articles with their fingerprints, LSH keys, sentence vectors, and the
  document frequencies idf is computed from (written by ingest and fingerprint, read by place);
- `StoryStore`: story states, memberships, provenance and the stories read back out (written
  by place, consolidate and provenance);
- `SearchStore`: full-text search, listing pages, outlets and the embeddings feed of the
  semantic index (read by the web pages and the API);
- `CacheStore`: write-ups and summary-sentence vectors, kept until a story's membership changes;
- `SettingsStore`: the digest of the settings each run used, so a run can tell when the store
  was built with other settings;
- `WorkStore`: the durable to-do set of a run (stories placed into but not yet consolidated
  and given provenance), so a killed run's work is finished by the next one;
- `SourceStore`: the feeds `watch` follows, the state of polling each, the entries already
  taken from them, and the cursors of imports from other readers;

plus `transaction()`, `writer_lock()` and `close()`. What a backend must do is defined by the
contract tests in `tests/store/test_contract.py`: a new backend is one more entry in their
backend list, and is done when they pass. Two backends pass them: SQLite
(`storyfold.store.sqlite`, the embedded default) and PostgreSQL with pgvector
(`storyfold.store.postgres`, a shared server).

Why protocols and not one abstract class: code that needs one concern can ask for just that
protocol (a test double then implements a handful of methods, not thirty), and mypy checks
such uses structurally. A backend still subclasses `Store` explicitly: every method here is
also an `abstractmethod`, so mypy (and Python, at instantiation) reject a backend that misses
one or gets a signature wrong, and the backend inherits `page_key`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from storyfold.model import (
    Article,
    Fingerprint,
    Link,
    Membership,
    SearchHit,
    Source,
    StoryRecord,
    StoryState,
)


class ArticleStore(Protocol):
    """Articles and what is computed once per article. Article ids are unique: callers add
    only ids that `known_ids` does not report (and adding a stored one again is a no-op)."""

    @abstractmethod
    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of `ids` already stored."""

    @abstractmethod
    def add_article(self, article: Article, fp: Fingerprint, lsh: list[tuple[int, int]]
                    ) -> None:
        """Store an article, its fingerprint and its (band, key) LSH entries; the article also
        becomes findable by `search` and appears at the end of `article_embeddings`. An id
        already stored is left as it is (no error): two writers racing on one article agree."""

    @abstractmethod
    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        """The stored articles among `ids` (unknown ids are left out)."""

    @abstractmethod
    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]:
        """The stored fingerprints among `ids`, arrays equal to those added."""

    @abstractmethod
    def save_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        """Set the multilingual vector of stored articles, computed after they were added
        (`place_languages.ensure_vectors`); ids not stored are ignored."""

    @abstractmethod
    def article_languages(self, limit: int) -> list[str]:
        """Up to `limit` distinct identified languages of the stored articles, in code
        order: one index seek per language, so cheap on a store of any size."""

    @abstractmethod
    def by_content_hash(self, content_hash: str) -> list[str]:
        """Ids of the articles with exactly this content hash (exact duplicates), in the
        order they were stored: the first is the source every later copy takes its vector
        from (`reuse.copies`), whichever process asks and whenever."""

    @abstractmethod
    def lsh_candidates(self, keys: list[tuple[int, int]]) -> set[str]:
        """Ids of the articles sharing at least one (band, key) with `keys`."""

    @abstractmethod
    def article_count(self) -> int: ...

    @abstractmethod
    def sentence_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Lead-sentence vectors per article, as float16 rows (possibly zero rows)."""

    @abstractmethod
    def save_sentence_vectors(self, article_id: str, vectors: np.ndarray) -> None:
        """Store (or replace) an article's lead-sentence vectors; kept as float16."""

    @abstractmethod
    def document_frequencies(self) -> dict[str, int]:
        """Term → number of stored articles containing it (the corpus statistics of idf)."""

    @abstractmethod
    def add_document_frequencies(self, counts: dict[str, int]) -> None:
        """Add `counts` to the stored document frequencies."""


class StoryStore(Protocol):
    """Stories: the state clustering needs, memberships, and provenance for reading out."""

    @abstractmethod
    def story_states(self, since: datetime | None = None, until: datetime | None = None,
                     ids: Iterable[str] | None = None) -> list[StoryState]:
        """States of stories: those last seen at or after `since` (and, with `until`, before
        it); stories never seen count as after any `since` unless `until` is given; `ids`
        picks stories by id instead. All stories when nothing is given."""

    @abstractmethod
    def latest_seen(self) -> datetime | None:
        """The latest `last_seen` of any story (None for a store of undated stories)."""

    @abstractmethod
    def save_story_state(self, state: StoryState) -> None:
        """Create or update a story's state (its headline and members are kept)."""

    @abstractmethod
    def set_membership(self, article_id: str, story_id: str, score: float) -> None:
        """Put an article in a story with its placement score (replacing a previous one)."""

    @abstractmethod
    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article id → story id, for the articles among `article_ids` that have one."""

    @abstractmethod
    def delete_story(self, story_id: str) -> None:
        """Remove a story left without members (merged into another)."""

    @abstractmethod
    def move_members(self, article_ids: list[str], story_id: str) -> None:
        """Reassign articles to a story (a split), keeping their scores."""

    @abstractmethod
    def story_member_ids(self, story_id: str) -> list[str]:
        """A story's article ids in the order they were added."""

    @abstractmethod
    def story_languages(self, story_ids: Iterable[str], first: int) -> dict[str, list[str | None]]:
        """The languages of each story's `first` earliest members (in the order added), for
        many stories in one read: which language shard a stored story belongs to
        (`scale.shards`). Stories without members are left out."""

    @abstractmethod
    def save_provenance(
        self, story_id: str, headline: str | None, members: list[Membership], links: list[Link]
    ) -> None:
        """Store a story's headline, its members' roles and its links (replacing old links)."""

    @abstractmethod
    def story(self, story_id: str) -> StoryRecord:
        """A story with its members (oldest published first) and links; NotFound if none."""

    @abstractmethod
    def iter_stories(self) -> Iterator[StoryRecord]:
        """Every story, newest first (by first seen)."""

    @abstractmethod
    def record_alias(self, old_id: str, new_id: str) -> None:
        """Remember that story `old_id` became `new_id` (merged into it), so that links to
        the old id keep working; call it in the transaction that deletes `old_id`."""

    @abstractmethod
    def resolve_story(self, story_id: str) -> str | None:
        """The id a story has now: itself if stored, else the stored end of its alias chain
        (A → B → C gives C), else None (never stored, or the chain ends nowhere)."""


class LinkStore(Protocol):
    """Links between stories in two languages about one event (`place_languages`)."""

    @abstractmethod
    def save_story_link(self, a: str, b: str, score: float, evidence: dict[str, Any]) -> None:
        """Record (or replace) the link between stories `a` and `b`, in either order."""

    @abstractmethod
    def story_links(self, story_id: str) -> list[tuple[str, float, dict[str, Any]]]:
        """The stories linked to `story_id` (other id, score, evidence), best first; links
        to stories that no longer exist are left out."""

    @abstractmethod
    def drop_story_links(self, story_id: str) -> None:
        """Forget every link of `story_id` (it changed, and is linked again)."""


class SearchStore(Protocol):
    """Reading the store as a reader does: search, listings, outlets, the embeddings feed."""

    @abstractmethod
    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over article titles and texts, best first. `q` is user text: the
        backend must treat it as words, never as query syntax, and never fail on it."""

    @abstractmethod
    def list_stories(
        self, *, q: str | None = None, since: datetime | None = None,
        until: datetime | None = None, source: str | None = None, limit: int = 20,
        after: tuple[str, str] | None = None, lang: str | None = None,
    ) -> list[StoryRecord]:
        """Stories with members, newest first (by first seen), one page at a time.

        `since`/`until` keep stories whose span overlaps [since, until); `source` keeps stories
        with an article from that outlet; `lang` keeps stories with an article in that
        language (a code such as "de"); `q` keeps stories with an article matching the words.
        `after` is the `page_key` of the last story of the previous page (keyset pagination:
        stable while stories are being added)."""

    @staticmethod
    def page_key(rec: StoryRecord) -> tuple[str, str]:
        """The sort key `list_stories(after=...)` continues from."""
        return (rec.first_seen.isoformat() if rec.first_seen else "", rec.id)

    @abstractmethod
    def outlets(self) -> list[tuple[str, int]]:
        """Outlets (sources) with their article counts, most articles first."""

    @abstractmethod
    def article_embeddings(self, after_seq: int = 0) -> tuple[list[str], np.ndarray, int]:
        """Article ids and embeddings (rows) added after `after_seq`, and the last seq seen,
        so a semantic index in memory can catch up incrementally."""

    def nearest_articles(self, vector: np.ndarray, n: int) -> list[tuple[str, float]] | None:
        """The `n` stored articles whose embeddings are nearest `vector` (unit length), as
        (id, cosine similarity), nearest first — from the backend's own vector index, so
        that no reader has to hold every embedding. None: this backend keeps no such index,
        and the caller searches its own copy (`web.search.SemanticIndex`, fed by
        `article_embeddings`). An index may be approximate: a backend that answers
        promises the nearest first among what it returns, not every true neighbour."""
        return None


class CacheStore(Protocol):
    """Write-ups: computed when a story is first shown, kept until its membership changes."""

    @abstractmethod
    def writeup(self, story_id: str) -> tuple[str, dict[str, Any]] | None:
        """The cached write-up of a story and the membership key it was computed for."""

    @abstractmethod
    def summary_vectors(self, ids: Iterable[str]) -> dict[str, tuple[str, np.ndarray]]:
        """Cached sentence vectors of articles' summary candidates, with their sentences key."""

    @abstractmethod
    def save_writeup(
        self, story_id: str, key: str, data: dict[str, Any],
        vectors: dict[str, tuple[str, np.ndarray]] | None = None, headline: str | None = None,
    ) -> None:
        """Cache a write-up (and new sentence vectors) in one transaction; StoreError if not
        (an unknown story included).

        `headline` (the write-up's) replaces the story's until provenance is next saved, which
        happens exactly when its membership changes and the write-up goes stale."""


class SettingsStore(Protocol):
    """Which settings built the store, so a run can warn when its own differ."""

    @abstractmethod
    def record_settings(self, digest: str, settings: dict[str, Any]) -> None:
        """Record the settings a run used (their digest and their values, JSON-able) with the
        time. Recording the digest the store already has is a no-op, so the record lists the
        changes of settings, not every run."""

    @abstractmethod
    def settings_digest(self) -> str | None:
        """The digest last recorded; None for a store no run has recorded settings in."""


class WorkStore(Protocol):
    """The stories a run still owes work (consolidation, then provenance).

    Placement commits chunk by chunk, but split/merge and provenance run at the end of a
    batch: a run killed in between would leave stories without a headline or roles for good.
    So a story is marked pending in the transaction that places into it, and cleared only in
    the transaction that saves its provenance; whatever a killed run left is still pending
    for the next run (or `storyfold repair`) to finish."""

    @abstractmethod
    def mark_pending(self, story_ids: Iterable[str]) -> None:
        """Add stored stories to the pending set (marking one twice is a no-op)."""

    @abstractmethod
    def pending(self) -> set[str]:
        """The ids of the pending stories; a story deleted (`delete_story`) is never among
        them."""

    @abstractmethod
    def clear_pending(self, story_ids: Iterable[str]) -> None:
        """Remove stories from the pending set (ids not in it are ignored)."""


class SourceStore(Protocol):
    """Followed feeds. A source is identified by its URL (adding one twice is a no-op); its
    polling state is written back whole by `update_source`. An entry is recorded as seen only
    after the articles made from it are stored, so a killed `watch` takes it again (and the
    pipeline, which skips stored articles, stores it once)."""

    @abstractmethod
    def add_source(self, url: str, title: str | None = None, site_url: str | None = None
                   ) -> tuple[Source, bool]:
        """The source with this URL and whether it is new (an existing one is left as is)."""

    @abstractmethod
    def sources(self) -> list[Source]:
        """Every source, in the order added, with its article count."""

    @abstractmethod
    def source_by_url(self, url: str) -> Source | None: ...

    @abstractmethod
    def remove_source(self, source_id: int) -> bool:
        """Forget a source and its seen entries (its articles stay); False if unknown."""

    @abstractmethod
    def due_sources(self, now: datetime, limit: int = 1000) -> list[Source]:
        """Enabled sources whose next fetch is at or before `now` (or never set), the most
        overdue first."""

    @abstractmethod
    def update_source(self, source: Source) -> None:
        """Write a source's URL, title, site and polling state (by its id; `articles` and
        `added_at` are the store's own and ignored)."""

    @abstractmethod
    def seen_entries(self, source_id: int, keys: Iterable[str]) -> set[str]:
        """The subset of entry `keys` already taken from this source."""

    @abstractmethod
    def record_entries(self, source_id: int, entries: Iterable[tuple[str, str | None]]
                       ) -> None:
        """Mark entries taken: (key, the id of the article made from it, or None when it gave
        none). Recording a key again keeps the article id it has unless a new one is given."""

    @abstractmethod
    def import_cursor(self, name: str) -> str | None:
        """Where an import from another reader (`miniflux:<url>`...) stopped; None if never."""

    @abstractmethod
    def save_import_cursor(self, name: str, value: str) -> None: ...


class Store(ArticleStore, StoryStore, LinkStore, SearchStore, CacheStore, SettingsStore,
            WorkStore, SourceStore, Protocol):
    """The one type the rest of storyfold uses: every concern, plus transactions.

    A backend subclasses it and implements every abstract method, opening (and creating or
    upgrading its schema) in its constructor; `open_store` maps a URL to it. Its behaviour is
    what `tests/store/test_contract.py` checks, on SQLite and on PostgreSQL."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all (an exception rolls them back and
        propagates). Transactions nest: only the outermost one commits."""

    @abstractmethod
    def writer_lock(self, on_wait: Callable[[], None] | None = None
                    ) -> AbstractContextManager[None]:
        """Hold the store's one writer lease (a run's placement and consolidation): another
        holder, in this process on another connection or in another process, makes this
        wait, calling `on_wait` once first so the caller can say so. Re-entrant on one
        connection; released when the block ends or the process dies (even by kill -9)."""

    @abstractmethod
    def close(self) -> None: ...


__all__ = [
    "ArticleStore",
    "LinkStore",
    "CacheStore",
    "SearchHit",
    "SearchStore",
    "SettingsStore",
    "Source",
    "SourceStore",
    "Store",
    "StoryRecord",
    "StoryState",
    "StoryStore",
    "WorkStore",
]
