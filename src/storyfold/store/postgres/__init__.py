"""The PostgreSQL backend: pgvector columns for article embeddings (HNSW-indexed: the web
search's nearest articles) and story centroids (not indexed: rewritten at every join, read
by no query; migration 0010), a generated tsvector with a GIN index for full-text search,
an advisory lock as the writer lease, named migrations; every value bound.

`PostgresStore` is the `Store` contract met by one mixin per protocol over a shared
connection, module by module as in `storyfold.store.sqlite`. It needs the `postgres` extra
(psycopg 3 and pgvector's adapters).
"""

from __future__ import annotations

from storyfold.store.base import Store
from storyfold.store.postgres.articles import PostgresArticles
from storyfold.store.postgres.caches import PostgresCaches
from storyfold.store.postgres.links import PostgresLinks
from storyfold.store.postgres.migrations import MIGRATIONS
from storyfold.store.postgres.search import PostgresSearch
from storyfold.store.postgres.settings_record import PostgresSettingsRecord
from storyfold.store.postgres.sources import PostgresSources
from storyfold.store.postgres.stories import PostgresStories
from storyfold.store.postgres.work import PostgresWork


class PostgresStore(PostgresArticles, PostgresStories, PostgresLinks, PostgresSearch,
                    PostgresCaches, PostgresSettingsRecord, PostgresWork, PostgresSources, Store):
    """A shared server (`postgresql://user@host/db`); the store lives in the connection's
    current schema (`?options=-csearch_path%3Dname` picks another)."""


__all__ = ["MIGRATIONS", "PostgresStore"]
