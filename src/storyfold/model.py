"""The contract between pipeline stages: plain dataclasses, no behaviour.

Every stage reads and returns these, so a stage can be run, tested or replaced on
its own (and run unchanged on a distributed engine for backfills).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np

LinkKind = Literal["exact", "near", "rewrite", "same_story"]
Role = Literal["original", "copy", "rewrite", "independent"]
DateSource = Literal["header", "metadata", "dateline", "text", "caption"]


@dataclass(frozen=True)
class RawDocument:
    """One document as read from an input, before any cleaning."""

    path: str  # input file it came from
    kind: Literal["text", "html", "json"]
    body: str  # plain text, or HTML for kind == "html"
    meta: dict[str, Any] = field(default_factory=dict)  # title, date, url, source, author, extra
    record: str | None = None  # record id or line number inside a multi-record file
    encoding_guess: str | None = None  # the encoding, when the bytes' reading was a guess


@dataclass(frozen=True)
class Removed:
    """A span dropped from the body, kept for audit (and never used for clustering)."""

    text: str
    reason: str  # "trailer", "caption", "boilerplate", "date-token", "front-matter"


@dataclass(frozen=True)
class Credit:
    """A wire agency the article credits, and where the credit was seen."""

    agency: str
    where: Literal["byline", "dateline", "caption", "text"]


@dataclass
class Article:
    """A cleaned article: the unit everything downstream works on."""

    id: str
    source: str | None
    url: str | None
    title: str | None
    text: str
    published: datetime | None = None
    published_from: DateSource | None = None
    dateline: str | None = None
    credits: list[Credit] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    lang: str | None = None
    author: str | None = None
    path: str | None = None
    record: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fingerprint:
    """What we compute once per article so that later arrivals never recompute it."""

    article_id: str
    content_hash: str  # hash of normalized text: equal means exact copy
    minhash: np.ndarray  # uint64 signature over word shingles
    embedding: np.ndarray  # float32, L2-normalised sentence embedding
    terms: dict[str, float]  # salient terms (title-weighted term frequencies)
    names: dict[str, float] = field(default_factory=dict)  # proper names and figures
    # unit vector in the multilingual space (fingerprint.multilingual), None if not computed
    multilingual: np.ndarray | None = None


@dataclass(frozen=True)
class Link:
    """An edge between two articles. `source` → `target` when a direction is known."""

    a: str
    b: str
    kind: LinkKind
    score: float
    direction: tuple[str, str] | None = None


@dataclass
class Membership:
    """One article's place in its story."""

    article_id: str
    role: Role
    derived_from: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """A group of articles about one event."""

    id: str
    members: list[Membership]
    links: list[Link] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    headline: str | None = None


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


@dataclass
class SearchHit:
    """One full-text match. `snippet` is a list of (text, matched) pieces rather than marked-up
    text, so that no caller ever has to trust markup that came out of an article."""

    article_id: str
    score: float  # higher is better (negated BM25)
    snippet: list[tuple[str, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """A followed feed and where polling it stands (`storyfold sources list` shows it)."""

    id: int
    url: str  # the feed's URL (the new one after a permanent redirect)
    title: str | None = None
    site_url: str | None = None  # the site the feed belongs to
    added_at: datetime | None = None
    etag: str | None = None  # validators of the last 200, sent back for a conditional GET
    last_modified: str | None = None
    last_fetch: datetime | None = None
    last_status: str | None = None  # "ok", "not modified", "http 404", "error", ...
    last_error: str | None = None  # one line, None after a success
    next_fetch: datetime | None = None  # None: due now
    failures: int = 0  # errors in a row (the backoff exponent)
    not_found: int = 0  # 404s in a row
    disabled: str | None = None  # why it is no longer polled (410, repeated 404s, removed)
    articles: int = 0  # articles stored from its entries (read only: counted by the store)
