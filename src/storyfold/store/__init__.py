"""Storage behind one interface; `open_store(url)` picks the backend from the URL."""

from __future__ import annotations

from storyfold.errors import StoreError
from storyfold.store.base import Store, StoryRecord, StoryState


def open_store(url: str) -> Store:
    """`sqlite:///path.db` (default backend) or a bare path; PostgreSQL URLs are reserved."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url.startswith("sqlite://"):
        path = url[len("sqlite://"):] or ":memory:"
    elif url.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL is not available in this build yet; use sqlite:///file.db")
    elif "://" in url:
        raise StoreError(f"unknown store URL {url!r}; use sqlite:///file.db")
    else:
        path = url
    from storyfold.store.sqlite import SQLiteStore

    return SQLiteStore(path)


__all__ = ["Store", "StoryRecord", "StoryState", "open_store"]
