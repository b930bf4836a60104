"""Shared fixtures: a real embedder (loaded once), real SQLite files, the optional seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyfold.fingerprint import Embedder
from storyfold.pipeline import Pipeline
from storyfold.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def pipeline(db_url: str, embedder: Embedder):
    store = open_store(db_url)
    yield Pipeline(store, embedder=embedder)
    store.close()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present in this checkout")
    return SEEDS
