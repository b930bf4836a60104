"""The SQLite backend: one file, WAL, foreign keys, named migrations; every value bound.

`SQLiteStore` is the `Store` contract met by one mixin per protocol over a shared connection.
"""

from __future__ import annotations

from storyfold.store.base import Store
from storyfold.store.sqlite.articles import SQLiteArticles
from storyfold.store.sqlite.caches import SQLiteCaches
from storyfold.store.sqlite.links import SQLiteLinks
from storyfold.store.sqlite.migrations import MIGRATIONS
from storyfold.store.sqlite.search import SQLiteSearch, fts_query
from storyfold.store.sqlite.settings_record import SQLiteSettingsRecord
from storyfold.store.sqlite.sources import SQLiteSources
from storyfold.store.sqlite.stories import SQLiteStories
from storyfold.store.sqlite.work import SQLiteWork
from storyfold.store.words import MAX_QUERY_TERMS


class SQLiteStore(SQLiteArticles, SQLiteStories, SQLiteLinks, SQLiteSearch, SQLiteCaches,
                  SQLiteSettingsRecord, SQLiteWork, SQLiteSources, Store):
    """The embedded default backend (`sqlite:///file.db`; `sqlite://` alone is in memory)."""


__all__ = ["MAX_QUERY_TERMS", "MIGRATIONS", "SQLiteStore", "fts_query"]
