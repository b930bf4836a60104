"""Run labelled files through the same code path as `run`, and score what comes out.

Stories mode streams articles in file order through ingest → clean → fingerprint →
link → cluster and compares stories with the `cluster` labels. Pairs mode scores the
rewrite decision on sentence pairs; the best threshold on the file is reported, and
accuracy is given by k-fold cross-validation, never by applying that threshold to the
very pairs it was chosen on.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.cluster import DEFAULT_PARAMS, ClusterParams
from storyfold.evaluate import cluster_scores
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.link import DEFAULT_THRESHOLDS
from storyfold.pipeline import Pipeline
from storyfold.store.base import Store


@dataclass
class EvalResult:
    figures: dict[str, Any]


def eval_stories(path: Path, store: Store, embedder: Embedder | None = None,
                 on_progress=None, params: ClusterParams = DEFAULT_PARAMS  # noqa: ANN001
                 ) -> EvalResult:
    """Cluster the file's articles online, in file order, and score against `cluster`."""
    gold: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                rec = json.loads(line)
                gold[str(rec.get("id") or f"line {n}")] = str(rec.get("cluster"))
    pipe = Pipeline(store, params=params, embedder=embedder or Embedder(), analyze=False,
                    on_progress=on_progress)
    t0 = time.perf_counter()
    report = pipe.add(iter_documents([str(path)]))
    secs = time.perf_counter() - t0
    story = store.story_of({aid for _, _, aid in report.inputs})
    g, p = [], []
    for _, record, aid in report.inputs:
        if record in gold and aid in story:
            g.append(gold[record])
            p.append(story[aid])
    scores = cluster_scores(g, p).as_dict()
    scores.update(
        mode="stories", file=str(path), articles=len(g), skipped=len(report.errors),
        seconds=round(secs, 1), docs_per_s=round(len(report.inputs) / secs, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    return EvalResult(scores)


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


def eval_pairs(path: Path, embedder: Embedder | None = None, folds: int = 10,
               seed: int = 13) -> EvalResult:
    """Score paraphrase pairs by embedding cosine (the rewrite gate of `link`)."""
    embedder = embedder or Embedder()
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    labels = np.array([int(r["label"]) == 1 for r in rows])
    t0 = time.perf_counter()
    a = embedder.embed([r["text1"] for r in rows])
    b = embedder.embed([r["text2"] for r in rows])
    scores = np.sum(a * b, axis=1)
    secs = time.perf_counter() - t0
    shipped = DEFAULT_THRESHOLDS.rewrite_cosine
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(len(rows)) % folds
    correct = 0
    cv_pred = np.zeros(len(rows), dtype=bool)
    thresholds = []
    for k in range(folds):
        train, test = fold_of != k, fold_of == k
        t, _ = _best_threshold(scores[train], labels[train])
        thresholds.append(t)
        cv_pred[test] = scores[test] >= t
        correct += int(np.sum(cv_pred[test] == labels[test]))
    best_t, best_acc = _best_threshold(scores, labels)
    figures: dict[str, Any] = {
        "mode": "pairs", "file": str(path), "pairs": len(rows),
        "cv_accuracy": round(correct / len(rows), 4), "cv_folds": folds,
        "cv_threshold_mean": round(float(np.mean(thresholds)), 4),
        **{f"cv_{k}": v for k, v in _prf(cv_pred, labels).items()},
        "shipped_threshold": shipped,
        "shipped_accuracy": round(float(np.mean((scores >= shipped) == labels)), 4),
        "best_threshold_on_file": round(best_t, 4),
        "best_accuracy_on_file_not_a_test": round(best_acc, 4),
        "pairs_per_s": round(len(rows) / secs, 1),
    }
    return EvalResult(figures)
