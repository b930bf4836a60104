"""The store interface: everything above it talks to this, never to SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import numpy as np

from storyfold.model import (
    Article,
    Fingerprint,
    Link,
    Membership,
    SearchHit,
    StoryRecord,
    StoryState,
)


class Store(ABC):
    """One interface, two backends (SQLite embedded, PostgreSQL server)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""

    @abstractmethod
    def close(self) -> None: ...

    # articles and fingerprints
    @abstractmethod
    def known_ids(self, ids: Iterable[str]) -> set[str]: ...

    @abstractmethod
    def add_article(
        self, article: Article, fp: Fingerprint, lsh: list[tuple[int, int]]
    ) -> None: ...

    @abstractmethod
    def articles(self, ids: Iterable[str]) -> dict[str, Article]: ...

    @abstractmethod
    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]: ...

    @abstractmethod
    def by_content_hash(self, content_hash: str) -> list[str]: ...

    @abstractmethod
    def lsh_candidates(self, keys: list[tuple[int, int]]) -> set[str]: ...

    @abstractmethod
    def article_count(self) -> int: ...

    @abstractmethod
    def sentence_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]: ...

    @abstractmethod
    def save_sentence_vectors(self, article_id: str, vectors: np.ndarray) -> None: ...

    # corpus statistics for idf
    @abstractmethod
    def document_frequencies(self) -> dict[str, int]: ...

    @abstractmethod
    def add_document_frequencies(self, counts: dict[str, int]) -> None: ...

    # stories
    @abstractmethod
    def story_states(self, since: datetime | None = None) -> list[StoryState]: ...

    @abstractmethod
    def save_story_state(self, state: StoryState) -> None: ...

    @abstractmethod
    def set_membership(self, article_id: str, story_id: str, score: float) -> None: ...

    @abstractmethod
    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]: ...

    @abstractmethod
    def delete_story(self, story_id: str) -> None:
        """Remove a story left without members (merged into another)."""

    @abstractmethod
    def move_members(self, article_ids: list[str], story_id: str) -> None:
        """Reassign articles to a story (a split), keeping their scores."""

    @abstractmethod
    def story_member_ids(self, story_id: str) -> list[str]: ...

    @abstractmethod
    def save_provenance(
        self, story_id: str, headline: str | None, members: list[Membership], links: list[Link]
    ) -> None: ...

    @abstractmethod
    def story(self, story_id: str) -> StoryRecord: ...

    @abstractmethod
    def iter_stories(self) -> Iterator[StoryRecord]: ...

    # search and listing (for the API and the web pages)
    @abstractmethod
    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over article titles and texts, best first. `q` is user text: the
        backend must treat it as words, never as query syntax, and never fail on it."""

    @abstractmethod
    def list_stories(
        self, *, q: str | None = None, since: datetime | None = None,
        until: datetime | None = None, source: str | None = None, limit: int = 20,
        after: tuple[str, str] | None = None,
    ) -> list[StoryRecord]:
        """Stories newest first (by first seen), one page at a time.

        `since`/`until` keep stories whose span overlaps [since, until); `source` keeps stories
        with an article from that outlet; `q` keeps stories with an article matching the words.
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

    # write-ups: computed when a story is first shown, kept until its membership changes
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
        """Cache a write-up (and new sentence vectors) in one transaction; StoreError if not.

        `headline` (the write-up's) replaces the story's until provenance is next saved, which
        happens exactly when its membership changes and the write-up goes stale."""
