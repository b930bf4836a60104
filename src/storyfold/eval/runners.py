"""Run labelled files through the same code path as `run`, and score what comes out.

Stories mode streams articles in file order through ingest → clean → fingerprint →
place → consolidate (the `run` path without provenance) and compares stories with the
`cluster` labels. Pairs mode scores the rewrite decision on sentence pairs; the best
threshold on the file is reported, and accuracy is given by k-fold cross-validation, never
by applying that threshold to the very pairs it was chosen on.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.eval.metrics import cluster_scores
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.settings import DEFAULTS, Settings
from storyfold.store.base import Store


@dataclass
class EvalResult:
    figures: dict[str, Any]
    per_item: dict[str, np.ndarray] | None = None  # pairs mode: scores, for error analysis


def eval_stories(path: Path, store: Store, embedder: Embedder | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 settings: Settings = DEFAULTS) -> EvalResult:
    """Cluster the file's articles online, in file order, and score against `cluster`."""
    gold: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                rec = json.loads(line)
                gold[str(rec.get("id") or f"line {n}")] = str(rec.get("cluster"))
    pipe = Pipeline(store, settings, embedder=embedder, provenance=False,
                    on_progress=on_progress)
    embedder = pipe.embedder
    t_load = time.perf_counter()
    embedder.model()  # a one-off cost, reported apart so docs/s is the streaming rate
    load_secs = time.perf_counter() - t_load
    t0, e0 = time.perf_counter(), embedder.seconds
    report = pipe.add(iter_documents([str(path)], settings=settings.ingest))
    secs = time.perf_counter() - t0
    embed_secs = embedder.seconds - e0
    story = store.story_of({aid for _, _, aid in report.inputs})
    g, p = [], []
    for _, record, aid in report.inputs:
        if record in gold and aid in story:
            g.append(gold[record])
            p.append(story[aid])
    scores: dict[str, Any] = dict(cluster_scores(g, p).as_dict())
    scores.update(
        mode="stories", file=str(path), articles=len(g), skipped=len(report.errors),
        seconds=round(secs, 1), docs_per_s=round(len(report.inputs) / secs, 1),
        # the transformer's share: what no change to the rest of the pipeline can remove
        embed_seconds=round(embed_secs, 2), embed_share=round(embed_secs / secs, 3),
        model_load_seconds=round(load_secs, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    return EvalResult(scores)


def _fold_progress(on_progress: Callable[[int, int], None] | None, fold: int, folds: int
                   ) -> Callable[[int, int], None] | None:
    """Training steps of one fold as progress over all of them."""
    if on_progress is None:
        return None
    report = on_progress
    return lambda step, n: report(fold * n + step, folds * n)


def _best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    order = np.unique(scores)
    best = (0.0, float(order[0]) if len(order) else 0.0)
    for t in order:
        acc = float(np.mean((scores >= t) == labels))
        if acc > best[0]:
            best = (acc, float(t))
    return best[1], best[0]


def _prf(pred: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(pred & labels))
    p = tp / max(1.0, float(np.sum(pred)))
    r = tp / max(1.0, float(np.sum(labels)))
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _fold_of(n: int, folds: int, seed: int) -> np.ndarray:
    """The fold of each item; the same seed gives the same folds to every scorer."""
    return np.random.default_rng(seed).permutation(n) % folds


def _cv_threshold(scores: np.ndarray, labels: np.ndarray, folds: int, seed: int
                  ) -> tuple[np.ndarray, list[float]]:
    """Predictions where each fold's threshold was chosen on the other folds only."""
    fold_of = _fold_of(len(scores), folds, seed)
    pred = np.zeros(len(scores), dtype=bool)
    thresholds = []
    for k in range(folds):
        train, test = fold_of != k, fold_of == k
        t, _ = _best_threshold(scores[train], labels[train])
        thresholds.append(t)
        pred[test] = scores[test] >= t
    return pred, thresholds


def _decision_figures(prefix: str, pred: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    return {f"{prefix}accuracy": round(float(np.mean(pred == labels)), 4),
            **{f"{prefix}{k}": v for k, v in _prf(pred, labels).items()}}


def eval_pairs(path: Path, embedder: Embedder | None = None, folds: int = 10,
               seed: int = 13, train_folds: int = 0, model: Any = None,
               on_progress: Callable[[int, int], None] | None = None,
               settings: Settings = DEFAULTS) -> EvalResult:
    """Score the paraphrase decision on labelled sentence pairs.

    Two scorers are reported. The embedding cosine (the rewrite gate of `link`) is the
    baseline. The decision is the cross-encoder of `paraphrase.py`: with `train_folds=0`
    the shipped adapter scores every pair and the threshold is chosen by `folds`-fold
    cross-validation; with `train_folds=K` the adapter itself is trained K times, each time
    on the other folds, and each pair is judged by a model that never saw it — the only
    honest figure on the file the shipped adapter learnt from (`in_sample` says when that
    is the case).
    """
    from storyfold.paraphrase import PairModel, file_digest, read_pairs, shipped_model

    pairs, labels = read_pairs(path)
    embedder = embedder or Embedder()
    t0 = time.perf_counter()
    a = embedder.embed([p[0] for p in pairs])
    b = embedder.embed([p[1] for p in pairs])
    cosine = np.sum(a * b, axis=1)
    cos_secs = time.perf_counter() - t0
    cos_pred, _ = _cv_threshold(cosine, labels, folds, seed)
    cos_t, cos_acc = _best_threshold(cosine, labels)
    figures: dict[str, Any] = {"mode": "pairs", "file": str(path), "pairs": len(pairs)}

    t0 = time.perf_counter()
    if train_folds:
        fold_of = _fold_of(len(pairs), train_folds, seed)
        scores = np.zeros(len(pairs), dtype=np.float32)
        for k in range(train_folds):
            tr = np.flatnonzero(fold_of != k)
            te = np.flatnonzero(fold_of == k)
            fold_model = PairModel().fit(
                [pairs[i] for i in tr], labels[tr],
                on_step=_fold_progress(on_progress, k, train_folds))
            scores[te] = fold_model.score([pairs[i] for i in te])
        # Each fold's threshold is chosen on the other folds' out-of-fold scores (same
        # folds): a pair is judged by a model and a threshold both set without its label.
        pred, thresholds = _cv_threshold(scores, labels, train_folds, seed)
        figures.update(decision=f"pair model trained on the other folds ({train_folds}-fold)",
                       in_sample=False, cv_folds=train_folds,
                       cv_threshold_mean=round(float(np.mean(thresholds)), 4),
                       cv_accuracy_at_half=round(float(np.mean((scores >= 0.5) == labels)), 4))
    else:
        model = model or shipped_model()
        scores = model.score(pairs)
        pred, thresholds = _cv_threshold(scores, labels, folds, seed)
        trained_on = model.metadata.get("trained_on_sha256")
        figures.update(decision="shipped pair model, threshold by cross-validation",
                       in_sample=trained_on == file_digest(path), cv_folds=folds,
                       cv_threshold_mean=round(float(np.mean(thresholds)), 4),
                       shipped_threshold=model.threshold,
                       **_decision_figures("shipped_", scores >= model.threshold, labels))
    secs = time.perf_counter() - t0
    best_t, best_acc = _best_threshold(scores, labels)
    figures.update(
        **_decision_figures("cv_", pred, labels),
        best_threshold_on_file=round(best_t, 4),
        best_accuracy_on_file_not_a_test=round(best_acc, 4),
        seconds=round(secs, 1),
        **_decision_figures("cosine_cv_", cos_pred, labels),
        cosine_shipped_threshold=settings.provenance.rewrite_cosine,
        cosine_best_threshold_on_file=round(cos_t, 4),
        cosine_best_accuracy_on_file_not_a_test=round(cos_acc, 4),
        cosine_pairs_per_s=round(len(pairs) / cos_secs, 1),
    )
    return EvalResult(figures, {"score": scores, "cosine": cosine, "label": labels})
