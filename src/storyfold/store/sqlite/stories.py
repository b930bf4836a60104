"""Story states, memberships and provenance in SQLite, and stories read back out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np

from storyfold.errors import NotFound
from storyfold.model import Link, Membership, StoryRecord, StoryState
from storyfold.store.base import StoryStore
from storyfold.store.sqlite.connection import CHUNK, SQLiteConnection, dt, now, ts


def story_record(db: sqlite3.Connection, sid: str, headline: str | None, first: str | None,
                 last: str | None) -> StoryRecord:
    """A story row with its members (oldest published first) and links read in."""
    members = [
        Membership(article_id=aid, role=role, derived_from=df, evidence=json.loads(ev))
        for aid, role, df, ev in db.execute(
            "SELECT m.article_id, m.role, m.derived_from, m.evidence FROM memberships m"
            " JOIN articles a ON a.id = m.article_id WHERE m.story_id = ?"
            " ORDER BY COALESCE(a.published, '9999'), a.seq", (sid,),
        )
    ]
    links = [
        Link(a=a, b=b, kind=kind, score=score,
             direction=(src, dst) if src and dst else None)
        for a, b, kind, score, src, dst in db.execute(
            "SELECT a, b, kind, score, src, dst FROM links WHERE story_id = ? ORDER BY a, b",
            (sid,),
        )
    ]
    return StoryRecord(id=sid, headline=headline, first_seen=dt(first), last_seen=dt(last),
                       members=members, links=links)


class SQLiteStories(SQLiteConnection, StoryStore):
    """Stories are rows keyed by id; timestamps are stored as UTC ISO text, so `since`
    comparisons are text comparisons."""

    def story_states(self, since: datetime | None = None, until: datetime | None = None,
                     ids: Iterable[str] | None = None) -> list[StoryState]:
        sql = "SELECT id, centroid, size, terms, first_seen, last_seen, names FROM stories"
        rows: list[tuple[Any, ...]]
        if ids is not None:
            wanted = list(dict.fromkeys(ids))
            rows = []
            for i in range(0, len(wanted), 500):  # bound the number of SQL variables
                part = wanted[i : i + 500]
                rows += self.db.execute(
                    sql + f" WHERE id IN ({','.join('?' * len(part))})", part).fetchall()
        elif until is not None:
            rows = self.db.execute(sql + " WHERE last_seen >= ? AND last_seen < ?",
                                   (ts(since) or "", ts(until))).fetchall()
        elif since is not None:
            rows = self.db.execute(sql + " WHERE last_seen IS NULL OR last_seen >= ?",
                                   (ts(since),)).fetchall()
        else:
            rows = self.db.execute(sql).fetchall()
        return [
            StoryState(
                id=sid, centroid=np.frombuffer(c, dtype=np.float32).copy(), size=size,
                terms=json.loads(terms), first_seen=dt(first), last_seen=dt(last),
                names=json.loads(names),
            )
            for sid, c, size, terms, first, last, names in rows
        ]

    def latest_seen(self) -> datetime | None:
        (last,) = self.db.execute("SELECT MAX(last_seen) FROM stories").fetchone()
        return dt(last)

    def save_story_state(self, state: StoryState) -> None:
        self.db.execute(
            "INSERT INTO stories(id, first_seen, last_seen, size, centroid, terms, names,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " first_seen = excluded.first_seen,"
            " last_seen = excluded.last_seen, size = excluded.size, centroid = excluded.centroid,"
            " terms = excluded.terms, names = excluded.names, updated_at = excluded.updated_at",
            (
                state.id, ts(state.first_seen), ts(state.last_seen), state.size,
                state.centroid.astype(np.float32).tobytes(), json.dumps(state.terms),
                json.dumps(state.names), now(),
            ),
        )

    def set_membership(self, article_id: str, story_id: str, score: float) -> None:
        self.db.execute(
            "INSERT INTO memberships(article_id, story_id, score) VALUES (?,?,?)"
            " ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id,"
            " score = excluded.score",
            (article_id, story_id, score),
        )

    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        return dict(self._select_in(
            "SELECT article_id, story_id FROM memberships WHERE article_id IN ({marks})",
            article_ids,
        ))

    def delete_story(self, story_id: str) -> None:
        self.db.execute("DELETE FROM links WHERE story_id = ?", (story_id,))
        self.db.execute("DELETE FROM stories WHERE id = ?", (story_id,))

    def record_alias(self, old_id: str, new_id: str) -> None:
        self.db.execute(
            "INSERT INTO story_aliases(old_id, new_id, recorded_at) VALUES (?,?,?)"
            " ON CONFLICT(old_id) DO UPDATE SET new_id = excluded.new_id,"
            " recorded_at = excluded.recorded_at",
            (old_id, new_id, now()),
        )

    def resolve_story(self, story_id: str) -> str | None:
        seen: set[str] = set()
        current: str | None = story_id
        while current is not None and current not in seen:  # a cycle ends nowhere
            if self.db.execute("SELECT 1 FROM stories WHERE id = ?", (current,)).fetchone():
                return current
            seen.add(current)
            row = self.db.execute(
                "SELECT new_id FROM story_aliases WHERE old_id = ?", (current,)).fetchone()
            current = row[0] if row else None
        return None

    def move_members(self, article_ids: list[str], story_id: str) -> None:
        self.db.executemany(
            "UPDATE memberships SET story_id = ? WHERE article_id = ?",
            [(story_id, aid) for aid in article_ids],
        )

    def story_member_ids(self, story_id: str) -> list[str]:
        return [
            r[0] for r in self.db.execute(
                "SELECT m.article_id FROM memberships m JOIN articles a ON a.id = m.article_id"
                " WHERE m.story_id = ? ORDER BY a.seq", (story_id,),
            )
        ]

    def story_languages(self, story_ids: Iterable[str], first: int) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {}
        ids = list(story_ids)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            for sid, lang in self.db.execute(
                "SELECT story_id, lang FROM (SELECT m.story_id, a.lang, ROW_NUMBER() OVER"
                " (PARTITION BY m.story_id ORDER BY a.seq) AS rn FROM memberships m"
                " JOIN articles a ON a.id = m.article_id WHERE m.story_id IN"
                f" ({','.join('?' * len(chunk))})) WHERE rn <= ? ORDER BY story_id, rn",
                (*chunk, int(first)),
            ):
                out.setdefault(sid, []).append(lang)
        return out

    def save_provenance(
        self, story_id: str, headline: str | None, members: list[Membership], links: list[Link]
    ) -> None:
        self.db.execute("UPDATE stories SET headline = ? WHERE id = ?", (headline, story_id))
        self.db.executemany(
            "UPDATE memberships SET role = ?, derived_from = ?, evidence = ? WHERE article_id = ?",
            [
                (m.role, m.derived_from, json.dumps(m.evidence, default=str), m.article_id)
                for m in members
            ],
        )
        self.db.execute("DELETE FROM links WHERE story_id = ?", (story_id,))
        self.db.executemany(
            "INSERT OR REPLACE INTO links(story_id, a, b, kind, score, src, dst)"
            " VALUES (?,?,?,?,?,?,?)",
            [
                (story_id, ln.a, ln.b, ln.kind, ln.score,
                 ln.direction[0] if ln.direction else None,
                 ln.direction[1] if ln.direction else None)
                for ln in links
            ],
        )

    def story(self, story_id: str) -> StoryRecord:
        row = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id!r} in {self.path}")
        return story_record(self.db, *row)

    def iter_stories(self) -> Iterator[StoryRecord]:
        rows = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories"
            " ORDER BY COALESCE(first_seen, '0000') DESC, id"
        ).fetchall()
        for row in rows:
            yield story_record(self.db, *row)
