"""Edges between two articles: exact copy, near copy, rewrite, or merely the same story."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyfold.fingerprint import jaccard
from storyfold.model import Fingerprint, Link, LinkKind


@dataclass(frozen=True)
class LinkThresholds:
    """Where one kind of edge ends and the next begins (tuned on examples/, see bench/)."""

    near_jaccard: float = 0.45  # estimated Jaccard of word 3-shingles
    rewrite_cosine: float = 0.80  # embedding cosine of title + lead
    same_story_cosine: float = 0.45


DEFAULT_THRESHOLDS = LinkThresholds()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


def link_kind(
    fa: Fingerprint, fb: Fingerprint, t: LinkThresholds = DEFAULT_THRESHOLDS
) -> tuple[LinkKind | None, float]:
    """Classify the pair by the strongest evidence available, strongest first."""
    if fa.content_hash == fb.content_hash:
        return "exact", 1.0
    jac = jaccard(fa.minhash, fb.minhash)
    if jac >= t.near_jaccard:
        return "near", jac
    cos = cosine(fa.embedding, fb.embedding)
    if cos >= t.rewrite_cosine:
        return "rewrite", cos
    if cos >= t.same_story_cosine:
        return "same_story", cos
    return None, max(jac, cos)


def link(fa: Fingerprint, fb: Fingerprint, t: LinkThresholds = DEFAULT_THRESHOLDS) -> Link | None:
    kind, score = link_kind(fa, fb, t)
    if kind is None:
        return None
    a, b = sorted((fa.article_id, fb.article_id))
    return Link(a=a, b=b, kind=kind, score=round(score, 4))
