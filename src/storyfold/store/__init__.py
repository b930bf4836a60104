"""Storage behind one contract (`Store`); `open_store(url)` picks the backend from the URL."""

from __future__ import annotations

import importlib.util
import os

from storyfold.errors import StoreError
from storyfold.store.base import *  # noqa: F403 - the contract is this package's API
from storyfold.store.base import Store
from storyfold.store.base import __all__ as _CONTRACT


def open_store(url: str, must_exist: bool = False) -> Store:
    """Open (creating or upgrading) the store at `url`.

    With `must_exist` (commands that only read: `stories`, `story`) a store that is not there
    raises StoreError instead of being created empty.

    SQLite: `sqlite:///path/to/file.db`, a bare path, or `sqlite://` (in memory, gone when
    closed). PostgreSQL: a `postgresql://` or `postgres://` URL (libpq's), which needs the
    `postgres` extra; the store lives in the connection's current schema. Any other scheme
    raises StoreError."""
    if url.startswith(("postgresql://", "postgres://")):
        return _open_postgres(url, must_exist)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url.startswith("sqlite://"):
        path = url[len("sqlite://"):] or ":memory:"
    elif "://" in url:
        raise StoreError(f"unknown store URL {url!r}; use sqlite:///file.db or "
                         "postgresql://user@host/db")
    else:
        path = url
    if must_exist and path != ":memory:" and not os.path.isfile(path):
        raise StoreError(f"no store at {path} (run `storyfold run` first)")
    from storyfold.store.sqlite import SQLiteStore

    return SQLiteStore(path)


def _open_postgres(url: str, must_exist: bool) -> Store:
    missing = [m for m in ("psycopg", "pgvector") if importlib.util.find_spec(m) is None]
    if missing:
        raise StoreError(f"a postgresql:// store needs {' and '.join(missing)}: "
                         "pip install 'storyfold[postgres]'")
    from storyfold.store.postgres import PostgresStore

    return PostgresStore(url, must_exist=must_exist)


__all__ = [*_CONTRACT, "open_store"]
