"""Train the paraphrase adapter that storyfold ships (`src/storyfold/models/`).

    .venv/bin/python bench/train_paraphrase.py ../shared/eval/mrpc/train.jsonl

Why a script and not a run-time step: training takes minutes on two cores and needs labelled
pairs that are not ours to bundle; the adapter it writes is 1.2 MB of numbers, committed
with the code. The adapter records the SHA-256 of the file it learnt from, so that
`storyfold eval --mode pairs` can tell a user when a figure on that file is in-sample.
The recipe (`paraphrase.TrainConfig`) is the one `eval --mode pairs --train-folds 10`
measures by cross-validation; its `cv_threshold_mean` is what `--threshold` records.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from storyfold.paraphrase import SHIPPED_ADAPTER, PairModel, file_digest, read_pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path, help="JSON Lines with text1, text2, label")
    ap.add_argument("-o", "--out", type=Path, default=SHIPPED_ADAPTER)
    ap.add_argument("--threshold", type=float, default=0.5,
                    help="decision threshold to record (cv_threshold_mean of "
                         "`storyfold eval --mode pairs --train-folds 10`)")
    args = ap.parse_args(argv)
    pairs, labels = read_pairs(args.file)
    t0 = time.perf_counter()

    def on_step(step: int, steps: int) -> None:
        if step % 50 == 0 or step == steps:
            print(f"step {step}/{steps}  {time.perf_counter() - t0:,.0f} s", flush=True)

    model = PairModel().fit(pairs, labels, on_step=on_step)
    model.save(args.out, {"trained_on": args.file.name,
                          "trained_on_sha256": file_digest(args.file),
                          "pairs": str(len(pairs)), "threshold": str(args.threshold)})
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) "
          f"from {len(pairs)} pairs in {time.perf_counter() - t0:,.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
