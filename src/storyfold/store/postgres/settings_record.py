"""The settings each run used, recorded in PostgreSQL when they change."""

from __future__ import annotations

from typing import Any

from storyfold.store.base import SettingsStore
from storyfold.store.postgres.connection import PostgresConnection, now, pg_json


class PostgresSettingsRecord(PostgresConnection, SettingsStore):
    """Rows are appended, never updated: the record is the history of the store's settings."""

    def record_settings(self, digest: str, settings: dict[str, Any]) -> None:
        with self.transaction():  # the check and the append see the same last row
            self.db.execute("LOCK TABLE settings_record IN EXCLUSIVE MODE")
            if self.settings_digest() == digest:
                return
            self.db.execute(
                "INSERT INTO settings_record(digest, settings, recorded_at)"
                " VALUES (%s,%s::jsonb,%s)",
                (digest, pg_json(settings), now()),
            )

    def settings_digest(self) -> str | None:
        row = self.db.execute(
            "SELECT digest FROM settings_record ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None
