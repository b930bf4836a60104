"""Edges between two articles: exact copy, near copy, rewrite, or merely the same story."""

from __future__ import annotations

import numpy as np

from storyfold.fingerprint import jaccard
from storyfold.model import Fingerprint, Link, LinkKind
from storyfold.settings import DEFAULTS, ProvenanceSettings

# Where one kind of edge ends and the next begins: `ProvenanceSettings` (near_jaccard,
# rewrite_cosine, rewrite_alignment, same_story_cosine; tuned on examples/, see bench/).


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def alignment(sa: np.ndarray, sb: np.ndarray) -> float:
    """How closely two articles follow each other sentence by sentence (0..1).

    A paraphrase keeps its source's sentences, reworded; independent reporting of the
    same event says similar things in different sentences. Mean best-match cosine in
    both directions, averaged, measured on lead sentences.
    """
    if len(sa) == 0 or len(sb) == 0:
        return 0.0
    sim = sb.astype(np.float32) @ sa.astype(np.float32).T
    return float((sim.max(axis=1).mean() + sim.max(axis=0).mean()) / 2)


def is_copy(fa: Fingerprint, fb: Fingerprint, t: ProvenanceSettings = DEFAULTS.provenance
            ) -> bool:
    """An exact copy (same words) or a near one (MinHash Jaccard at or above near_jaccard)."""
    return fa.content_hash == fb.content_hash or jaccard(fa.minhash, fb.minhash) >= t.near_jaccard


def needs_alignment(fa: Fingerprint, fb: Fingerprint, t: ProvenanceSettings = DEFAULTS.provenance
                    ) -> bool:
    """Only pairs that are neither copies nor clearly apart need the costly sentence check."""
    if is_copy(fa, fb, t):
        return False
    return cosine(fa.embedding, fb.embedding) >= t.rewrite_cosine


def link_kind(
    fa: Fingerprint, fb: Fingerprint, t: ProvenanceSettings = DEFAULTS.provenance,
    sentences: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[LinkKind | None, float]:
    """Classify the pair by the strongest evidence available, strongest first."""
    if fa.content_hash == fb.content_hash:
        return "exact", 1.0
    jac = jaccard(fa.minhash, fb.minhash)
    if jac >= t.near_jaccard:
        return "near", jac
    cos = cosine(fa.embedding, fb.embedding)
    if cos >= t.rewrite_cosine and sentences is not None:
        align = alignment(*sentences)
        if align >= t.rewrite_alignment:
            return "rewrite", align
    if cos >= t.same_story_cosine:
        return "same_story", cos
    return None, max(jac, cos)


def link(
    fa: Fingerprint, fb: Fingerprint, t: ProvenanceSettings = DEFAULTS.provenance,
    sentences: tuple[np.ndarray, np.ndarray] | None = None,
) -> Link | None:
    kind, score = link_kind(fa, fb, t, sentences)
    if kind is None:
        return None
    a, b = sorted((fa.article_id, fb.article_id))
    return Link(a=a, b=b, kind=kind, score=round(score, 4))
