"""A run killed at any point (SIGKILL: no cleanup, no rollback handler) is finished by the
next run, which leaves the store a clean run would have made; two runs on one store take
turns instead of failing.

Real processes (`python -m storyfold.cli run`) on a small generated corpus: short articles,
small chunks, so the kills land between commits of one run without the test taking long.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from storyfold.eval.metrics import pairwise
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.settings import DEFAULTS
from storyfold.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
N_ARTICLES = 90
CHUNK, LEAD_SENTENCES = 8, 2  # many commits per run (kills land between them), quick
WAITING = "another run holds the store; waiting"
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    "STORYFOLD_PLACE__CHUNK": str(CHUNK),
    "STORYFOLD_FINGERPRINT__LEAD_SENTENCES": str(LEAD_SENTENCES),
}
SETTINGS = replace(DEFAULTS, place=replace(DEFAULTS.place, chunk=CHUNK),
                   fingerprint=replace(DEFAULTS.fingerprint, lead_sentences=LEAD_SENTENCES))


def _generate(n: int, seed: int) -> list[dict[str, str | None]]:
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "bench" / "gen_corpus.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = mod  # its dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
        return mod.generate(n, seed)  # type: ignore[no-any-return]
    finally:
        del sys.modules["gen_corpus"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import json

    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in _generate(N_ARTICLES, seed=13):
            rec["text"] = " ".join(str(rec["text"]).split()[:35])  # short: quick to embed
            fh.write(json.dumps(rec) + "\n")
    return path


def _start(corpus: Path, db: Path, stderr: Path | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyfold.cli", "run", str(corpus), "--db", str(db), "-q"],
        env=ENV, stdout=subprocess.DEVNULL,
        stderr=stderr.open("wb") if stderr else subprocess.DEVNULL,
    )


def _stored(db: Path) -> int:
    """Articles committed so far, read without writing (no migration, no lock)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _poll(proc: subprocess.Popen[bytes], until: Callable[[], bool]) -> None:
    while proc.poll() is None and not until():
        time.sleep(0.05)


def _kill_when(corpus: Path, db: Path, stored_at_least: int) -> None:
    proc = _start(corpus, db)
    _poll(proc, lambda: _stored(db) >= stored_at_least)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)


def _partition(store: Store) -> dict[str, str]:
    return {m.article_id: rec.id for rec in store.iter_stories() for m in rec.members}


def _check_finished(store: Store) -> None:
    """What a clean run leaves: every story with a headline and exactly one original, and
    nothing owed."""
    for rec in store.iter_stories():
        assert rec.headline, f"story {rec.id} has no headline"
        originals = [m for m in rec.members if m.role == "original"]
        assert len(originals) == 1, f"story {rec.id}: {len(originals)} originals"
    assert store.pending() == set()


@pytest.fixture(scope="module")
def clean(corpus: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, str]:
    """The stories of one uninterrupted run (in this process: the same pipeline `storyfold
    run` drives, with the same settings, without loading the model once more)."""
    store = open_store(str(tmp_path_factory.mktemp("clean") / "clean.db"))
    try:
        Pipeline(store, SETTINGS, embedder=embedder).add(iter_documents([str(corpus)]))
        _check_finished(store)
        return _partition(store)
    finally:
        store.close()


def test_runs_killed_at_several_points_end_as_a_clean_run(
        corpus: Path, clean: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "crashed.db"
    _kill_when(corpus, db, 1)  # after the first chunk committed
    assert 0 < _stored(db) < len(clean)  # killed half-way through placement
    _kill_when(corpus, db, len(clean))  # all placed: in consolidation or provenance
    # The last run is started while the test holds the store: it says it waits, then goes on.
    holder = open_store(str(db))
    log = tmp_path / "stderr.txt"
    try:
        with holder.writer_lock():
            proc = _start(corpus, db, stderr=log)
            _poll(proc, lambda: WAITING in log.read_text(encoding="utf-8"))
            assert proc.poll() is None  # it waits for the lease ...
    finally:
        holder.close()
    assert proc.wait(300) == 0  # ... and finishes once it has it
    assert "Traceback" not in log.read_text(encoding="utf-8")
    store = open_store(str(db))
    try:
        crashed = _partition(store)
        assert set(crashed) == set(clean)
        _check_finished(store)
    finally:
        store.close()
    ids = sorted(clean)
    _, _, f1 = pairwise([clean[i] for i in ids], [crashed[i] for i in ids])
    assert f1 >= 0.98


# ---- two writers on one store ----------------------------------------------------------------
def test_two_pipelines_on_overlapping_input_take_turns(
        corpus: Path, clean: dict[str, str], embedder: Embedder, tmp_path: Path) -> None:
    """Two runs (two connections, as two processes would have) fed overlapping halves of the
    corpus, both started while a third holds the store: both say they wait, neither fails,
    and the store holds every article once, every story finished."""
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = len(lines) // 3
    halves = []
    for name, part in (("a.jsonl", lines[: 2 * cut]), ("b.jsonl", lines[cut:])):
        (tmp_path / name).write_text("".join(part), encoding="utf-8")
        halves.append(str(tmp_path / name))
    db = tmp_path / "shared.db"
    holder = open_store(str(db))
    stores = [open_store(str(db)), open_store(str(db))]
    waited = [threading.Event(), threading.Event()]
    failures: list[BaseException] = []

    def run(k: int) -> None:
        pipe = Pipeline(stores[k], SETTINGS, embedder=embedder, on_wait=waited[k].set)
        try:
            pipe.add(iter_documents([halves[k]]))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    try:
        with holder.writer_lock():
            for t in threads:
                t.start()
            assert all(w.wait(60) for w in waited)  # both told to wait
        for t in threads:
            t.join(300)
        assert failures == []
        partition = _partition(holder)
        assert set(partition) == set(clean)
        assert holder.article_count() == len(clean)
        _check_finished(holder)
    finally:
        for st in (*stores, holder):
            st.close()
