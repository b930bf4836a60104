"""Copies need no encoding: an exact or near copy takes its source's article vector.

Wire stories and aggregator republications make up much of the news (40% of a generated
year); a copy's title and lead are its source's, so its embedding would be its source's
too, at the price of the most expensive step of a run. The copy test is placement's own
(same content hash, or MinHash Jaccard at `provenance.near_jaccard` through the LSH
bands), against the articles already stored and the earlier articles of the same chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from storyfold.fingerprint import jaccard, lsh_keys
from storyfold.model import Article
from storyfold.store.base import Store


@dataclass
class Reuse:
    """Which articles of a chunk need no encoding, and whose vector each takes."""

    known: dict[str, np.ndarray] = field(default_factory=dict)  # a stored source's vector
    same_as: dict[str, str] = field(default_factory=dict)  # an earlier article of the chunk

    def __len__(self) -> int:
        return len(self.known) + len(self.same_as)


def copies(store: Store, articles: Sequence[Article],
           signed: Sequence[tuple[str, np.ndarray]], near_jaccard: float,
           lsh_bands: int) -> Reuse:
    """The copies among `articles` (in order) and where their vectors come from."""
    out = Reuse()
    first_by_hash: dict[str, str] = {}
    by_band: dict[tuple[int, int], list[int]] = {}
    for i, (a, (h, mh)) in enumerate(zip(articles, signed, strict=True)):
        keys = lsh_keys(mh, lsh_bands)
        src = first_by_hash.get(h)
        if src is None:  # a near copy of an earlier article of the chunk
            seen = {j for k in keys for j in by_band.get(k, ())}
            best = max(((jaccard(mh, signed[j][1]), j) for j in seen), default=(0.0, -1))
            if best[0] >= near_jaccard:
                src = articles[best[1]].id
        if src is not None:
            out.same_as[a.id] = out.same_as.get(src, src)  # the chunk's first of the group
        else:
            stored = _stored_source(store, h, mh, keys, near_jaccard)
            if stored is not None:
                out.known[a.id] = stored
        first_by_hash.setdefault(h, a.id)
        for k in keys:
            by_band.setdefault(k, []).append(i)
    # a chunk article whose own source was stored takes that vector; so do its copies
    for aid, src in list(out.same_as.items()):
        if src in out.known:
            out.known[aid] = out.known[src]
            del out.same_as[aid]
    return out


def _stored_source(store: Store, h: str, mh: np.ndarray, keys: list[tuple[int, int]],
                   near_jaccard: float) -> np.ndarray | None:
    """The vector of a stored article this one copies, if any."""
    exact = store.by_content_hash(h)
    if exact:
        fp = store.fingerprints(exact[:1]).get(exact[0])
        return fp.embedding if fp is not None else None
    cands = store.lsh_candidates(keys)
    if not cands:
        return None
    best: tuple[float, np.ndarray | None] = (0.0, None)
    for other in store.fingerprints(cands).values():
        j = jaccard(mh, other.minhash)
        if j >= near_jaccard and j > best[0]:
            best = (j, other.embedding)
    return best[1]
