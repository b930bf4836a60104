"""Hybrid article search: BM25 full text (the store) fused with embedding similarity.

Why both: full text finds the exact names and numbers a reader types ("Tokayev uranium"),
while the stored title-and-lead embeddings find the same event told in other words
("Kazakh president" for "Tokayev"). The two rankings are combined by reciprocal rank fusion,
which needs no score calibration between BM25 and cosine, and the embedding side admits a
document on its own only when it is clearly related, so a query with no good match returns
little rather than the nearest noise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from storyfold.fingerprint import Embedder
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, SearchSettings
from storyfold.store.base import Store

log = logging.getLogger(__name__)


def rrf(rankings: Sequence[Sequence[str]], k: int = DEFAULTS.search.rrf_k
        ) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = Σ 1 / (k + rank_r(d)), best first, ties by id."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class SemanticIndex:
    """All article embeddings in one matrix, caught up incrementally from the store: for a
    backend with no vector index of its own (SQLite; PostgreSQL answers from its HNSW
    index, `Store.nearest_articles`, and no server process holds the embeddings).

    10,000 articles × 384 floats is 15 MB: a brute-force dot product is a few milliseconds,
    simpler and exact compared with an approximate index at this size.
    """

    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32))
    last_seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, store: Store) -> None:
        with self._lock:
            ids, rows, last = store.article_embeddings(self.last_seq)
            if ids:
                self.ids = self.ids + ids
                self.matrix = np.vstack([self.matrix.reshape(-1, rows.shape[1]), rows])
                self.last_seq = last

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        ids, matrix = self.ids, self.matrix  # one consistent snapshot
        if not ids:
            return []
        sims = matrix @ vector.astype(np.float32)
        n = min(n, len(ids))
        top = np.argpartition(-sims, n - 1)[:n]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(ids[i], float(sims[i])) for i in top]


@dataclass
class Hit:
    """One fused result, with where it came from (so a client can show why it matched)."""

    article_id: str
    score: float
    text_rank: int | None
    semantic_rank: int | None
    similarity: float | None
    snippet: list[tuple[str, bool]]


def hybrid_search(store: Store, index: SemanticIndex, embedder: Embedder | None, q: str,
                  limit: int = 20, settings: SearchSettings = DEFAULTS.search) -> list[Hit]:
    """Fuse BM25 and embedding rankings; `embedder=None` gives full text alone."""
    q = q.strip()[:settings.max_query_chars]
    if not q:
        return []
    text_hits = store.search(q, settings.candidates)
    semantic: list[tuple[str, float]] = []
    if embedder is not None:
        vector = embedder.embed([q], max_tokens=settings.query_max_tokens)[0]
        found = store.nearest_articles(vector, settings.candidates)  # the store's own index
        if found is None:  # none: the embeddings held here, caught up first
            index.refresh(store)
            found = index.nearest(vector, settings.candidates)
        semantic = found
    text_rank = {h.article_id: r for r, h in enumerate(text_hits, start=1)}
    sem_rank = {aid: r for r, (aid, _) in enumerate(semantic, start=1)}
    sim = dict(semantic)
    # an embedding-only match must be clearly related; one that also matched the words may be
    # weaker and still helps order the full-text results
    sem_ranking = [aid for aid, s in semantic if s >= settings.min_semantic or aid in text_rank]
    snippets = {h.article_id: h.snippet for h in text_hits}
    fused = rrf([[h.article_id for h in text_hits], sem_ranking], settings.rrf_k)[:limit]
    return [
        Hit(aid, round(score, 6), text_rank.get(aid),
            sem_rank.get(aid) if aid in sem_ranking else None,
            round(sim[aid], 4) if aid in sim else None, snippets.get(aid, []))
        for aid, score in fused
    ]
