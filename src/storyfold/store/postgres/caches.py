"""Write-ups and summary-sentence vectors cached in PostgreSQL until a story's membership
changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import psycopg

from storyfold.errors import StoreError
from storyfold.store.base import CacheStore
from storyfold.store.postgres.connection import (
    PostgresConnection,
    now,
    pg_ids,
    pg_json,
    pg_text,
    vectors_blob,
    vectors_from,
)


class PostgresCaches(PostgresConnection, CacheStore):
    """A write-up row references its story, so caching one for an unknown story fails (and
    deleting a story drops its write-up)."""

    def writeup(self, story_id: str) -> tuple[str, dict[str, Any]] | None:
        row = self.db.execute(
            "SELECT members_key, data FROM story_writeups WHERE story_id = %s",
            (pg_text(story_id),),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def summary_vectors(self, ids: Iterable[str]) -> dict[str, tuple[str, np.ndarray]]:
        return {
            aid: (key, vectors_from(n, blob)) for aid, key, n, blob in self.db.execute(
                "SELECT article_id, sentences_key, n, vectors FROM summary_vectors"
                " WHERE article_id = ANY(%s)", (pg_ids(ids),),
            )
        }

    def save_writeup(
        self, story_id: str, key: str, data: dict[str, Any],
        vectors: dict[str, tuple[str, np.ndarray]] | None = None, headline: str | None = None,
    ) -> None:
        try:
            with self.transaction():
                self.db.execute(
                    "INSERT INTO story_writeups(story_id, members_key, data, updated_at)"
                    " VALUES (%s,%s,%s::jsonb,%s) ON CONFLICT(story_id) DO UPDATE SET"
                    " members_key = excluded.members_key, data = excluded.data,"
                    " updated_at = excluded.updated_at",
                    (story_id, key, pg_json(data), now()),
                )
                for aid, (k, v) in (vectors or {}).items():
                    self.db.execute(
                        "INSERT INTO summary_vectors(article_id, sentences_key, n, vectors)"
                        " VALUES (%s,%s,%s,%s) ON CONFLICT(article_id) DO UPDATE SET"
                        " sentences_key = excluded.sentences_key, n = excluded.n,"
                        " vectors = excluded.vectors",
                        (aid, k, int(len(v)), vectors_blob(v)),
                    )
                if headline:
                    self.db.execute("UPDATE stories SET headline = %s WHERE id = %s",
                                    (pg_text(headline), story_id))
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot cache the write-up of story {story_id} in {self.path}: "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from exc
