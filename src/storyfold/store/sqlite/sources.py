"""Followed feeds in SQLite: `sources`, `source_entries` and `import_cursors` (0008_sources)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from storyfold.errors import StoreError
from storyfold.model import Source
from storyfold.store.base import SourceStore
from storyfold.store.sqlite.connection import CHUNK, SQLiteConnection, dt, now, ts

_COLUMNS = ("s.id, s.url, s.title, s.site_url, s.added_at, s.etag, s.last_modified, "
            "s.last_fetch, s.last_status, s.last_error, s.next_fetch, s.failures, s.not_found, "
            "s.disabled, (SELECT COUNT(DISTINCT e.article_id) FROM source_entries e"
            " WHERE e.source_id = s.id AND e.article_id IS NOT NULL)")


def _source(row: tuple[Any, ...]) -> Source:
    return Source(
        id=int(row[0]), url=row[1], title=row[2], site_url=row[3], added_at=dt(row[4]),
        etag=row[5], last_modified=row[6], last_fetch=dt(row[7]), last_status=row[8],
        last_error=row[9], next_fetch=dt(row[10]), failures=int(row[11]),
        not_found=int(row[12]), disabled=row[13], articles=int(row[14]),
    )


class SQLiteSources(SQLiteConnection, SourceStore):
    """One row per source; entries keyed by (source, entry key)."""

    def add_source(self, url: str, title: str | None = None, site_url: str | None = None
                   ) -> tuple[Source, bool]:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO sources(url, title, site_url, added_at) VALUES (?,?,?,?)"
                " ON CONFLICT(url) DO NOTHING", (url, title, site_url, now()))
            added = cur.rowcount == 1
            found = self.source_by_url(url)
        assert found is not None  # inserted or already there, in this transaction
        return found, added

    def sources(self) -> list[Source]:
        return [_source(r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM sources s ORDER BY s.id")]

    def source_by_url(self, url: str) -> Source | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM sources s WHERE s.url = ?",
                              (url,)).fetchone()
        return _source(row) if row else None

    def remove_source(self, source_id: int) -> bool:
        with self.transaction():
            cur = self.db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return cur.rowcount == 1

    def due_sources(self, now: datetime, limit: int = 1000) -> list[Source]:
        return [_source(r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM sources s WHERE s.disabled IS NULL"
            " AND (s.next_fetch IS NULL OR s.next_fetch <= ?)"
            " ORDER BY s.next_fetch IS NOT NULL, s.next_fetch, s.id LIMIT ?",
            (ts(now), limit))]

    def update_source(self, source: Source) -> None:
        try:
            self.db.execute(
                "UPDATE sources SET url = ?, title = ?, site_url = ?, etag = ?,"
                " last_modified = ?, last_fetch = ?, last_status = ?, last_error = ?,"
                " next_fetch = ?, failures = ?, not_found = ?, disabled = ? WHERE id = ?",
                (source.url, source.title, source.site_url, source.etag, source.last_modified,
                 ts(source.last_fetch), source.last_status, source.last_error,
                 ts(source.next_fetch), source.failures, source.not_found, source.disabled,
                 source.id))
        except sqlite3.IntegrityError as exc:  # moved to a URL another source already has
            raise StoreError(f"cannot move source {source.id} to {source.url}: another source "
                             "has that URL") from exc

    def seen_entries(self, source_id: int, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        found: set[str] = set()
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i : i + CHUNK]
            found.update(r[0] for r in self.db.execute(
                "SELECT key FROM source_entries WHERE source_id = ? AND key IN"
                f" ({','.join('?' * len(chunk))})", [source_id, *chunk]))
        return found

    def record_entries(self, source_id: int, entries: Iterable[tuple[str, str | None]]
                       ) -> None:
        stamp = now()
        self.db.executemany(
            "INSERT INTO source_entries(source_id, key, article_id, seen_at) VALUES (?,?,?,?)"
            " ON CONFLICT(source_id, key) DO UPDATE SET"
            " article_id = COALESCE(excluded.article_id, source_entries.article_id)",
            [(source_id, key, aid, stamp) for key, aid in entries])

    def import_cursor(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM import_cursors WHERE name = ?",
                              (name,)).fetchone()
        return str(row[0]) if row else None

    def save_import_cursor(self, name: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO import_cursors(name, value, updated_at) VALUES (?,?,?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at", (name, value, now()))
