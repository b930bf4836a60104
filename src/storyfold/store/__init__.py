"""Storage behind one contract (`Store`); `open_store(url)` picks the backend from the URL."""

from __future__ import annotations

import os

from storyfold.errors import StoreError
from storyfold.store.base import *  # noqa: F403 - the contract is this package's API
from storyfold.store.base import Store
from storyfold.store.base import __all__ as _CONTRACT


def open_store(url: str, must_exist: bool = False) -> Store:
    """Open (creating or upgrading) the store at `url`.

    With `must_exist` (commands that only read: `stories`, `story`) a store that is not there
    raises StoreError instead of being created empty.

    SQLite is the only backend today: `sqlite:///path/to/file.db`, a bare path, or `sqlite://`
    (in memory, gone when closed). A `postgresql://` or `postgres://` URL raises StoreError
    saying PostgreSQL is not available yet; any other scheme raises StoreError too."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url.startswith("sqlite://"):
        path = url[len("sqlite://"):] or ":memory:"
    elif url.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL is not available yet: storyfold stores in SQLite only; "
                         "use sqlite:///file.db")
    elif "://" in url:
        raise StoreError(f"unknown store URL {url!r}; use sqlite:///file.db")
    else:
        path = url
    if must_exist and path != ":memory:" and not os.path.isfile(path):
        raise StoreError(f"no store at {path} (run `storyfold run` first)")
    from storyfold.store.sqlite import SQLiteStore

    return SQLiteStore(path)


__all__ = [*_CONTRACT, "open_store"]
