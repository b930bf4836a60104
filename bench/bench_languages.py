"""Fingerprinting throughput with and without the multilingual encoder, on English and on
other languages, alternated in one process so machine load hits both alike.

    .venv/bin/python bench/bench_languages.py [--pairs ../shared/eval/semeval2022/dev.jsonl]
                                              [--english ../shared/eval/ecbplus/dev.jsonl]
                                              [--n 200] [--rounds 2]
    .venv/bin/python bench/bench_languages.py --run 2000 [--rounds 2]

For each set (non-English articles of the pairs file; English articles of the English file),
prints articles/s of `fingerprint_batch` without the multilingual encoder (every article
through MiniLM: storyfold before it read other languages) and with it (non-English articles
through USE-multilingual instead of MiniLM, English ones through both), and the share of
the time language identification takes inside `clean`.

`--run N`: the whole `run --no-analyze` on N generated English articles (bench/gen_corpus.py,
as bench/bench_run.py makes them) into a fresh SQLite store, with `languages.multilingual`
off and on, alternated: with it on, an English-only store must cost (almost) nothing more,
since English articles are encoded multilingually only when another language needs them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from storyfold.clean import clean
from storyfold.clean.language import article_language
from storyfold.fingerprint import Embedder, MultilingualEncoder, fingerprint_batch
from storyfold.ingest import iter_documents
from storyfold.model import Article, RawDocument
from storyfold.pipeline import Pipeline
from storyfold.settings import DEFAULTS
from storyfold.store import open_store

HERE = Path(__file__).resolve().parent


def _pair_articles(path: Path, n: int) -> list[Article]:
    out: list[Article] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for side in ("1", "2"):
                key = str(rec[f"id{side}"])
                if key in seen or rec[f"lang{side}"] == "en":
                    continue
                seen.add(key)
                out.append(clean(RawDocument(str(path), "json", rec[f"text{side}"], {}, key)))
            if len(out) >= n:
                return out[:n]
    return out


def _english(path: Path, n: int) -> list[Article]:
    return [clean(d) for d, _ in zip(iter_documents([str(path)]), range(n), strict=False)
            if isinstance(d, RawDocument)]


def _rate(arts: list[Article], embedder: Embedder, ml: MultilingualEncoder | None) -> float:
    t0 = time.perf_counter()
    fingerprint_batch(arts, embedder, multilingual=ml)
    return len(arts) / (time.perf_counter() - t0)


def _run_rate(data: Path, embedder: Embedder, multilingual: bool
              ) -> tuple[float, float, float]:
    """docs/s of a whole run of `data` into a fresh store, by the wall clock and by this
    process's CPU time (which other jobs on a shared machine disturb far less), and the
    multilingual encoder's seconds in it."""
    settings = replace(DEFAULTS, languages=replace(DEFAULTS.languages, multilingual=multilingual))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        pipe = Pipeline(store, settings, embedder=embedder, analyze=False)
        t0, c0 = time.perf_counter(), time.process_time()
        report = pipe.add(iter_documents([str(data)]))
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        store.close()
    return (report.added / secs, report.added / cpu,
            pipe.multilingual.seconds if pipe.multilingual else 0.0)


def whole_runs(n: int, rounds: int) -> None:
    data = HERE / "out" / (f"gen{n // 1000}k.jsonl" if n >= 1000 else f"gen{n}.jsonl")
    if not data.exists():
        sys.path.insert(0, str(HERE))
        import gen_corpus

        gen_corpus.main(["--n", str(n), "--out", str(data), "--seed", "7"])
    embedder = Embedder()
    embedder.model()
    rates: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for r in range(rounds):
        for on in (False, True):
            wall, cpu, ml_secs = _run_rate(data, embedder, on)
            rates[on].append((wall, cpu))
            print(f"round {r + 1}: multilingual {'on ' if on else 'off'} {wall:6.1f} docs/s "
                  f"(CPU time: {cpu:6.1f} docs/s)  multilingual encoder {ml_secs:.1f} s",
                  flush=True)
    off_w, off_c = (max(x[i] for x in rates[False]) for i in (0, 1))
    on_w, on_c = (max(x[i] for x in rates[True]) for i in (0, 1))
    print(f"{data.name}: best of {rounds}: off {off_w:.1f} docs/s, on {on_w:.1f} docs/s "
          f"({100 * (on_w / off_w - 1):+.1f}%); by CPU time off {off_c:.1f}, on {on_c:.1f} "
          f"({100 * (on_c / off_c - 1):+.1f}%)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", type=int, default=0, help="whole runs on N generated articles")
    ap.add_argument("--pairs", type=Path, default=Path("../shared/eval/semeval2022/dev.jsonl"))
    ap.add_argument("--english", type=Path, default=Path("../shared/eval/ecbplus/dev.jsonl"))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    if args.run:
        whole_runs(args.run, args.rounds)
        return
    sets = {"non-English (SemEval pairs)": _pair_articles(args.pairs, args.n),
            "English (ECB+)": _english(args.english, args.n)}
    embedder, ml = Embedder(), MultilingualEncoder(lead_chars=DEFAULTS.languages.lead_chars)
    embedder.model()
    ml.model()
    for name, arts in sets.items():
        texts = [a.text for a in arts]
        t0 = time.perf_counter()
        for t in texts:
            article_language(None, None, t)
        ident = len(texts) / (time.perf_counter() - t0)
        off, on = [], []
        for _ in range(args.rounds):
            off.append(_rate(arts, embedder, None))
            on.append(_rate(arts, embedder, ml))
        print(f"{name:28s} {len(arts):4d} articles  MiniLM only {max(off):6.1f}/s  "
              f"with multilingual {max(on):6.1f}/s  language identification {ident:6.0f}/s")


if __name__ == "__main__":
    main()
