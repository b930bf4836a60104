"""Whole `run` on the generated corpus: docs/s, peak memory, story and role quality.

    .venv/bin/python bench/bench_run.py [--n 10000] [--seed 7]

Generates bench/out/gen{n}.jsonl with bench/gen_corpus.py if missing, then runs the same
code path as `storyfold run FILE` into a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from storyfold.eval.metrics import cluster_scores
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.settings import DEFAULTS
from storyfold.store import open_store

HERE = Path(__file__).resolve().parent
ROLE = {"near": "copy"}  # the generator tells near copies apart; storyfold calls both copies


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=None, help="override story threshold")
    ap.add_argument("--no-analyze", action="store_true", help="clustering only (no roles)")
    args = ap.parse_args()
    data = HERE / "out" / f"gen{args.n // 1000}k.jsonl"
    if not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(args.n), "--out", str(data), "--seed", str(args.seed)])
    gold = {}
    with data.open() as fh:
        for line in fh:
            rec = json.loads(line)
            gold[rec["id"]] = rec
    Embedder.model()  # load outside the timed part: a server loads it once
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        settings = DEFAULTS if args.threshold is None else replace(
            DEFAULTS, place=replace(DEFAULTS.place, threshold=args.threshold))
        pipe = Pipeline(store, settings, provenance=not args.no_analyze)
        t0 = time.perf_counter()
        report = pipe.add(iter_documents([str(data)]))
        secs = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        members = {m.article_id: (r.id, m) for r in store.iter_stories() for m in r.members}
        arts = store.articles(members)
        db_mb = Path(f"{tmp}/bench.db").stat().st_size / 1e6
    g, p, roles, confusion = [], [], Counter(), Counter()
    for aid, (sid, m) in members.items():
        rec = gold[arts[aid].record]
        g.append(rec["cluster"])
        p.append(sid)
        want = ROLE.get(rec["role"], rec["role"])
        roles[want == m.role] += 1
        confusion[want, m.role] += 1
    s = cluster_scores(g, p)
    n = report.added
    print(f"data: {data.name} ({len(gold)} records), stored {n}, skipped {len(report.errors)}, "
          f"duplicates-in-input {report.already_stored}")
    print(f"run: {secs:.1f}s  {n / secs:.1f} docs/s  peak RSS {peak / 1024:.0f} MB "
          f"(model loaded: {rss0 / 1024:.0f} MB)  store {db_mb:.0f} MB")
    print(f"stories: predicted {s.n_pred}, gold {s.n_gold}")
    print(f"pairwise P {s.pairwise_p:.3f} R {s.pairwise_r:.3f} F1 {s.pairwise_f1:.3f} | "
          f"B-cubed P {s.bcubed_p:.3f} R {s.bcubed_r:.3f} F1 {s.bcubed_f1:.3f} | "
          f"NMI {s.nmi:.3f} ARI {s.ari:.3f}")
    print(f"role accuracy {roles[True] / max(1, sum(roles.values())):.3f}")
    kinds = ["original", "copy", "rewrite", "independent"]
    print("roles (rows: generator's label, columns: storyfold's)")
    print(f"{'':>12}" + "".join(f"{k:>12}" for k in kinds))
    for want in kinds:
        print(f"{want:>12}" + "".join(f"{confusion[want, got]:>12}" for got in kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
