"""`storyfold serve` under mixed load: 20 readers and one writer, in rounds, against one server.

    .venv/bin/python bench/bench_load.py [--n 500] [--seconds 60] [--rounds 2] [--readers 20]

Why: a server that answers a benchmark of one kind at a time can still misbehave when reads
and writes interleave: read latency spikes while the writer holds the store, a write that
is acknowledged but not found afterwards, memory that grows with every round and never
comes back (issue 13 saw 1.0 -> 1.7 GB in three minutes). This script reproduces that load.

Builds (once, then reuses) bench/out/serve{n}.db with bench_serve.py's helpers, starts the
real `storyfold serve` command on a free loopback port with a fresh $STORYFOLD_TOKEN, then
runs `--rounds` rounds of `--seconds` each against the same server process:

* `--readers` threads, one keep-alive http.client connection each, pick at random among
  pages (`/`, `/stories/ID`), the API list (`/api/stories`, sometimes with a cursor), one
  story (`/api/stories/ID`) and search (`/api/search?q=`); story ids are the stored ones
  plus those the writer's articles joined;
* one writer POSTs a new generated article (bench/gen_corpus.py, a seed the store was not
  built from, exact duplicates removed) to `/api/articles` every `--interval` seconds.

Per round it prints requests/s, p50/p99 latency per kind, errors (status >= 400 and
exceptions, by status or exception name), articles written (2xx POSTs) against those found
afterwards with `GET /api/articles/ID`, and the server's VmRSS before the first round and
after each. Load and server share the machine (and the client's GIL bounds its rate), so
the figures are a floor for a dedicated server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_serve import (  # noqa: E402
    OUT,
    build_store,
    free_port,
    pct,
    start_server,
    stop_server,
    wait_ready,
)

KINDS = ("page", "api list", "api story", "search", "write")
MAX_REQUESTS = 1_000_000  # per reader per round: the time limit ends a loop long before
TIMEOUT = 60.0  # seconds a single request may take before it counts as an error


@dataclass
class Tally:
    """What one thread saw in a round; merged after the threads are joined (no shared lock on
    the hot path)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: Counter[str] = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)  # article ids of 2xx POSTs
    new: int = 0  # 201: a new article; 200 means the server already had it
    merged: int = 0  # 404 naming `merged_into`: a story merged away, documented, not an error

    def merge(self, other: Tally) -> None:
        for k in KINDS:
            self.latencies[k].extend(other.latencies[k])
        self.errors.update(other.errors)
        self.written.extend(other.written)
        self.new += other.new
        self.merged += other.merged


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """VmRSS (or another /proc status field in kB, e.g. VmHWM, the peak) of a process in MB,
    from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp.status, resp.read()


def timed(conn: http.client.HTTPConnection, tally: Tally, kind: str, method: str, path: str,
          body: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[http.client.HTTPConnection, int, bytes]:
    """One request, its latency recorded under `kind`; an exception counts as an error by its
    name and the connection is replaced (a broken keep-alive connection cannot be reused)."""
    t = time.perf_counter()
    try:
        status, data = request(conn, method, path, body, headers)
    except (OSError, http.client.HTTPException) as exc:
        tally.latencies[kind].append((time.perf_counter() - t) * 1000)
        tally.errors[f"{kind}: {type(exc).__name__}"] += 1
        conn.close()
        return http.client.HTTPConnection(conn.host, conn.port, timeout=TIMEOUT), 0, b""
    tally.latencies[kind].append((time.perf_counter() - t) * 1000)
    if status == 404 and b'"merged_into"' in data:
        tally.merged += 1
    elif status >= 400:
        tally.errors[f"{kind}: {status}"] += 1
    return conn, status, data


def sample_ids(port: int, pages: int) -> tuple[list[str], list[str], list[str]]:
    """Stored story ids, `/api/stories` cursors and search queries (first words of
    headlines), read through the API before the load starts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    ids: list[str] = []
    cursors: list[str] = []
    queries: list[str] = []
    cursor = None
    try:
        for _ in range(pages):
            path = "/api/stories?limit=100" + (f"&cursor={quote(cursor)}" if cursor else "")
            status, data = request(conn, "GET", path)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
            page = json.loads(data)
            ids += [s["id"] for s in page["stories"]]
            queries += [quote(" ".join(s["headline"].split()[:3]))
                        for s in page["stories"] if s.get("headline")]
            cursor = page.get("next_cursor")
            if not cursor:
                break
            cursors.append(cursor)
        if queries:
            request(conn, "GET", f"/api/search?q={queries[0]}")  # loads the model: not timed
    finally:
        conn.close()
    return ids, cursors, queries[:50] or ["news"]


