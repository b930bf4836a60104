"""Clustering a real stream against the machine's physical limit, in one process.

    .venv/bin/python bench/bench_stream.py [--file ../shared/eval/googlenews_ts/googlenews.jsonl]
                                           [--limit N]

Why: speed is judged against what this machine can do at all — the encoder alone on the
same texts (title + lead, batched as a run batches them) — measured in the same process
just before the run, so a noisy shared machine slows both alike. Then the file is clustered
exactly as `storyfold eval FILE` does (online, in file order, into a fresh store) and scored
against its labels. Prints docs/s, the ceiling, their ratio, quality and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from storyfold.clean import clean
from storyfold.errors import IngestError
from storyfold.eval.runners import eval_stories
from storyfold.fingerprint import Embedder, embedding_text
from storyfold.ingest import iter_documents
from storyfold.settings import DEFAULTS
from storyfold.store import open_store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"


def ceiling(path: Path, embedder: Embedder) -> tuple[float, int]:
    """texts/s of the encoder alone on the texts the run embeds."""
    fs = DEFAULTS.fingerprint
    texts = []
    for d in iter_documents([str(path)]):
        if not isinstance(d, IngestError):
            texts.append(embedding_text(clean(d), fs.embed_chars))
    t0 = time.perf_counter()
    for i in range(0, len(texts), DEFAULTS.place.chunk):
        embedder.embed(texts[i : i + DEFAULTS.place.chunk])
    return len(texts) / (time.perf_counter() - t0), len(texts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=SHARED / "googlenews_ts" / "googlenews.jsonl")
    ap.add_argument("--limit", type=int, default=0, help="first N records only")
    args = ap.parse_args()
    if not args.file.exists():
        print(f"skipped: {args.file} not found (the shared evaluation data)")
        return 0
    path = args.file
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit:
            path = Path(tmp) / "head.jsonl"
            with args.file.open(encoding="utf-8") as src:
                path.write_text("".join(islice(src, args.limit)), encoding="utf-8")
        fs = DEFAULTS.fingerprint
        embedder = Embedder(fs.embed_max_tokens, fs.embed_batch)
        embedder.model()
        limit, n_texts = ceiling(path, embedder)
        store = open_store(f"sqlite:///{tmp}/stream.db")
        res = eval_stories(path, store, embedder).figures
        store.close()
    rate = res["docs_per_s"]
    head = f", the first {args.limit}" if args.limit else ""
    print(f"data: {args.file.name} ({n_texts} texts{head})")
    print(f"encoder-only ceiling: {limit:.1f} texts/s")
    print(f"eval (clustering, online, file order): {rate:.1f} docs/s = {rate / limit:.2f} x "
          f"the ceiling; {res['seconds']} s")
    print(f"B-cubed F1 {res['bcubed_f1']:.4f} (P {res['bcubed_p']:.4f} R {res['bcubed_r']:.4f}) "
          f"NMI {res['nmi']:.4f} ARI {res['ari']:.4f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(json.dumps({k: res[k] for k in ("docs_per_s", "nmi", "bcubed_f1", "articles")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
