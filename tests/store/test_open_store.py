"""`open_store` says plainly which URLs it can open."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyfold.errors import StoreError
from storyfold.store import open_store
from storyfold.store.sqlite import SQLiteStore


@pytest.mark.parametrize("url", ["postgresql://user@db/news", "postgres://db/news"])
def test_postgresql_is_refused_as_not_available_yet(url: str) -> None:
    with pytest.raises(StoreError, match="PostgreSQL is not available yet"):
        open_store(url)


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
