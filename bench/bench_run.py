"""Whole `run` on the generated corpus: docs/s (overall and per slice), peak memory, the
encoder-only ceiling on the same texts, story and role quality.

    .venv/bin/python bench/bench_run.py [--n 10000] [--seed 7] [--slice 1000]
                                        [--analyze] [--no-provenance] [--no-ceiling]
                                        [--per-year 10000] [--ceiling-texts 5000]

Generates bench/out/gen{n}.jsonl with bench/gen_corpus.py if missing, then runs the same
code path as `storyfold run FILE` into a fresh SQLite file (`--no-analyze` by default, the
bare ingestion speed issue 17 measures; `--analyze` adds the comparison and write-up of
every changed story, as a plain `storyfold run` does).

The ceiling: the encoder alone on the title + lead texts the run embeds (batched as the run
batches them), measured in a child process just before the run and again just after it,
so that a noisy shared machine slows both alike and a machine that changed speed during a
long run shows it (the child keeps its texts out of this process's peak RSS). The ratio
run / ceiling is the share of the machine's physical limit the whole pipeline reaches.
Slices: docs/s of each consecutive `--slice` articles, so a run that slows as the store
grows shows it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
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
    ap.add_argument("--no-provenance", action="store_true", help="clustering only (no roles)")
    ap.add_argument("--analyze", action="store_true", help="also analyse changed stories")
    ap.add_argument("--slice", type=int, default=0, help="articles per slice (default n/10)")
    ap.add_argument("--no-ceiling", action="store_true", help="skip the encoder-only ceiling")
    ap.add_argument("--ceiling-texts", type=int, default=5000,
                    help="texts the ceiling is measured on, taken evenly over the corpus")
    ap.add_argument("--per-year", type=int, default=0,
                    help="articles a year (default: all n in one year); e.g. 10000 makes "
                         "--n 100000 ten years at the density of the 10k year: the store grows "
                         "while the news of any week stays as dense")
    ap.add_argument("--ceiling-only", default=None, help=argparse.SUPPRESS)  # FILE (a child)
    args = ap.parse_args()
    if args.ceiling_only:
        print(encoder_ceiling(Path(args.ceiling_only), args.ceiling_texts))
        return 0
    slice_n = args.slice or max(1, args.n // 10)
    days = 365 if not args.per_year else max(1, round(365 * args.n / args.per_year))
    name = (f"gen{args.n // 1000}k" if args.n >= 1000 else f"gen{args.n}") + (
        "" if days == 365 else f"_{days}d")  # (as bench_scale.py names them)
    data = HERE / "out" / f"{name}.jsonl"
    if not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(args.n), "--out", str(data), "--seed", str(args.seed),
                         "--days", str(days)])
    gold = {}
    with data.open() as fh:
        for line in fh:
            rec = json.loads(line)  # labels only: the texts would weigh on the peak measured
            gold[rec["id"]] = {"cluster": rec["cluster"], "role": rec["role"]}
    Embedder.model()  # load outside the timed part: a server loads it once
    # in a child process: its texts and their batches would set this process's peak
    ceiling = None if args.no_ceiling else ceiling_apart(data, args.ceiling_texts)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    marks: list[tuple[int, float, int, int]] = []  # (done, seconds, RSS MB, peak MB) a slice
    done = 0

    def progress(k: int) -> None:
        nonlocal done
        before, done = done, done + k
        if done // slice_n > before // slice_n:
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            marks.append((done, time.perf_counter() - t0, rss_mb(), peak_mb))

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        settings = DEFAULTS if args.threshold is None else replace(
            DEFAULTS, place=replace(DEFAULTS.place, threshold=args.threshold))
        pipe = Pipeline(store, settings, provenance=not args.no_provenance,
                        analyze=args.analyze, on_progress=progress)
        t0 = time.perf_counter()
        report = pipe.add(iter_documents([str(data)]))
        secs = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        window = pipe.window()
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
    mode = ("clustering only" if args.no_provenance else
            "with analysis" if args.analyze else "run --no-analyze")
    print(f"run ({mode}): {secs:.1f}s  {n / secs:.1f} docs/s  peak RSS {peak / 1024:.0f} MB "
          f"(model loaded: {rss0 / 1024:.0f} MB)  store {db_mb:.0f} MB")
    if ceiling is not None:
        # again after the run: a long run on a shared machine can outlast the machine's speed
        after = ceiling_apart(data, args.ceiling_texts)
        print(f"encoder-only ceiling on the same texts: {ceiling:.1f} texts/s before the run, "
              f"{after:.1f} after; run / ceiling = {n / secs / ((ceiling + after) / 2):.2f}")
    print(f"stories held at the end: {len(window.index)} (set aside {window.set_aside}, "
          f"read back {window.reads})")
    prev_n, prev_t = 0, 0.0
    cells = []
    for k, t, mb, top in marks:
        span = (f"{prev_n // 1000}-{k // 1000}k" if k % 1000 == 0 and prev_n % 1000 == 0
                else f"{prev_n}-{k}")
        cells.append(f"{span} {(k - prev_n) / (t - prev_t):.0f}/s {mb} MB (peak {top})")
        prev_n, prev_t = k, t
    if cells:
        print("slices (docs/s, RSS at slice end, peak so far): " + " | ".join(cells))
        first, last = marks[0], marks[-1]
        rate = [(k - pk) / (t - pt) for (k, t, _, _), (pk, pt, _, _)
                in zip(marks, [(0, 0.0, 0, 0), *marks[:-1]], strict=True)]
        print(f"last slice / first: {rate[-1] / rate[0]:.2f}x speed; "
              f"peak at the end / peak after the first slice: {last[3] / first[3]:.2f}x")
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


def rss_mb() -> int:
    """Current resident memory (VmRSS) in MB: the slices show growth, not just the peak."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def ceiling_apart(data: Path, sample: int) -> float:
    """`encoder_ceiling` in a child process (the same machine, the same moment), so that the
    peak RSS this process reports is the run's own: on a 100k corpus the texts read for
    the ceiling had set it (1,254 MB, against 1,054 MB at the run's last slice)."""
    done = subprocess.run([sys.executable, __file__, "--ceiling-only", str(data),
                           "--ceiling-texts", str(sample)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def encoder_ceiling(data: Path, sample: int) -> float:
    """texts/s of the encoder alone on what the run embeds: each article's title + lead, on
    `sample` texts taken evenly over the corpus (all of a 100k corpus would take longer than
    the run's own encoding, for the same figure)."""
    from storyfold.clean import clean
    from storyfold.errors import IngestError
    from storyfold.fingerprint import embedding_text

    fs = DEFAULTS.fingerprint
    with data.open("rb") as fh:
        step = max(1, sum(1 for _ in fh) // max(1, sample))
    texts = [embedding_text(clean(d), fs.embed_chars)
             for i, d in enumerate(iter_documents([str(data)]))
             if i % step == 0 and not isinstance(d, IngestError)]
    emb = Embedder(fs.embed_max_tokens, fs.embed_batch)
    t0 = time.perf_counter()
    for i in range(0, len(texts), DEFAULTS.place.chunk):
        emb.embed(texts[i : i + DEFAULTS.place.chunk])
    return len(texts) / (time.perf_counter() - t0)


if __name__ == "__main__":
    sys.exit(main())
