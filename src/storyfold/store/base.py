"""The store interface: everything above it talks to this, never to SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from storyfold.model import Article, Fingerprint, Link, Membership


@dataclass
class StoryState:
    """What online clustering keeps per story: enough to score a newcomer without members."""

    id: str
    centroid: np.ndarray  # sum of member embeddings (normalise before use)
    size: int
    terms: dict[str, float]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    names: dict[str, float] = field(default_factory=dict)  # summed member names


@dataclass
class StoryRecord:
    """A stored story with its members, for reading back out."""

    id: str
    headline: str | None
    first_seen: datetime | None
    last_seen: datetime | None
    members: list[Membership] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


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