def articles(count: int, seed: int) -> list[bytes]:
    """`count` distinct POST bodies from the corpus generator (a seed the store was not built
    from); the generator's ground-truth fields and ids are left out, as a client would."""
    import gen_corpus

    seen: set[str] = set()
    bodies: list[bytes] = []
    for rec in gen_corpus.generate(count + count // 4 + 10, seed):
        if rec["text"] in seen:  # the generator makes exact duplicates on purpose
            continue
        seen.add(rec["text"])
        bodies.append(json.dumps({k: rec[k] for k in ("title", "text", "source", "date", "url")},
                                 ensure_ascii=False).encode())
        if len(bodies) == count:
            break
    return bodies


def reader(port: int, deadline: float, seed: int, story_ids: list[str], cursors: list[str],
           queries: list[str], tally: Tally) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            kind = rng.choice(KINDS[:4])
            sid = quote(rng.choice(story_ids), safe="")
            if kind == "page":
                path = rng.choice(["/", f"/stories/{sid}"])
            elif kind == "api list":
                path = "/api/stories?limit=20" + (
                    f"&cursor={quote(rng.choice(cursors))}" if cursors and rng.random() < 0.5
                    else "")
            elif kind == "api story":
                path = f"/api/stories/{sid}"
            else:
                path = f"/api/search?q={rng.choice(queries)}"
            conn, _, _ = timed(conn, tally, kind, "GET", path)
    finally:
        conn.close()


def writer(port: int, deadline: float, interval: float, token: str, bodies: list[bytes],
           story_ids: list[str], tally: Tally) -> None:
    """POST one body every `interval` seconds (at once when the previous POST ran late); the
    story each article joined is offered to the readers."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    slot = time.monotonic()
    try:
        for body in bodies:
            now = time.monotonic()
            if now >= deadline:
                break
            if slot > now:
                time.sleep(min(slot, deadline) - now)
                if time.monotonic() >= deadline:
                    break
            slot = max(slot + interval, time.monotonic())
            conn, status, data = timed(conn, tally, "write", "POST", "/api/articles", body,
                                       headers)
            if 200 <= status < 300:
                result = json.loads(data)
                tally.written.append(result["article_id"])
                tally.new += status == 201
                if result.get("story", {}).get("id"):
                    story_ids.append(result["story"]["id"])  # list.append is atomic
    finally:
        conn.close()


def found(port: int, article_ids: list[str]) -> int:
    """How many of the written articles the server serves back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    hits = 0
    try:
        for aid in article_ids:
            try:
                status, _ = request(conn, "GET", f"/api/articles/{quote(aid, safe='')}")
            except (OSError, http.client.HTTPException):
                conn.close()  # counts as not found; a fresh connection for the next id
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                continue
            hits += status == 200
    finally:
        conn.close()
    return hits


def one_round(port: int, args: argparse.Namespace, token: str, bodies: list[bytes],
              story_ids: list[str], cursors: list[str], queries: list[str], rnd: int
              ) -> tuple[float, Tally]:
    tallies = [Tally() for _ in range(args.readers + 1)]
    deadline = time.monotonic() + args.seconds
    threads = [threading.Thread(target=reader, args=(port, deadline, 1000 * rnd + i, story_ids,
                                                     cursors, queries, tallies[i]))
               for i in range(args.readers)]
    threads.append(threading.Thread(target=writer, args=(port, deadline, args.interval, token,
                                                         bodies, story_ids, tallies[-1])))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.seconds + TIMEOUT + 30)
    secs = time.perf_counter() - t0
    if any(t.is_alive() for t in threads):
        raise SystemExit("a load thread did not finish; its figures would be partial")
    total = Tally()
    for t in tallies:
        total.merge(t)
    return secs, total


