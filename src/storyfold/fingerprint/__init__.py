"""Fingerprints computed once per article: exact hash, MinHash signature, embedding, terms.

`embed` holds the sentence encoder, `features` the salient terms and names; this module
puts them together per batch of articles."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import numpy as np
import rensa

from storyfold.clean import normalize_text
from storyfold.fingerprint.embed import Embedder, load_base_model, precision
from storyfold.fingerprint.features import names, salient_terms, shingles, tokens
from storyfold.model import Article, Fingerprint
from storyfold.text.sentences import LEAD, sentences

log = logging.getLogger(__name__)

NUM_PERM = 128
LSH_BANDS = 32  # 32 bands x 4 rows: candidates from Jaccard ≈ 0.4 up
MINHASH_SEED = 1729


def content_hash(article: Article) -> str:
    """Equal hashes mean the same words in the same order: an exact copy."""
    return hashlib.sha1(normalize_text(article.text).encode("utf-8")).hexdigest()


def minhash(text: str) -> np.ndarray:
    """MinHash over word 3-shingles with rensa (chosen by bench/bench_minhash.py)."""
    m = rensa.RMinHash(num_perm=NUM_PERM, seed=MINHASH_SEED)
    m.update(shingles(tokens(text)))
    return np.asarray(m.digest(), dtype=np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def lsh_keys(signature: np.ndarray, bands: int = LSH_BANDS) -> list[tuple[int, int]]:
    """(band, key) pairs: two articles sharing any pair are near-copy candidates."""
    rows = len(signature) // bands
    out = []
    for b in range(bands):
        chunk = signature[b * rows : (b + 1) * rows].tobytes()
        key = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)
        out.append((b, key))
    return out


def lead_sentences(text: str, limit: int = 10) -> list[str]:
    """The first sentences with substance: where a rewrite mirrors its source most closely."""
    return sentences(text, LEAD, min_words=5, limit=limit)


def embedding_text(article: Article) -> str:
    """Title and lead: the part of an article that says which event it is about."""
    head = article.text[:2000]
    return f"{article.title}. {head}" if article.title else head


def fingerprint_batch(articles: Sequence[Article], embedder: Embedder) -> list[Fingerprint]:
    """Fingerprints for a batch; embeddings are computed in one call for throughput."""
    vectors = embedder.embed([embedding_text(a) for a in articles])
    return [
        Fingerprint(
            article_id=a.id,
            content_hash=content_hash(a),
            minhash=minhash(a.text),
            embedding=vectors[i],
            terms=salient_terms(a.title, a.text),
            names=names(a.title, a.text),
        )
        for i, a in enumerate(articles)
    ]


__all__ = [
    "Embedder",
    "content_hash",
    "embedding_text",
    "fingerprint_batch",
    "jaccard",
    "lead_sentences",
    "load_base_model",
    "lsh_keys",
    "minhash",
    "precision",
]
