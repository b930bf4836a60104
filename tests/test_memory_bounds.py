"""Long-running processes keep their memory bounded: what a server reads for days must not
accumulate in any cache without a bound."""

from __future__ import annotations

import os
import random
import string
from pathlib import Path

import pytest

from storyfold.analyze.entities import annotate, load_pipeline


def _unseen_words(rng: random.Random, sentences: int) -> str:
    """Sentences of made-up names and words, none of which spaCy has met before."""
    def word(k: int) -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=k))

    return " ".join(f"{word(9).capitalize()} said the {word(8)} would {word(7)} on Monday."
                    for _ in range(sentences))


def test_reading_new_words_does_not_grow_the_nlp_vocabulary() -> None:
    rng = random.Random(13)
    nlp = load_pipeline()
    annotate([_unseen_words(rng, 20)])  # any one-off growth (lazy tables) happens here
    before = len(nlp.vocab.strings)
    for _ in range(5):
        out = annotate([_unseen_words(rng, 40) for _ in range(3)])
        assert all(a.mentions is not None for a in out)
    assert len(nlp.vocab.strings) == before


def test_annotations_outlive_the_memory_zone() -> None:
    """The annotations are plain data: usable after spaCy forgot the words they came from."""
    text = "Halvorsen Quibbleton told reporters in Oslo that the plan would go ahead."
    (first,) = annotate([text])
    (again,) = annotate([text])
    assert [m.name for m in first.mentions] == [m.name for m in again.mentions]
    assert any("Oslo" == m.name for m in first.mentions)


# ---- the server's native memory follows its work, not its thread count ------------------------
def test_the_server_caps_its_request_threads_at_the_setting(tmp_path) -> None:  # noqa: ANN001
    from dataclasses import replace

    import anyio.to_thread
    from fastapi.testclient import TestClient

    from storyfold.settings import DEFAULTS
    from storyfold.store import open_store
    from storyfold.web.app import create_app

    url = f"sqlite:///{tmp_path / 'a.db'}"
    open_store(url).close()
    settings = replace(DEFAULTS, serve=replace(DEFAULTS.serve, threads=3))
    seen: list[float] = []
    app = create_app(url, warm=False, settings=settings)

    @app.get("/_threads")
    async def threads() -> dict[str, float]:
        seen.append(anyio.to_thread.current_default_thread_limiter().total_tokens)
        return {}

    with TestClient(app) as client:
        assert client.get("/_threads").status_code == 200
    assert seen == [3]


def test_arenas_are_capped_and_freed_pages_returned_where_the_c_library_is_glibc() -> None:
    import platform

    from storyfold.native_memory import give_back, limit_arenas

    glibc = platform.libc_ver()[0] == "glibc"
    assert limit_arenas(4) is glibc  # (4: any cap works; the server sets its own at start)
    give_back()  # never raises, whatever the C library
    assert limit_arenas(0) is False  # 0 leaves glibc's own choice alone


def test_the_french_pipeline_forgets_new_words_too() -> None:
    """French articles are read by their own pipeline, inside a memory zone like English."""
    from storyfold.analyze.entities import _load, model_for
    from storyfold.settings import DEFAULTS

    rng = random.Random(17)
    model = model_for("fr", DEFAULTS.analyze)
    nlp = _load(model)
    annotate([_unseen_words(rng, 20)], model=model)
    before = len(nlp.vocab.strings)
    for _ in range(3):
        annotate([_unseen_words(rng, 40) for _ in range(3)], model=model)
    assert len(nlp.vocab.strings) == before


def test_a_pipeline_sizes_the_encoders_kernel_cache_unless_the_environment_already_does(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """oneDNN keeps one compiled kernel per input shape (up to 1024) unless told otherwise,
    and the encoder meets a new shape for nearly every batch: a long run's memory climbed
    with it. The cap must be in the environment before oneDNN starts, so a pipeline sets it
    when it is built; one set from outside is the user's and stays."""
    from dataclasses import replace

    from storyfold.native_memory import KERNEL_CACHE_ENV, settle
    from storyfold.pipeline import Pipeline
    from storyfold.settings import DEFAULTS, MemorySettings
    from storyfold.store import open_store

    monkeypatch.delenv(KERNEL_CACHE_ENV, raising=False)
    settings = replace(DEFAULTS, memory=MemorySettings(kernel_cache=7))
    Pipeline(open_store(f"sqlite:///{tmp_path}/s.db"), settings, provenance=False)
    assert os.environ[KERNEL_CACHE_ENV] == "7"

    monkeypatch.setenv(KERNEL_CACHE_ENV, "99")
    settle(MemorySettings(kernel_cache=7))
    assert os.environ[KERNEL_CACHE_ENV] == "99"

    monkeypatch.delenv(KERNEL_CACHE_ENV)
    settle(MemorySettings(kernel_cache=0))  # 0: oneDNN's own default
    assert KERNEL_CACHE_ENV not in os.environ
