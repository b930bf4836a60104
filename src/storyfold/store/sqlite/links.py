"""Links between stories in two languages, in SQLite (table `story_links`, migration 0009).

A link is stored once, with its two ends in sorted order, so (a, b) and (b, a) are one row.
"""

from __future__ import annotations

import json
from typing import Any

from storyfold.store.base import LinkStore
from storyfold.store.sqlite.connection import SQLiteConnection, now


class SQLiteLinks(SQLiteConnection, LinkStore):
    def save_story_link(self, a: str, b: str, score: float, evidence: dict[str, Any]) -> None:
        lo, hi = sorted((a, b))
        self.db.execute(
            "INSERT INTO story_links(a, b, score, evidence, linked_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(a, b) DO UPDATE SET score = excluded.score,"
            " evidence = excluded.evidence, linked_at = excluded.linked_at",
            (lo, hi, float(score), json.dumps(evidence, ensure_ascii=False), now()),
        )

    def story_links(self, story_id: str) -> list[tuple[str, float, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT CASE WHEN l.a = ? THEN l.b ELSE l.a END AS other, l.score, l.evidence"
            " FROM story_links l WHERE (l.a = ? OR l.b = ?)"
            " AND EXISTS (SELECT 1 FROM stories s"
            "             WHERE s.id = CASE WHEN l.a = ? THEN l.b ELSE l.a END)"
            " ORDER BY l.score DESC, other",
            (story_id, story_id, story_id, story_id),
        ).fetchall()
        return [(other, float(score), json.loads(ev)) for other, score, ev in rows]

    def drop_story_links(self, story_id: str) -> None:
        self.db.execute("DELETE FROM story_links WHERE a = ? OR b = ?", (story_id, story_id))
