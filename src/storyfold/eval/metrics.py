"""Clustering and pairing metrics, and loaders for labelled data, used by `eval` and bench/.

Pairwise P/R/F1 count pairs over the co-occurrence (contingency) matrix; B-cubed follows
Amigó et al. (2009): per-item precision/recall averaged over items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ClusterScores:
    pairwise_p: float
    pairwise_r: float
    pairwise_f1: float
    bcubed_p: float
    bcubed_r: float
    bcubed_f1: float
    nmi: float
    ari: float
    ami: float
    n_pred: int
    n_gold: int

    def as_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Precision/recall/F1 of 'same cluster' decisions over all item pairs."""
    joint = Counter(zip(gold, pred, strict=True))
    tp = sum(_pairs(n) for n in joint.values())
    pred_pairs = sum(_pairs(n) for n in Counter(pred).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return p, r, _f1(p, r)


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision/recall/F1 (each item counts itself)."""
    n = len(gold)
    if n == 0:
        return 1.0, 1.0, 1.0
    joint = Counter(zip(gold, pred, strict=True))
    gsize, psize = Counter(gold), Counter(pred)
    p = sum(c * c / psize[pc] for (_, pc), c in joint.items()) / n
    r = sum(c * c / gsize[gc] for (gc, _), c in joint.items()) / n
    return p, r, _f1(p, r)


def cluster_scores(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> ClusterScores:
    from sklearn.metrics import (
        adjusted_mutual_info_score,
        adjusted_rand_score,
        normalized_mutual_info_score,
    )

    g = [str(x) for x in gold]
    p = [str(x) for x in pred]
    pp, pr, pf = pairwise(g, p)
    bp, br, bf = bcubed(g, p)
    return ClusterScores(
        pp, pr, pf, bp, br, bf,
        float(normalized_mutual_info_score(g, p)),
        float(adjusted_rand_score(g, p)),
        float(adjusted_mutual_info_score(g, p)),
        len(set(p)), len(set(g)),
    )
