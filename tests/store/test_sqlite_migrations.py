"""SQLite's named migrations: recorded once, in order; older store files upgraded in place.

The legacy files are built with the `sqlite3` module, as storyfold before named migrations
left them (a `meta.schema_version` number, no `migrations` table): they are fixtures of old
files, not a way into a store.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyfold.errors import StoreError
from storyfold.model import StoryState
from storyfold.settings import EMBEDDING_DIM
from storyfold.store import open_store
from storyfold.store.sqlite import MIGRATIONS, SQLiteStore
from storyfold.store.sqlite import migrations as mig
from tests.store.backends import Fed, add

NAMES = [name for name, _ in MIGRATIONS]
BRIDGE = "Lanford opened its new harbour bridge on Tuesday after six years of construction."


def _open(path: Path) -> SQLiteStore:
    store = open_store(f"sqlite:///{path}")
    assert isinstance(store, SQLiteStore)
    return store


def _as_legacy(path: Path, version: int, *, drop: tuple[str, ...] = ()) -> None:
    """Turn a current store file into what storyfold at `version` left: no migrations table,
    no tables newer than it (`drop`), its number in meta."""
    with sqlite3.connect(path) as db:
        for table in ("migrations", "settings_record", *drop):
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    db.close()


def _schema_version(path: Path) -> str:
    """What a storyfold from before named migrations reads to decide whether it may open it."""
    with sqlite3.connect(path) as db:
        value = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    db.close()
    return str(value)


def test_migration_names_say_what_they_do_and_keep_their_order() -> None:
    assert NAMES == ["0001_initial", "0002_names", "0003_full_text_search",
                     "0004_writeup_cache", "0005_settings_record", "0006_pending_work",
                     "0007_story_aliases", "0008_sources", "0009_article_language"]
    assert NAMES == sorted(NAMES) and len(set(NAMES)) == len(NAMES)


def test_a_new_store_records_each_migration_once(tmp_path: Path) -> None:
    store = _open(tmp_path / "s.db")
    applied = store.applied_migrations()
    store.close()
    assert [name for name, _ in applied] == NAMES
    assert all(at for _, at in applied)
    store = _open(tmp_path / "s.db")  # reopening applies nothing again
    assert store.applied_migrations() == applied
    store.close()
    assert _schema_version(tmp_path / "s.db") == str(len(NAMES))


def test_a_store_from_the_last_numbered_version_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    store = _open(path)
    fed = Fed()
    add(store, fed, "a", "Harbour bridge opens", BRIDGE, seed=1)
    store.close()
    _as_legacy(path, 4)
    store = _open(path)
    try:
        assert [name for name, _ in store.applied_migrations()] == NAMES
        assert store.articles(["a"]) == fed.articles
        assert [h.article_id for h in store.search("harbour")] == ["a"]
        assert store.settings_digest() is None
        store.record_settings("d", {})
        assert store.settings_digest() == "d"
    finally:
        store.close()
    assert _schema_version(path) == str(len(NAMES))


def test_stories_a_killed_run_left_before_the_pending_set_existed_become_pending(
        tmp_path: Path) -> None:
    """A store from before `0006_pending_work` cannot say what a killed run left undone; its
    stories without a headline (provenance never saved) are exactly that, so they start
    pending and the next run (or `storyfold repair`) finishes them."""
    path = tmp_path / "v5.db"
    store = _open(path)
    fed = Fed()
    add(store, fed, "a", "Harbour bridge opens", BRIDGE, seed=1)
    add(store, fed, "b", "Harbour bridge opens", BRIDGE, seed=2)
    state = np.ones(EMBEDDING_DIM, np.float32)
    with store.transaction():
        for sid, aid in (("s-done", "a"), ("s-killed", "b")):
            store.save_story_state(StoryState(sid, state, 1, {}))
            store.set_membership(aid, sid, 1.0)
        store.save_provenance("s-done", "Harbour bridge opens", [], [])
    store.close()
    with sqlite3.connect(path) as db:  # as storyfold at 0005_settings_record left it
        db.execute("DROP TABLE pending_stories")
        db.execute("DELETE FROM migrations WHERE name = '0006_pending_work'")
    db.close()
    store = _open(path)
    try:
        assert store.pending() == {"s-killed"}
    finally:
        store.close()


def test_an_older_store_gains_the_writeup_tables_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    _open(path).close()
    _as_legacy(path, 3, drop=("story_writeups", "summary_vectors"))
    store = _open(path)
    try:
        assert store.writeup("s1") is None and store.summary_vectors(["a"]) == {}
        assert [name for name, _ in store.applied_migrations()] == NAMES
    finally:
        store.close()


def test_an_older_store_gets_its_search_index_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    store = _open(path)
    fed = Fed()
    for i, title in enumerate(["Harbour bridge opens", "Bridge tolls", "A harbour for all"]):
        add(store, fed, f"a{i}", title, BRIDGE, seed=i)
    add(store, fed, "other", "Valley quake", "A strong earthquake shook the valley.", seed=9)
    store.close()
    _as_legacy(path, 2, drop=("story_writeups", "summary_vectors", "articles_fts"))
    store = _open(path)
    try:
        hits = store.search("harbour bridge", 10)
        assert {h.article_id for h in hits} == {"a0", "a1", "a2"}
        assert [h.article_id for h in store.search("earthquake")] == ["other"]
        assert [name for name, _ in store.applied_migrations()] == NAMES
    finally:
        store.close()


def test_a_version_1_store_is_upgraded_in_place_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE stories (id TEXT PRIMARY KEY, headline TEXT, first_seen TEXT,
            last_seen TEXT, size INTEGER NOT NULL, centroid BLOB NOT NULL,
            terms TEXT NOT NULL, updated_at TEXT NOT NULL);
        """
    )
    db.execute("INSERT INTO stories VALUES ('s1', 'Old', NULL, NULL, 1, ?, '{}', 'x')",
               (np.zeros(EMBEDDING_DIM, np.float32).tobytes(),))
    db.commit()
    db.close()
    store = _open(path)
    [state] = store.story_states()
    assert state.id == "s1" and state.names == {}
    # the tables version 1 lacked (sentence_vectors came without a new number) are there
    assert store.sentence_vectors(["a"]) == {} and store.article_count() == 0
    assert [name for name, _ in store.applied_migrations()] == NAMES
    store.close()
    assert _schema_version(path) == str(len(NAMES))


