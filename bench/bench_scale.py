"""Single process against Ray with 1 and 2 workers, on the same generated corpus: docs/s,
B-cubed between the partitions (the Ray runs must fold the corpus as the plain run does),
peak memory, how many language-shard placers the Ray runs used (`scale.shards`), and a
re-run of the same input on the same store (everything stored already: the workers read the
store and encode none of it).

    .venv/bin/python bench/bench_scale.py [--n 1000] [--seed 7] [--workers 1,2] [--analyze]
        [--data examples/corpus,tests/fixtures/languages/valdoria.jsonl]

Each configuration runs in its own process (a fresh peak RSS, a fresh Ray), into its own
SQLite store, with the encoder loaded before the clock starts (the plain run's in the
process, Ray's in every worker): the figures are ingestion, not start-up. Ray's start-up
(starting the local cluster and its workers, loading their encoders) is reported beside.
`--no-analyze` by default, as bench_run.py (`--analyze` adds the write-up of changed
stories, which runs in the driver either way).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", default="1,2", help="Ray worker counts, comma-separated")
    ap.add_argument("--analyze", action="store_true")
    ap.add_argument("--data", default=None,
                    help="files or folders to fold instead (comma-separated), e.g. a "
                         "mixed-language corpus to see what language shards change")
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)  # local | ray:K (child)
    ap.add_argument("--db", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    data = HERE / "out" / f"gen{args.n // 1000}k.jsonl" if args.n >= 1000 else (
        HERE / "out" / f"gen{args.n}.jsonl")
    paths = args.data.split(",") if args.data else [str(data)]
    if args.one:
        print(json.dumps(one(args.one, paths, args.db, args.analyze)))
        return 0
    if not args.data and not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(args.n), "--out", str(data), "--seed", str(args.seed)])
    configs = ["local"] + [f"ray:{k}" for k in args.workers.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cfg in configs:
            db = f"sqlite:///{tmp}/{cfg.replace(':', '')}.db"
            cmd = [sys.executable, __file__, "--n", str(args.n), "--one", cfg, "--db", db]
            if args.data:
                cmd += ["--data", args.data]
            if args.analyze:
                cmd.append("--analyze")
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-3000:], file=sys.stderr)
                return 1
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["partition"] = partition(db)
            rows.append(row)
    show(rows, ", ".join(Path(p).name for p in paths), args)
    return 0


def one(cfg: str, paths: list[str], db: str, analyze: bool) -> dict[str, object]:
    """One configuration, in this (child) process."""
    from storyfold.fingerprint import Embedder
    from storyfold.ingest import iter_documents
    from storyfold.pipeline import Pipeline
    from storyfold.settings import load
    from storyfold.store import open_store

    settings = load()
    store = open_store(db)
    pipe = Pipeline(store, settings, analyze=analyze)
    out: dict[str, object] = {"config": cfg}
    Embedder.model()  # the driver's encoder (lead sentences of provenance; the plain run's)
    docs = iter_documents(paths)
    if cfg == "local":
        t0 = time.perf_counter()
        report = pipe.add(docs)
        secs = time.perf_counter() - t0
        out["worker_rss_mb"] = 0.0
        t1 = time.perf_counter()
        Pipeline(store, settings, analyze=analyze).add(iter_documents(paths))
        out["rerun_s"] = round(time.perf_counter() - t1, 1)
    else:
        import ray

        from storyfold.scale.engine import Workers
        from storyfold.scale.shards import ShardedPlacer

        k = int(cfg.split(":")[1])
        t_start = time.perf_counter()
        ray.init(num_cpus=k, include_dashboard=False, log_to_driver=False)
        with Workers(ray, settings, k, db) as pool:  # workers read the store, as in `run`
            ray.get([a.stats.remote() for a in pool.actors])  # their encoders are loaded
            out["startup_s"] = round(time.perf_counter() - t_start, 1)
            t0 = time.perf_counter()
            placer = ShardedPlacer(pipe)  # as `run --engine ray`: a placer per shard
            report = placer.add_prepared(pool.documents(docs))
            secs = time.perf_counter() - t0
            out["shards"] = len(placer.placers)
            stats = ray.get([a.stats.remote() for a in pool.actors])
            out["worker_rss_mb"] = max(st["peak_rss_mb"] for st in stats)
            # per core: each worker holds one CPU (scale.worker_cpus = 1)
            out["per_core"] = round(sum(st["articles"] for st in stats)
                                    / sum(st["busy_s"] for st in stats), 1)
            out["encoder_share"] = round(sum(st["encoder_s"] for st in stats)
                                         / sum(st["busy_s"] for st in stats), 2)
            out["encoded"] = encoded = sum(int(st["encoded"]) for st in stats)
            t1 = time.perf_counter()  # the same input again: all of it stored
            ShardedPlacer(Pipeline(store, settings, analyze=analyze)).add_prepared(
                pool.documents(iter_documents(paths)))
            out["rerun_s"] = round(time.perf_counter() - t1, 1)
            stats = ray.get([a.stats.remote() for a in pool.actors])
            out["rerun_encoded"] = sum(int(st["encoded"]) for st in stats) - encoded
        ray.shutdown()
    store.close()
    out.update(added=report.added, seconds=round(secs, 1),
               docs_s=round(report.added / secs, 2),
               driver_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return out


def partition(db: str) -> dict[str, str]:
    from storyfold.store import open_store

    store = open_store(db)
    try:
        return {m.article_id: rec.id for rec in store.iter_stories() for m in rec.members}
    finally:
        store.close()


def show(rows: list[dict], data: str, args: argparse.Namespace) -> None:
    import os

    from storyfold.eval.metrics import bcubed

    base = rows[0]["partition"]
    ids = sorted(base)
    print(f"data: {data}, {rows[0]['added']} articles stored; "
          f"{'with' if args.analyze else 'no'} analysis; load average before: "
          f"{os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs seen")
    print(f"{'config':<10}{'seconds':>9}{'docs/s':>9}{'vs local':>10}{'B3 F1 vs local':>16}"
          f"{'start-up s':>12}{'driver RSS MB':>15}{'worker RSS MB':>15}"
          f"{'worker docs/s/core':>20}{'encoder share':>15}{'shards':>8}{'encoded':>9}"
          f"{'re-run s':>10}{'re-run encoded':>16}")
    for r in rows:
        p = r["partition"]
        f1 = bcubed([base[i] for i in ids], [p.get(i, "?" + i) for i in ids])[2]
        print(f"{r['config']:<10}{r['seconds']:>9}{r['docs_s']:>9}"
              f"{r['docs_s'] / rows[0]['docs_s']:>9.2f}x{f1:>16.4f}"
              f"{r.get('startup_s', '-'):>12}{r['driver_rss_mb']:>15}"
              f"{r['worker_rss_mb']:>15.0f}{r.get('per_core', '-'):>20}"
              f"{r.get('encoder_share', '-'):>15}{r.get('shards', '-'):>8}"
              f"{r.get('encoded', '-'):>9}{r.get('rerun_s', '-'):>10}"
              f"{r.get('rerun_encoded', '-'):>16}")


if __name__ == "__main__":
    sys.exit(main())
