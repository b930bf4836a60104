"""The bundled sample corpus is folded as labelled: stories and roles.

The floors are the product's promise on this corpus (0.95 on each figure); the measured
figures sit just above them (bench/RESULTS.md), so a regression fails here.
"""

from __future__ import annotations

from storyfold.eval.labels import score_store
from storyfold.ingest import iter_documents

from .conftest import EXAMPLES


def test_sample_corpus_stories_and_roles_match_the_labels(pipeline) -> None:
    corpus = EXAMPLES / "corpus"
    report = pipeline.add(iter_documents([str(corpus)]))
    assert not report.errors
    scores = score_store(pipeline.store, EXAMPLES / "labels.json", corpus)
    assert scores.n >= 40
    assert scores.clusters.pairwise_f1 >= 0.95, scores.mistakes
    assert scores.clusters.bcubed_f1 >= 0.95, scores.mistakes
    assert scores.role_accuracy >= 0.95, scores.mistakes