@pytest.mark.parametrize("version", ["99", "0", "x"])
def test_a_store_this_storyfold_cannot_read_is_refused(tmp_path: Path, version: str) -> None:
    path = tmp_path / "odd.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (version,))
    db.close()
    with pytest.raises(StoreError, match="newer" if version == "99" else "unknown"):
        open_store(f"sqlite:///{path}")


def test_a_store_with_a_migration_this_storyfold_lacks_is_refused(tmp_path: Path,
                                                                  monkeypatch) -> None:
    path = tmp_path / "newer.db"
    later = (*MIGRATIONS, ("0099_from_the_future", lambda db: None))
    monkeypatch.setattr(mig, "MIGRATIONS", later)
    monkeypatch.setattr(mig, "NAMES", [name for name, _ in later])
    _open(path).close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="0099_from_the_future.*upgrade storyfold"):
        open_store(f"sqlite:///{path}")


def test_a_failing_migration_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.db"
    _open(path).close()

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE extra (x INTEGER)")
        raise sqlite3.OperationalError("disk full, say")

    def done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE extra (x INTEGER)")  # fails if the first attempt left it

    for step, expect_error in ((half_done, True), (done, False)):
        later = (*MIGRATIONS, ("9999_extra", step))
        monkeypatch.setattr(mig, "MIGRATIONS", later)
        monkeypatch.setattr(mig, "NAMES", [name for name, _ in later])
        if expect_error:
            with pytest.raises(StoreError, match="disk full"):
                open_store(f"sqlite:///{path}")
        else:
            store = _open(path)
            assert [name for name, _ in store.applied_migrations()] == [*NAMES, "9999_extra"]
            store.close()


def _open_when_all_are_ready(path: str, ready: Any, results: Any) -> None:
    ready.wait(60)
    try:
        store = _open(Path(path))
        results.put(len(store.applied_migrations()))
        store.close()
    except BaseException as exc:  # reported to the test, which fails on it
        results.put(repr(exc))


@pytest.mark.parametrize("legacy", [False, True], ids=["new", "legacy-v2"])
def test_processes_opening_one_store_at_once_all_succeed(tmp_path: Path, legacy: bool) -> None:
    path = tmp_path / "shared.db"
    if legacy:
        store = _open(path)
        add(store, Fed(), "a", "Harbour", BRIDGE, seed=1)
        store.close()
        _as_legacy(path, 2, drop=("story_writeups", "summary_vectors", "articles_fts"))
    n = 5
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    ready, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_open_when_all_are_ready, args=(str(path), ready, results))
             for _ in range(n)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert outcomes == [len(NAMES)] * n
    store = _open(path)
    assert [name for name, _ in store.applied_migrations()] == NAMES
    if legacy:
        assert [h.article_id for h in store.search("harbour")] == ["a"]
    store.close()
