"""Followed feeds in PostgreSQL: `sources`, `source_entries` and `import_cursors`
(0007_sources), with the behaviour of the SQLite backend's (the contract tests hold both)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg

from storyfold.errors import StoreError
from storyfold.model import Source
from storyfold.store.base import SourceStore
from storyfold.store.postgres.connection import PostgresConnection, now, pg_text, utc

_COLUMNS = ("s.id, s.url, s.title, s.site_url, s.added_at, s.etag, s.last_modified, "
            "s.last_fetch, s.last_status, s.last_error, s.next_fetch, s.failures, s.not_found, "
            "s.disabled, (SELECT COUNT(DISTINCT e.article_id) FROM source_entries e"
            " WHERE e.source_id = s.id AND e.article_id IS NOT NULL)")


def _source(row: tuple[Any, ...]) -> Source:
    return Source(
        id=int(row[0]), url=row[1], title=row[2], site_url=row[3], added_at=utc(row[4]),
        etag=row[5], last_modified=row[6], last_fetch=utc(row[7]), last_status=row[8],
        last_error=row[9], next_fetch=utc(row[10]), failures=int(row[11]),
        not_found=int(row[12]), disabled=row[13], articles=int(row[14]),
    )


class PostgresSources(PostgresConnection, SourceStore):
    """One row per source; entries keyed by (source, entry key)."""

    def add_source(self, url: str, title: str | None = None, site_url: str | None = None
                   ) -> tuple[Source, bool]:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO sources(url, title, site_url, added_at) VALUES (%s,%s,%s,%s)"
                " ON CONFLICT(url) DO NOTHING",
                (pg_text(url), pg_text(title), pg_text(site_url), now()))
            added = cur.rowcount == 1
            found = self.source_by_url(url)
        assert found is not None  # inserted or already there, in this transaction
        return found, added

    def sources(self) -> list[Source]:
        return [_source(r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM sources s ORDER BY s.id")]

    def source_by_url(self, url: str) -> Source | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM sources s WHERE s.url = %s",
                              (pg_text(url),)).fetchone()
        return _source(row) if row else None

    def remove_source(self, source_id: int) -> bool:
        with self.transaction():
            cur = self.db.execute("DELETE FROM sources WHERE id = %s", (source_id,))
        return cur.rowcount == 1

    def due_sources(self, now: datetime, limit: int = 1000) -> list[Source]:
        return [_source(r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM sources s WHERE s.disabled IS NULL"
            " AND (s.next_fetch IS NULL OR s.next_fetch <= %s)"
            " ORDER BY s.next_fetch IS NOT NULL, s.next_fetch, s.id LIMIT %s",
            (utc(now), limit))]

    def update_source(self, source: Source) -> None:
        try:
            with self.transaction():  # a savepoint when nested: a refusal undoes only this
                self.db.execute(
                    "UPDATE sources SET url = %s, title = %s, site_url = %s, etag = %s,"
                    " last_modified = %s, last_fetch = %s, last_status = %s, last_error = %s,"
                    " next_fetch = %s, failures = %s, not_found = %s, disabled = %s"
                    " WHERE id = %s",
                    (pg_text(source.url), pg_text(source.title), pg_text(source.site_url),
                     pg_text(source.etag), pg_text(source.last_modified),
                     utc(source.last_fetch), pg_text(source.last_status),
                     pg_text(source.last_error), utc(source.next_fetch), source.failures,
                     source.not_found, pg_text(source.disabled), source.id))
        except psycopg.errors.UniqueViolation as exc:
            raise StoreError(f"cannot move source {source.id} to {source.url}: another source "
                             "has that URL") from exc

    def seen_entries(self, source_id: int, keys: Iterable[str]) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT key FROM source_entries WHERE source_id = %s AND key = ANY(%s)",
            (source_id, [pg_text(k) for k in keys]))}

    def record_entries(self, source_id: int, entries: Iterable[tuple[str, str | None]]
                       ) -> None:
        stamp = now()
        rows = [(source_id, pg_text(key), aid, stamp) for key, aid in entries]
        if not rows:
            return
        with self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO source_entries(source_id, key, article_id, seen_at)"
                " VALUES (%s,%s,%s,%s) ON CONFLICT(source_id, key) DO UPDATE SET"
                " article_id = COALESCE(excluded.article_id, source_entries.article_id)", rows)

    def import_cursor(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM import_cursors WHERE name = %s",
                              (pg_text(name),)).fetchone()
        return str(row[0]) if row else None

    def save_import_cursor(self, name: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO import_cursors(name, value, updated_at) VALUES (%s,%s,%s)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at", (pg_text(name), pg_text(value), now()))
