"""`storyfold serve` under load: requests/s and p50/p99 latency for the pages and the search.

    .venv/bin/python bench/bench_serve.py [--n 10000] [--requests 300] [--concurrency 4]

Builds (once, then reuses) bench/out/serve{n}.db from the generated corpus with the full
pipeline, the same path as `storyfold run`: about 10+ minutes for 10,000 articles on a
2-core machine, so `--n 2000` is the quick variant. Starts the real server command in a
subprocess on a free loopback port and loads it from this process over keep-alive HTTP
connections: a bounded number of requests per target, `--concurrency` at a time. Both
processes share the machine, so the figures are a floor for a dedicated server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def corpus(n: int, seed: int) -> Path:
    name = f"gen{n // 1000}k.jsonl" if n % 1000 == 0 else f"gen{n}.jsonl"
    data = OUT / name
    if not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(n), "--out", str(data), "--seed", str(seed)])
    return data


def building(db: Path) -> Path:
    """A fresh path to build `db` at (renamed into place when done), with no leftovers of
    an interrupted build (its WAL and shared-memory files included)."""
    tmp = db.with_suffix(".building.db")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    return tmp


def build_store(n: int, seed: int) -> Path:
    db = OUT / f"serve{n}.db"
    if db.exists():
        return db
    from storyfold.ingest import iter_documents
    from storyfold.pipeline import Pipeline
    from storyfold.store import open_store

    data = corpus(n, seed)
    tmp = building(db)
    store = open_store(f"sqlite:///{tmp}")
    t0 = time.perf_counter()
    done = [0]

    def progress(k: int) -> None:
        done[0] += k
        if done[0] % 1000 < k:
            print(f"  building store: {done[0]}/{n} articles, {time.perf_counter() - t0:.0f}s",
                  flush=True)

    report = Pipeline(store, on_progress=progress).add(iter_documents([str(data)]))
    store.close()
    tmp.rename(db)
    print(f"built {db.name}: {report.added} articles, {report.new_stories} stories in "
          f"{time.perf_counter() - t0:.0f}s", flush=True)
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            if get(conn, "/api/stories?limit=1")[0] == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise SystemExit("server did not start")


def start_server(db: Path, port: int, token: str | None) -> subprocess.Popen:
    """The real `storyfold serve` command on loopback; writes on only with a `token`."""
    env = {**os.environ, "STORYFOLD_LOG": "WARNING"}
    env.pop("STORYFOLD_TOKEN", None)
    if token is not None:
        env["STORYFOLD_TOKEN"] = token
    return subprocess.Popen(
        [sys.executable, "-c", "from storyfold.cli import app; app()", "serve",
         "--db", f"sqlite:///{db}", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(port: int, paths: list[str], total: int, concurrency: int
         ) -> tuple[float, list[float], int]:
    """`total` requests cycling over `paths`, `concurrency` connections: (seconds, latencies
    in ms, non-200 count)."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        for i in counter:  # a shared iterator: each request index handed out once
            t = time.perf_counter()
            status, _ = get(conn, paths[i % len(paths)])
            mine.append((time.perf_counter() - t) * 1000)
            if status != 200:
                with lock:
                    bad[0] += 1
        with lock:
            latencies.extend(mine)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, bad[0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="articles in the generated corpus")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--requests", type=int, default=300, help="requests per target")
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    db = build_store(args.n, args.seed)
    port = free_port()
    proc = start_server(db, port, token=None)
    try:
        wait_ready(port, proc)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        page = json.loads(get(conn, "/api/stories?limit=100")[1])["stories"]
        big = max(page, key=lambda s: len(s["articles"]))
        heads = [s["headline"] for s in page if s.get("headline")][:20]
        queries = [quote(" ".join(h.split()[:3])) for h in heads] or ["news"]
        get(conn, f"/api/search?q={queries[0]}")  # the first search loads the model: not timed
        conn.close()
        targets = {
            "front page  GET /": ["/"],
            f"story page  GET /stories/ID ({len(big['articles'])} articles)":
                [f"/stories/{big['id']}"],
            "story JSON  GET /api/stories/ID": [f"/api/stories/{big['id']}"],
            f"search      GET /api/search?q= ({len(queries)} queries)":
                [f"/api/search?q={q}" for q in queries],
            "search page GET /search?q=": [f"/search?q={q}" for q in queries],
        }
        from storyfold.store import open_store

        store = open_store(f"sqlite:///{db}")  # through the store contract, as any backend
        try:
            n_stories = len(store.story_states())
        finally:
            store.close()
        print(f"store: {db.name}, {args.n} generated articles, {n_stories} stories, "
              f"{db.stat().st_size / 1e6:.0f} MB; {args.requests} requests per target, "
              f"{args.concurrency} concurrent keep-alive connections from a second process; "
              f"{os.cpu_count()} cores shared by server and load")
        print(f"{'target':58} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8}")
        for name, paths in targets.items():
            load(port, paths, max(4, args.requests // 10), args.concurrency)  # warm-up
            secs, lat, bad = load(port, paths, args.requests, args.concurrency)
            print(f"{name:58} {len(lat) / secs:7.1f} {statistics.median(lat):8.1f} "
                  f"{pct(lat, 0.99):8.1f} {bad:8d}", flush=True)
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
