"""`open_store` says plainly which URLs it can open."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyfold.errors import StoreError
from storyfold.store import open_store
from storyfold.store.sqlite import SQLiteStore
from tests.pg import PgServer


@pytest.mark.parametrize("url", ["postgresql://user@127.0.0.1:1/news",
                                 "postgres://user:secret@127.0.0.1:1/news",
                                 "postgresql://127.0.0.1:1/news?user=u&password=secret"])
def test_an_unreachable_postgresql_server_is_a_store_error_without_the_password(url: str
                                                                              ) -> None:
    with pytest.raises(StoreError, match="cannot open PostgreSQL store") as caught:
        open_store(url)
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)


def test_postgresql_urls_open_a_postgresql_store(pg_server: PgServer, tmp_path: Path) -> None:
    from storyfold.store.postgres import MIGRATIONS, PostgresStore

    url = pg_server.store_url(tmp_path)
    with pytest.raises(StoreError, match="no store at"):
        open_store(url, must_exist=True)  # a schema without a store is not created
    store = open_store(url.replace("postgresql://", "postgres://", 1))
    try:
        assert isinstance(store, PostgresStore)
        assert [name for name, _ in store.applied_migrations()] == [
            name for name, _ in MIGRATIONS]
    finally:
        store.close()
    open_store(url, must_exist=True).close()


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("mysql://db/news")


def test_sqlite_urls_and_bare_paths_open_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "s.db"  # missing folders are created
    first = open_store(f"sqlite:///{path}")
    first.record_settings("d", {})
    first.close()
    again = open_store(str(path))
    try:
        assert isinstance(again, SQLiteStore) and again.settings_digest() == "d"
    finally:
        again.close()


def test_a_file_that_is_not_a_store_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just notes\n" * 100)
    with pytest.raises(StoreError, match="cannot open SQLite store"):
        open_store(f"sqlite:///{path}")
