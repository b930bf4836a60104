"""The first read of a story after `run`: a cold `storyfold story ID` and a first web view.

    .venv/bin/python bench/bench_read.py [--n 10000] [--seed 7] [--stories 5]

Issue 14 asks that a story's analysis be computed when the story changes (by `run`), so
that the first `storyfold story ID` answers in 1 s or less and the first web view of a story
in 200 ms or less on the generated 10k store. This script:

1. builds (once, then reuses) bench/out/read{n}.db with the real `storyfold run FILE` command
   on the generated corpus (bench/gen_corpus.py, as bench_run.py and bench_serve.py use);
2. picks the largest stories and some median-sized ones (`--stories` of each);
3. times, per story, a fresh `storyfold story ID --format json` process (wall clock, as a
   user waits for it), and separately the baseline of a process that only starts the
   interpreter and imports the CLI, so the read itself is the difference;
4. starts `storyfold serve` on the store, waits until it answers, and times the first GET
   of each story's page `/stories/ID` and of its JSON `/api/stories/ID` (no story is
   requested twice: every figure is a first view).

The machine is shared (2 cores, other processes running), so the figures are a ceiling for a
dedicated one; each process is timed once per story and the median and maximum are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_serve import (  # noqa: E402
    building,
    corpus,
    free_port,
    start_server,
    stop_server,
    wait_ready,
)

CLI = [sys.executable, "-c", "from storyfold.cli import app; app()"]


def build_store(n: int, seed: int) -> Path:
    """The store a user has after `storyfold run FILE` (the real command, analysis on)."""
    db = OUT / f"read{n}.db"
    if db.exists():
        return db
    data = corpus(n, seed)
    tmp = building(db)
    t0 = time.perf_counter()
    subprocess.run([*CLI, "run", str(data), "--db", f"sqlite:///{tmp}"], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "STORYFOLD_LOG": "WARNING"})
    tmp.rename(db)
    print(f"built {db.name} with `storyfold run` in {time.perf_counter() - t0:.0f}s",
          flush=True)
    return db


def pick_stories(db: Path, k: int) -> list[tuple[str, int]]:
    """The `k` largest stories and `k` of median size: (id, members)."""
    from storyfold.store import open_store

    store = open_store(f"sqlite:///{db}", must_exist=True)
    try:
        sizes = sorted(((st.size, st.id) for st in store.story_states()), reverse=True)
    finally:
        store.close()
    mid = len(sizes) // 2
    chosen = sizes[:k] + sizes[mid : mid + k]
    return [(sid, size) for size, sid in chosen]


def timed(cmd: list[str]) -> float:
    env = {**os.environ, "STORYFOLD_LOG": "WARNING"}
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def first_get(port: int, path: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        t = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return time.perf_counter() - t, resp.status
    finally:
        conn.close()


def line(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"  {label:<52} median {statistics.median(ms):7.0f} ms   max {max(ms):7.0f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="articles in the generated corpus")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--stories", type=int, default=5, help="largest and median stories each")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    db = build_store(args.n, args.seed)
    stories = pick_stories(db, args.stories)
    cli_stories, web_stories = stories[::2], stories[1::2]  # every story read once, cold
    print(f"store: {db.name} ({args.n} generated articles); {os.cpu_count()} cores, shared")

    base = [timed([sys.executable, "-c", "import storyfold.cli"]) for _ in cli_stories]
    reads = [timed([*CLI, "story", sid, "--db", f"sqlite:///{db}", "--format", "json"])
             for sid, _ in cli_stories]
    print(f"`storyfold story ID` in a fresh process ({len(cli_stories)} stories of "
          f"{', '.join(str(n) for _, n in cli_stories)} articles):")
    print(line("whole process (what a user waits for)", reads))
    print(line("interpreter + import storyfold.cli (baseline)", base))
    print(line("the read itself (process minus baseline median)",
               [r - statistics.median(base) for r in reads]))

    port = free_port()
    proc = start_server(db, port, token=None)
    try:
        t = time.perf_counter()
        wait_ready(port, proc)
        print(f"`storyfold serve` answering after {time.perf_counter() - t:.1f}s; first views "
              f"({len(web_stories)} stories of {', '.join(str(n) for _, n in web_stories)} "
              f"articles):")
        pages, apis, bad = [], [], 0
        for sid, _ in web_stories:
            took, status = first_get(port, f"/stories/{sid}")
            pages.append(took)
            bad += status != 200
        for sid, _ in cli_stories:  # not yet viewed on this server either
            took, status = first_get(port, f"/api/stories/{sid}")
            apis.append(took)
            bad += status != 200
        print(line("GET /stories/ID (first view of the page)", pages))
        print(line("GET /api/stories/ID (first view of the JSON)", apis))
        if bad:
            print(f"  {bad} requests answered other than 200")
    finally:
        stop_server(proc)
    print(json.dumps({"n": args.n, "cli_ms": round(statistics.median(reads) * 1000),
                      "baseline_ms": round(statistics.median(base) * 1000),
                      "page_ms": round(statistics.median(pages) * 1000)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
