"""Quality on the labelled sample corpus: story clustering (pairwise, B-cubed) and roles.

.venv/bin/python bench/bench_examples.py [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from storyfold.eval.labels import score_store
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verbose", action="store_true", help="list every mistake")
    args = ap.parse_args()
    corpus, labels = ROOT / "examples" / "corpus", ROOT / "examples" / "labels.json"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        report = Pipeline(store).add(iter_documents([str(corpus)]))
        secs = time.perf_counter() - t0
        s = score_store(store, labels, corpus)
    c = s.clusters
    print(
        f"examples/: {s.n} articles, {c.n_gold} gold stories, {c.n_pred} predicted, "
        f"{len(report.errors)} input errors, {secs:.1f}s (model load included)"
    )
    print(f"pairwise  P {c.pairwise_p:.3f}  R {c.pairwise_r:.3f}  F1 {c.pairwise_f1:.3f}")
    print(f"B-cubed   P {c.bcubed_p:.3f}  R {c.bcubed_r:.3f}  F1 {c.bcubed_f1:.3f}")
    print(f"NMI {c.nmi:.3f}  ARI {c.ari:.3f}  AMI {c.ami:.3f}")
    print(f"role accuracy {s.role_accuracy:.3f}   derived_from accuracy {s.derived_accuracy:.3f}")
    if args.verbose:
        for m in s.mistakes:
            print("  -", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