def report(rnd: int, secs: float, tally: Tally, hits: int, rss: float, rss0: float,
           peak: float) -> None:
    reqs = sum(len(v) for v in tally.latencies.values())
    reads = reqs - len(tally.latencies["write"])
    print(f"round {rnd}: {secs:.1f}s, {reqs} requests = {reqs / secs:.1f} req/s "
          f"({reads / secs:.1f} reads/s)")
    print(f"  {'kind':10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in KINDS:
        lat = tally.latencies[kind]
        if lat:
            print(f"  {kind:10} {len(lat):9d} {pct(lat, 0.5):8.1f} {pct(lat, 0.99):8.1f}")
    errs = ", ".join(f"{k} x{n}" for k, n in sorted(tally.errors.items())) or "none"
    print(f"  errors: {errs}; merged-away story ids answered 404 + merged_into: "
          f"{tally.merged}")
    posts = len(tally.latencies["write"])
    print(f"  articles: {posts} POSTs, {len(tally.written)} written (2xx; {tally.new} new), "
          f"{hits} found afterwards by GET /api/articles/ID")
    print(f"  server RSS: {rss:.0f} MB after the round ({rss - rss0:+.0f} MB since before "
          f"round 1; peak {peak:.0f} MB)", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="articles in the generated store")
    ap.add_argument("--seed", type=int, default=7, help="the store's corpus seed")
    ap.add_argument("--seconds", type=float, default=60, help="length of one round")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--readers", type=int, default=20, help="concurrent reader connections")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between POSTs")
    args = ap.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1 or args.readers < 1 or args.interval <= 0:
        ap.error("--seconds, --rounds, --readers and --interval must be positive")
    OUT.mkdir(exist_ok=True)
    db = build_store(args.n, args.seed)
    # The server writes to its store: load a copy, so that the cached store stays as built.
    work = OUT / f"load{args.n}.db"
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    work.write_bytes(db.read_bytes())
    per_round = int(args.seconds / args.interval) + 2
    bodies = articles(per_round * args.rounds, seed=args.seed + 1000)
    token = secrets.token_urlsafe(24)
    port = free_port()
    proc = start_server(work, port, token)
    try:
        wait_ready(port, proc)
        story_ids, cursors, queries = sample_ids(port, pages=5)
        rss0 = rss_mb(proc.pid)
        print(f"store: copy of {db.name} ({args.n} generated articles, {len(story_ids)} "
              f"stories sampled); {args.readers} readers (keep-alive, one connection each) + "
              f"1 writer POSTing every {args.interval}s; {args.rounds} rounds of "
              f"{args.seconds:.0f}s on one server; {os.cpu_count()} cores shared by server and "
              f"load")
        print(f"server RSS before round 1: {rss0:.0f} MB", flush=True)
        for rnd in range(1, args.rounds + 1):
            chunk = bodies[(rnd - 1) * per_round: rnd * per_round]
            secs, tally = one_round(port, args, token, chunk, story_ids, cursors, queries, rnd)
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode} during round {rnd}")
            hits = found(port, tally.written)
            report(rnd, secs, tally, hits, rss_mb(proc.pid), rss0,
                   rss_mb(proc.pid, "VmHWM"))
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
