"""The backends the contract tests run against, and the records they are fed.

A new backend is one more entry in BACKENDS: a name, how to open a fresh store under a test's
temporary directory, and whether reopening that place finds the same data. A backend that
needs a server names the session fixture giving it (`server`); `bind` then asks that fixture
for the URL of a fresh store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyfold.model import Article, Credit, Fingerprint, Removed
from storyfold.settings import EMBEDDING_DIM
from storyfold.store import Store, open_store


@dataclass(frozen=True)
class Backend:
    name: str
    url: Callable[[Path], str]  # the URL of a fresh store under a temporary directory
    persistent: bool  # reopening the URL finds what was stored
    server: str | None = None  # the session fixture whose `store_url(tmp)` replaces `url`


def _unbound(tmp: Path) -> str:
    raise RuntimeError("a server backend's URL comes from its fixture: call bind() first")


BACKENDS = [
    Backend("sqlite-file", lambda tmp: f"sqlite:///{tmp / 'contract.db'}", persistent=True),
    Backend("sqlite-memory", lambda tmp: "sqlite://", persistent=False),
    Backend("postgresql", _unbound, persistent=True, server="pg_server"),
]


def bind(backend: Backend, request: pytest.FixtureRequest) -> Backend:
    """`backend` ready to open stores: a server backend gets its URLs from its fixture."""
    if backend.server is None:
        return backend
    return replace(backend, url=request.getfixturevalue(backend.server).store_url)


def when(day: int, hour: int = 8) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def article(aid: str, title: str | None, text: str, *, source: str | None = "Meridian Wire",
            published: datetime | None = None) -> Article:
    return Article(
        id=aid, source=source, url=f"https://news.example/{aid}", title=title, text=text,
        published=published, published_from="metadata" if published else None,
        dateline="LANFORD", credits=[Credit("Meridian Wire", "dateline")],
        captions=["A caption"], removed=[Removed("Read more: elsewhere", "trailer")],
        lang="en", author="A. Writer", path=f"/in/{aid}.json", record="1",
        extra={"section": "city", "rank": 3},
    )


def fingerprint(aid: str, seed: int, content_hash: str | None = None) -> Fingerprint:
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal(EMBEDDING_DIM).astype(np.float32)
    return Fingerprint(
        article_id=aid, content_hash=content_hash or f"hash-{aid}",
        minhash=rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32),
        embedding=emb / np.linalg.norm(emb),
        terms={"harbour": 2.5, f"term{seed}": 1.0}, names={"lanford": 1.5},
    )


@dataclass
class Fed:
    """What a test put into a store, to compare with what comes back."""

    articles: dict[str, Article] = field(default_factory=dict)
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)


def add(store: Store, fed: Fed, aid: str, title: str | None, text: str, *, seed: int,
        lsh: list[tuple[int, int]] | None = None, content_hash: str | None = None,
        source: str | None = "Meridian Wire", published: datetime | None = None) -> None:
    art = article(aid, title, text, source=source, published=published)
    fp = fingerprint(aid, seed, content_hash)
    with store.transaction():
        store.add_article(art, fp, lsh if lsh is not None else [(0, seed)])
    fed.articles[aid] = art
    fed.fingerprints[aid] = fp


def fresh(backend: Backend, tmp: Path) -> Store:
    return open_store(backend.url(tmp))
