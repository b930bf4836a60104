"""Fingerprints computed once per article: exact hash, MinHash signature, embedding, terms.

`embed` holds the sentence encoder, `features` the salient terms and names; this module
puts them together per batch of articles."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import rensa

from storyfold.clean import normalize_text
from storyfold.fingerprint.embed import Embedder, load_base_model, precision
from storyfold.fingerprint.features import names, salient_terms, shingles, tokens
from storyfold.fingerprint.multilingual import (
    MultilingualEncoder,
    in_placement_space,
    multilingual_vectors,
)
from storyfold.model import Article, Fingerprint
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, FingerprintSettings
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
                      same_as: dict[str, str] | None = None,
                      multilingual: MultilingualEncoder | None = None) -> list[Fingerprint]:
    """Fingerprints for a batch; embeddings are computed in one call for throughput.

    `signed`: the articles' `signatures`, if already computed. Exact copies are not encoded:
    `known` gives the stored vector of an article's copy source, and `same_as` names an
    earlier article of this batch whose vector it takes. With a `multilingual` encoder,
    articles in a language it knows also get a multilingual vector, and those not in English
    take their story-placement embedding from it (`in_placement_space`) instead of from the
    English MiniLM, which is then not run on them.
    """
    known = known or {}
    same_as = same_as or {}
    signed = signed if signed is not None else signatures(articles, settings)
    texts = [embedding_text(a, settings.embed_chars) for a in articles]
    ml = multilingual_vectors(articles, texts, multilingual)
    native = [i for i, a in enumerate(articles)
              if (ml[i] is None or a.lang == "en") and a.id not in known and a.id not in same_as]
    vectors = np.zeros((len(articles), EMBEDDING_DIM), dtype=np.float32)
    if native:
        vectors[native] = embedder.embed([texts[i] for i in native],
                                         max_tokens=settings.embed_max_tokens)
    by_lang: dict[str, list[tuple[int, np.ndarray]]] = {}
    for i, v in enumerate(ml):
        if v is not None and articles[i].lang != "en":
            by_lang.setdefault(articles[i].lang or "", []).append((i, v))
    for lang, rows in by_lang.items():
        vectors[[i for i, _ in rows]] = in_placement_space(np.stack([v for _, v in rows]), lang)
    _take_reused(vectors, articles, ml, known, same_as)
    return [
        Fingerprint(
            article_id=a.id,
            content_hash=h,
            minhash=m,
            embedding=vectors[i],
            terms=salient_terms(a.title, a.text, settings.max_terms, settings.name_weight),
            names=names(a.title, a.text, settings.max_names),
            multilingual=ml[i],
        )
        for i, (a, (h, m)) in enumerate(zip(articles, signed, strict=True))
    ]


def _take_reused(vectors: np.ndarray, articles: Sequence[Article],
                 ml: Sequence[np.ndarray | None], known: dict[str, np.ndarray],
                 same_as: dict[str, str]) -> None:
    """Give exact copies their source's vector (`reuse.copies`), in place: a stored
    source's (`known`), unless the copy's placement vector comes from the multilingual
    space, or an earlier article's of the batch (`same_as`)."""
    at = {a.id: i for i, a in enumerate(articles)}
    for aid, vec in known.items():
        if aid in at and not (ml[at[aid]] is not None and articles[at[aid]].lang != "en"):
            vectors[at[aid]] = vec
    for aid, src in same_as.items():
        vectors[at[aid]] = vectors[at[src]]


def reuse_vectors(articles: Sequence[Article], fps: Sequence[Fingerprint],
                  known: dict[str, np.ndarray], same_as: dict[str, str]) -> list[Fingerprint]:
    """Fingerprints computed elsewhere (a Ray worker, which sees no store) with the copy
    rule `fingerprint_batch` applies: what the copies of a chunk would have taken had the
    chunk been fingerprinted here, so that placement sees the same vectors either way."""
    if not known and not same_as:
        return list(fps)
    vectors = np.stack([fp.embedding for fp in fps]).astype(np.float32, copy=True)
    _take_reused(vectors, articles, [fp.multilingual for fp in fps], known, same_as)
    return [replace(fp, embedding=vectors[i]) for i, fp in enumerate(fps)]


__all__ = [
    "Embedder",
    "MultilingualEncoder",
    "content_hash",
    "embedding_text",
    "fingerprint_batch",
    "jaccard",
    "lead_sentences",
    "load_base_model",
    "lsh_keys",
    "minhash",
    "precision",
    "reuse_vectors",
    "signatures",
]
