"""`storyfold watch` against many feeds on loopback: sources polled per second and entries
ingested per second.

    .venv/bin/python bench/bench_watch.py [--feeds 1000] [--entries 2] [--words 80]

Serves `--feeds` RSS 2.0 feeds from one loopback server (http.server, threaded), each with
`--entries` full-content entries cut from bench/gen_corpus.py articles (exact duplicates
removed), and follows them all in a fresh store. Three passes of `Watcher.poll_due`:

1. first poll: every feed fetched (200), parsed, and its entries folded into stories by the
   pipeline; prints polls/s (fetch + parse, the pipeline's time taken out), entries ingested
   per second end to end, and how much of the time the pipeline took;
2. re-poll, nothing new: every feed answers 304 to the conditional GET; polls/s;
3. re-poll with the validators forgotten: every feed answers 200 with entries already taken;
   polls/s of fetch + parse + the seen-entries check.

`watch.host_delay_s` is 0 here (one host serves every feed; the default 2 s would measure the
politeness delay), and robots.txt is answered 404 once. The client and the server share the
machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from gen_corpus import generate  # noqa: E402

from storyfold.fingerprint import Embedder  # noqa: E402
from storyfold.follow.fetcher import Fetcher  # noqa: E402
from storyfold.follow.watch import Watcher  # noqa: E402
from storyfold.pipeline import Pipeline  # noqa: E402
from storyfold.settings import DEFAULTS, FetchSettings  # noqa: E402
from storyfold.store import open_store  # noqa: E402
from tests.follow_feeds import rss20  # noqa: E402
from tests.follow_server import serve  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=2)
    ap.add_argument("--words", type=int, default=80)
    args = ap.parse_args()
    texts: dict[str, dict] = {}
    for rec in generate(args.feeds * args.entries * 3, seed=41):
        texts.setdefault(" ".join(str(rec["text"]).split()[: args.words]), rec)
    records = list(texts.values())
    if len(records) < args.feeds * args.entries:
        sys.exit("not enough distinct generated articles; lower --feeds or --entries")
    now = [datetime(2026, 12, 2, 8, 0, tzinfo=UTC)]
    with serve() as fx, tempfile.TemporaryDirectory() as tmp:
        fx.static("/robots.txt", "none", ctype="text/plain", status=404)
        for n in range(args.feeds):
            items = [{"id": f"{n}-{i}", "title": str(r["title"]),
                      "date": "2026-12-01T08:00:00Z",
                      "text": [" ".join(str(r["text"]).split()[: args.words])]}
                     for i, r in enumerate(records[n * args.entries:(n + 1) * args.entries])]
            body = rss20(fx.url(""), items, title=f"Outlet {n}").encode()

            def route(h, body=body, tag=f'"f{n}"'):  # type: ignore[no-untyped-def]
                if h.headers.get("If-None-Match") == tag:
                    return 304, {"ETag": tag}, b""
                return 200, {"Content-Type": "application/rss+xml", "ETag": tag}, body

            fx.routes[f"/feed{n}.xml"] = route
        store = open_store(f"sqlite:///{tmp}/watch.db")
        for n in range(args.feeds):
            store.add_source(fx.url(f"/feed{n}.xml"))
        settings = replace(DEFAULTS.watch, host_delay_s=0.0, batch=256)
        embedder = Embedder()
        embedder.embed(["warm up the model"])
        pipeline = Pipeline(store, embedder=embedder)
        in_pipeline = [0.0]
        real_add = pipeline.add

        def timed_add(docs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return real_add(docs)
            finally:
                in_pipeline[0] += time.perf_counter() - t

        pipeline.add = timed_add  # type: ignore[method-assign]
        with Fetcher(FetchSettings(allow_private_networks=True)) as fetcher:
            w = Watcher(store, pipeline, fetcher, settings, clock=lambda: now[0],
                        sleep=lambda s: None)
            t0 = time.perf_counter()
            polled = w.poll_due()
            total = time.perf_counter() - t0
            t = w.totals
            print(f"first poll   {polled} feeds, {t.new_entries} entries, {t.added} articles "
                  f"added in {total:.1f} s: {t.added / total:.1f} entries ingested/s end to "
                  f"end; polling {polled / (total - in_pipeline[0]):.0f} polls/s without the "
                  f"pipeline ({in_pipeline[0] / total:.0%} of the time in the pipeline)")
            now[0] += timedelta(hours=2)
            t0 = time.perf_counter()
            polled = w.poll_due()
            total = time.perf_counter() - t0
            print(f"re-poll 304  {polled} feeds in {total:.2f} s: {polled / total:.0f} polls/s")
            with store.transaction():
                for src in store.sources():
                    store.update_source(replace(src, etag=None, next_fetch=None))
            t0 = time.perf_counter()
            before = w.totals.new_entries
            polled = w.poll_due()
            total = time.perf_counter() - t0
            print(f"re-poll 200  {polled} feeds in {total:.2f} s: {polled / total:.0f} polls/s "
                  f"({w.totals.new_entries - before} new entries: all already taken)")
        store.close()


if __name__ == "__main__":
    main()
