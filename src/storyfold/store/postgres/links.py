"""Links between stories in two languages, in PostgreSQL (table `story_links`, 0008).

A link is stored once, with its two ends in sorted order, so (a, b) and (b, a) are one row.
"""

from __future__ import annotations

from typing import Any

from storyfold.store.base import LinkStore
from storyfold.store.postgres.connection import PostgresConnection, now, pg_json


class PostgresLinks(PostgresConnection, LinkStore):
    def save_story_link(self, a: str, b: str, score: float, evidence: dict[str, Any]) -> None:
        lo, hi = sorted((a, b))
        self.db.execute(
            "INSERT INTO story_links(a, b, score, evidence, linked_at)"
            " VALUES (%s,%s,%s,%s::jsonb,%s) ON CONFLICT(a, b) DO UPDATE SET"
            " score = excluded.score, evidence = excluded.evidence,"
            " linked_at = excluded.linked_at",
            (lo, hi, float(score), pg_json(evidence), now()),
        )

    def story_links(self, story_id: str) -> list[tuple[str, float, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT CASE WHEN l.a = %s THEN l.b ELSE l.a END AS other, l.score, l.evidence"
            " FROM story_links l WHERE (l.a = %s OR l.b = %s)"
            " AND EXISTS (SELECT 1 FROM stories s"
            "             WHERE s.id = CASE WHEN l.a = %s THEN l.b ELSE l.a END)"
            " ORDER BY l.score DESC,"
            " (CASE WHEN l.a = %s THEN l.b ELSE l.a END) COLLATE \"C\"",
            (story_id, story_id, story_id, story_id, story_id),
        ).fetchall()
        return [(other, float(score), ev) for other, score, ev in rows]

    def drop_story_links(self, story_id: str) -> None:
        self.db.execute("DELETE FROM story_links WHERE a = %s OR b = %s",
                        (story_id, story_id))
