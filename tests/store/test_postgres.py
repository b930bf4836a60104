"""What the PostgreSQL backend promises beyond the contract: processes that open one new store
together migrate it once; the writer lease dies with the process holding it; stores in two
schemas of one database are apart, lease included; text with NUL is stored, not refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from storyfold.model import StoryState
from storyfold.settings import EMBEDDING_DIM
from storyfold.store import open_store
from tests.conftest import ROOT
from tests.pg import PgServer
from tests.store.backends import article, fingerprint

ENV = {**os.environ,
       "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
OPEN = "import sys; from storyfold.store import open_store; open_store(sys.argv[1]).close()"
HOLD = ("import sys, time; from storyfold.store import open_store\n"
        "st = open_store(sys.argv[1])\n"
        "with st.writer_lock():\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n")


def test_processes_opening_a_new_store_at_once_migrate_it_once(pg_server: PgServer,
                                                               tmp_path: Path) -> None:
    url = pg_server.store_url(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, url], env=ENV,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
    from storyfold.store.postgres import MIGRATIONS, PostgresStore

    store = open_store(url)
    try:
        assert isinstance(store, PostgresStore)
        assert [n for n, _ in store.applied_migrations()] == [n for n, _ in MIGRATIONS]
    finally:
        store.close()


def test_the_writer_lease_is_released_when_its_holder_is_killed(pg_server: PgServer,
                                                                tmp_path: Path) -> None:
    url = pg_server.store_url(tmp_path)
    open_store(url).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    store = open_store(url)
    waiting, entered = threading.Event(), threading.Event()

    def take() -> None:
        with store.writer_lock(on_wait=waiting.set):
            entered.set()

    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        taker = threading.Thread(target=take)
        taker.start()
        assert waiting.wait(60) and not entered.is_set()  # the live holder keeps it
        holder.send_signal(signal.SIGKILL)  # no unlock, no clean shutdown
        holder.wait(60)
        taker.join(120)
        assert entered.is_set()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(60)
        store.close()


def test_stores_in_two_schemas_are_apart(pg_server: PgServer, tmp_path: Path) -> None:
    one = open_store(pg_server.store_url(tmp_path / "one"))
    two = open_store(pg_server.store_url(tmp_path / "two"))
    entered = threading.Event()

    def other() -> None:
        with two.writer_lock(on_wait=lambda: None):
            entered.set()

    try:
        one.record_settings("d1", {})
        assert two.settings_digest() is None
        with one.writer_lock():  # another store's lease does not wait for this one
            t = threading.Thread(target=other)
            t.start()
            t.join(60)
            assert entered.is_set()
    finally:
        one.close()
        two.close()


def test_nul_which_postgresql_text_cannot_hold_is_stored_as_a_replacement_character(
        pg_server: PgServer, tmp_path: Path) -> None:
    from storyfold.errors import NotFound

    store = open_store(pg_server.store_url(tmp_path))
    try:
        art = article("a", "Harbour\x00bridge", "The harbour bridge\x00 opened.",
                      source="Wire\x00")
        art.extra = {"note\x00": "x\x00y", "raw": "\\u0000"}
        with store.transaction():
            store.add_article(art, fingerprint("a", 1), [(0, 1)])
            store.save_story_state(StoryState("s", np.ones(EMBEDDING_DIM, np.float32), 1, {},
                                              None, None))
            store.set_membership("a", "s", 1.0)
        back = store.articles(["a", "a\x00"])["a"]
        assert (back.title, back.source) == ("Harbour\ufffdbridge", "Wire\ufffd")
        assert back.text == "The harbour bridge\ufffd opened."
        assert back.extra == {"note\ufffd": "x\ufffdy", "raw": "\\u0000"}
        assert [h.article_id for h in store.search("harbour\x00bridge")] == ["a"]
        assert store.list_stories(source="Wire\x00")[0].id == "s"
        with pytest.raises(NotFound):
            store.story("s\x00")
    finally:
        store.close()


def test_a_store_migrated_by_a_newer_storyfold_is_refused(pg_server: PgServer,
                                                          tmp_path: Path) -> None:
    from storyfold.errors import StoreError
    from storyfold.store.postgres import PostgresStore

    url = pg_server.store_url(tmp_path)
    store = open_store(url)
    try:
        assert isinstance(store, PostgresStore)
        store.db.execute(
            "INSERT INTO migrations(name, applied_at) VALUES ('9999_from_the_future', now())")
    finally:
        store.close()
    with pytest.raises(StoreError, match="9999_from_the_future.*upgrade storyfold"):
        open_store(url)


def test_nearest_articles_are_read_through_the_hnsw_index(pg_server: PgServer,
                                                          tmp_path: Path) -> None:
    st = open_store(pg_server.store_url(tmp_path))
    try:
        for i in range(60):
            with st.transaction():
                st.add_article(article(f"a{i}", f"T{i}", "Harbour text."), fingerprint(f"a{i}", i),
                               [(0, i)])
        query = fingerprint("a7", 7).embedding
        found = st.nearest_articles(query, 5)
        assert found is not None and found[0][0] == "a7" and found[0][1] == pytest.approx(1.0)
        db = st.db  # type: ignore[attr-defined]
        with st.transaction():  # the plan, with the table too small to prefer the index shut out
            db.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(r[0] for r in db.execute(
                "EXPLAIN SELECT article_id, 1 - (embedding <=> %s) FROM fingerprints"
                " ORDER BY embedding <=> %s LIMIT %s", (query, query, 5)))
        assert "fingerprints_embedding" in plan
    finally:
        st.close()


def test_the_article_count_is_kept_not_counted_and_a_migrated_store_starts_from_its_rows(
        pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.store_url(tmp_path)
    st = open_store(url)
    try:
        for i in range(3):
            with st.transaction():
                st.add_article(article(f"a{i}", "T", "Harbour text."), fingerprint(f"a{i}", i),
                               [(0, i)])
        assert st.article_count() == 3
        db = st.db  # type: ignore[attr-defined]
        with st.transaction():  # the store as a storyfold before migration 0009 left it
            db.execute("DROP TABLE counts")
            db.execute("DELETE FROM migrations WHERE name = '0009_article_count'")
    finally:
        st.close()
    st = open_store(url)
    try:
        assert st.article_count() == 3  # migration 0009 counted the rows there
        with st.transaction():
            st.add_article(article("a9", "T", "Harbour text."), fingerprint("a9", 9), [(0, 9)])
        assert st.article_count() == 4
    finally:
        st.close()


def test_story_centroids_carry_no_vector_index_and_article_embeddings_do(
        pg_server: PgServer, tmp_path: Path) -> None:
    # a centroid is rewritten at every join: an index no query reads would pay an HNSW
    # insert each time (migration 0010); the article index serves the web search
    st = open_store(pg_server.store_url(tmp_path))
    try:
        db = st.db  # type: ignore[attr-defined]
        names = {r[0] for r in db.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
        assert "fingerprints_embedding" in names and "stories_centroid" not in names
    finally:
        st.close()
