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
from storyfold.settings import DEFAULTS, FingerprintSettings
from storyfold.text.sentences import LEAD, sentences

log = logging.getLogger(__name__)


def content_hash(article: Article) -> str:
    """Equal hashes mean the same words in the same order: an exact copy."""
    return hashlib.sha1(normalize_text(article.text).encode("utf-8")).hexdigest()


def minhash(text: str, settings: FingerprintSettings = DEFAULTS.fingerprint) -> np.ndarray:
    """MinHash over word 3-shingles with rensa (chosen by bench/bench_minhash.py)."""
    m = rensa.RMinHash(num_perm=settings.num_perm, seed=settings.minhash_seed)
    m.update(shingles(tokens(text), settings.shingle_words))
    return np.asarray(m.digest(), dtype=np.uint32)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def lsh_keys(signature: np.ndarray, bands: int = DEFAULTS.fingerprint.lsh_bands
             ) -> list[tuple[int, int]]:
    """(band, key) pairs: two articles sharing any pair are near-copy candidates."""
    rows = len(signature) // bands
    out = []
    for b in range(bands):
        chunk = signature[b * rows : (b + 1) * rows].tobytes()
        key = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)
        out.append((b, key))
    return out


def lead_sentences(text: str, limit: int = DEFAULTS.fingerprint.lead_sentences,
                   min_words: int = DEFAULTS.fingerprint.lead_sentence_words) -> list[str]:
    """The first sentences with substance: where a rewrite mirrors its source most closely."""
    return sentences(text, LEAD, min_words=min_words, limit=limit)


def embedding_text(article: Article, chars: int = DEFAULTS.fingerprint.embed_chars) -> str:
    """Title and lead: the part of an article that says which event it is about."""
    head = article.text[:chars]
    return f"{article.title}. {head}" if article.title else head


def signatures(articles: Sequence[Article], settings: FingerprintSettings = DEFAULTS.fingerprint
               ) -> list[tuple[str, np.ndarray]]:
    """(content hash, MinHash) of each article: what tells a copy, computed before any
    encoding so that copies need none (`reuse.copies`)."""
    return [(content_hash(a), minhash(a.text, settings)) for a in articles]


def fingerprint_batch(articles: Sequence[Article], embedder: Embedder,
                      settings: FingerprintSettings = DEFAULTS.fingerprint,
                      signed: Sequence[tuple[str, np.ndarray]] | None = None,
                      known: dict[str, np.ndarray] | None = None,
                      same_as: dict[str, str] | None = None) -> list[Fingerprint]:
    """Fingerprints for a batch; embeddings are computed in one call for throughput.

    `signed`: the articles' `signatures`, if already computed. Only articles that are not
    copies are encoded: `known` gives the stored vector of an article's copy source, and
    `same_as` names an earlier article of this batch whose vector it takes.
    """
    known = known or {}
    same_as = same_as or {}
    signed = signed if signed is not None else signatures(articles, settings)
    todo = [a for a in articles if a.id not in known and a.id not in same_as]
    vectors = dict(zip((a.id for a in todo),
                       embedder.embed([embedding_text(a, settings.embed_chars) for a in todo],
                                      max_tokens=settings.embed_max_tokens), strict=True))
    vectors.update(known)
    for aid, src in same_as.items():
        vectors[aid] = vectors[src]
    return [
        Fingerprint(
            article_id=a.id,
            content_hash=h,
            minhash=m,
            embedding=vectors[a.id],
            terms=salient_terms(a.title, a.text, settings.max_terms, settings.name_weight),
            names=names(a.title, a.text, settings.max_names),
        )
        for a, (h, m) in zip(articles, signed, strict=True)
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
    "signatures",
]
