"""Fingerprinting throughput with and without the multilingual encoder, on English and on
other languages, alternated in one process so machine load hits both alike.

    .venv/bin/python bench/bench_languages.py [--pairs ../shared/eval/semeval2022/dev.jsonl]
                                              [--english ../shared/eval/ecbplus/dev.jsonl]
                                              [--n 200] [--rounds 2]

For each set (non-English articles of the pairs file; English articles of the English file),
prints articles/s of `fingerprint_batch` without the multilingual encoder (every article
through MiniLM: storyfold before it read other languages) and with it (non-English articles
through USE-multilingual instead of MiniLM, English ones through both), and the share of
the time language identification takes inside `clean`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from storyfold.clean import clean
from storyfold.clean.language import article_language
from storyfold.fingerprint import Embedder, MultilingualEncoder, fingerprint_batch
from storyfold.ingest import iter_documents
from storyfold.model import Article, RawDocument


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, default=Path("../shared/eval/semeval2022/dev.jsonl"))
    ap.add_argument("--english", type=Path, default=Path("../shared/eval/ecbplus/dev.jsonl"))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    sets = {"non-English (SemEval pairs)": _pair_articles(args.pairs, args.n),
            "English (ECB+)": _english(args.english, args.n)}
    embedder, ml = Embedder(), MultilingualEncoder()
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
