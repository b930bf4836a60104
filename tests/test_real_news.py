"""On real labelled news nobody here wrote: the shipped defaults keep their measured quality.

Skips when ../shared/eval is absent. Measured: B-cubed F1 0.900, precision 0.972
(bench/RESULTS.md). The floors leave a little room below, for CPUs without native bf16, whose
fp32 embeddings differ in the third decimal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storyfold.eval.runners import eval_stories
from storyfold.store import open_store

from .conftest import SHARED

ECB = SHARED / "eval" / "ecbplus" / "dev.jsonl"


@pytest.fixture
def ecb() -> Path:
    if not ECB.is_file():
        pytest.skip("../shared/eval/ecbplus/dev.jsonl is not present in this checkout")
    return ECB


def test_two_events_of_one_kind_stay_apart_on_ecb_plus(ecb: Path, tmp_path: Path,
                                                        embedder) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'ecb.db'}")
    figures = eval_stories(ecb, store, embedder).figures
    store.close()
    assert figures["articles"] == 196
    assert figures["bcubed_f1"] >= 0.88, figures
    assert figures["bcubed_p"] >= 0.90, figures  # hard negatives are not merged
