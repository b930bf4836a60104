"""Story states, memberships and provenance in PostgreSQL, and stories read back out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg

from storyfold.errors import NotFound
from storyfold.model import Link, Membership, StoryRecord, StoryState
from storyfold.store.base import StoryStore
from storyfold.store.postgres.connection import (
    PostgresConnection,
    as_vector,
    now,
    pg_ids,
    pg_json,
    pg_text,
    utc,
)


def story_record(db: psycopg.Connection[Any], sid: str, headline: str | None,
                 first: datetime | None, last: datetime | None) -> StoryRecord:
    """A story row with its members (oldest published first, undated last) and links read in."""
    members = [
        Membership(article_id=aid, role=role, derived_from=df, evidence=ev)
        for aid, role, df, ev in db.execute(
            "SELECT m.article_id, m.role, m.derived_from, m.evidence FROM memberships m"
            " JOIN articles a ON a.id = m.article_id WHERE m.story_id = %s"
            " ORDER BY a.published ASC NULLS LAST, a.seq", (sid,),
        )
    ]
    links = [
        Link(a=a, b=b, kind=kind, score=score,
             direction=(src, dst) if src and dst else None)
        for a, b, kind, score, src, dst in db.execute(
            "SELECT a, b, kind, score, src, dst FROM links WHERE story_id = %s ORDER BY a, b",
            (sid,),
        )
    ]
    return StoryRecord(id=sid, headline=headline, first_seen=utc(first), last_seen=utc(last),
                       members=members, links=links)


class PostgresStories(PostgresConnection, StoryStore):
    """Stories are rows keyed by id, centroids pgvector values; times are TIMESTAMPTZ."""

    def story_states(self, since: datetime | None = None, until: datetime | None = None,
                     ids: Iterable[str] | None = None) -> list[StoryState]:
        sql = "SELECT id, centroid, size, terms, first_seen, last_seen, names FROM stories"
        params: tuple[Any, ...] = ()
        if ids is not None:
            sql += " WHERE id = ANY(%s)"
            params = (pg_ids(ids),)
        elif until is not None:
            sql += " WHERE last_seen >= %s AND last_seen < %s"
            params = (utc(since) or datetime.min.replace(tzinfo=UTC), utc(until))
        elif since is not None:
            sql += " WHERE last_seen IS NULL OR last_seen >= %s"
            params = (utc(since),)
        return [
            StoryState(
                id=sid, centroid=as_vector(c), size=int(size), terms=terms,
                first_seen=utc(first), last_seen=utc(last), names=names,
            )
            for sid, c, size, terms, first, last, names in self.db.execute(
                sql, params, binary=True)
        ]

    def latest_seen(self) -> datetime | None:
        row = self.db.execute("SELECT MAX(last_seen) FROM stories").fetchone()
        return utc(row[0]) if row else None

    def save_story_state(self, state: StoryState) -> None:
        self.db.execute(
            "INSERT INTO stories(id, first_seen, last_seen, size, centroid, terms, names,"
            " updated_at) VALUES (%s,%s,%s,%s,%s,%s::jsonb,%s::jsonb,%s) ON CONFLICT(id)"
            " DO UPDATE SET first_seen = excluded.first_seen,"
            " last_seen = excluded.last_seen, size = excluded.size, centroid = excluded.centroid,"
            " terms = excluded.terms, names = excluded.names, updated_at = excluded.updated_at",
            (
                state.id, utc(state.first_seen), utc(state.last_seen), state.size,
                state.centroid.astype(np.float32), pg_json(state.terms), pg_json(state.names),
                now(),
            ),
        )

    def set_membership(self, article_id: str, story_id: str, score: float) -> None:
        self.db.execute(
            "INSERT INTO memberships(article_id, story_id, score) VALUES (%s,%s,%s)"
            " ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id,"
            " score = excluded.score",
            (article_id, story_id, score),
        )

    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        return {aid: sid for aid, sid in self.db.execute(
            "SELECT article_id, story_id FROM memberships WHERE article_id = ANY(%s)",
            (pg_ids(article_ids),),
        )}

    def delete_story(self, story_id: str) -> None:
        self.db.execute("DELETE FROM stories WHERE id = %s", (pg_text(story_id),))  # links cascade

    def record_alias(self, old_id: str, new_id: str) -> None:
        self.db.execute(
            "INSERT INTO story_aliases(old_id, new_id, recorded_at) VALUES (%s,%s,%s)"
            " ON CONFLICT(old_id) DO UPDATE SET new_id = excluded.new_id,"
            " recorded_at = excluded.recorded_at",
            (old_id, new_id, now()),
        )

    def resolve_story(self, story_id: str) -> str | None:
        seen: set[str] = set()
        current: str | None = story_id
        while current is not None and current not in seen:  # a cycle ends nowhere
            if self.db.execute("SELECT 1 FROM stories WHERE id = %s",
                               (pg_text(current),)).fetchone():
                return current
            seen.add(current)
            row = self.db.execute("SELECT new_id FROM story_aliases WHERE old_id = %s",
                                  (pg_text(current),)).fetchone()
            current = row[0] if row else None
        return None

    def move_members(self, article_ids: list[str], story_id: str) -> None:
        self.db.execute("UPDATE memberships SET story_id = %s WHERE article_id = ANY(%s)",
                        (story_id, pg_ids(article_ids)))

    def story_member_ids(self, story_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT m.article_id FROM memberships m JOIN articles a ON a.id = m.article_id"
            " WHERE m.story_id = %s ORDER BY a.seq", (pg_text(story_id),),
        )]

    def story_languages(self, story_ids: Iterable[str], first: int) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {}
        for sid, lang in self.db.execute(
            "SELECT story_id, lang FROM (SELECT m.story_id, a.lang, ROW_NUMBER() OVER"
            " (PARTITION BY m.story_id ORDER BY a.seq) AS rn FROM memberships m"
            " JOIN articles a ON a.id = m.article_id WHERE m.story_id = ANY(%s)) AS f"
            " WHERE rn <= %s ORDER BY story_id, rn", (pg_ids(story_ids), int(first)),
        ):
            out.setdefault(sid, []).append(lang)
        return out

    def save_provenance(
        self, story_id: str, headline: str | None, members: list[Membership], links: list[Link]
    ) -> None:
        with self.transaction():
            self.db.execute("UPDATE stories SET headline = %s WHERE id = %s",
                            (pg_text(headline), story_id))
            if members:
                self.db.execute(
                    "UPDATE memberships m SET role = u.role, derived_from = u.derived_from,"
                    " evidence = u.evidence::jsonb FROM unnest(%s::text[], %s::text[],"
                    " %s::text[], %s::text[]) AS u(article_id, role, derived_from, evidence)"
                    " WHERE m.article_id = u.article_id",
                    ([m.article_id for m in members], [m.role for m in members],
                     [m.derived_from for m in members],
                     [pg_json(m.evidence) for m in members]),
                )
            self.db.execute("DELETE FROM links WHERE story_id = %s", (pg_text(story_id),))
            links = list({(ln.a, ln.b): ln for ln in links}.values())  # a pair's last wins
            if links:
                self.db.execute(
                    "INSERT INTO links(story_id, a, b, kind, score, src, dst)"
                    " SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[],"
                    " %s::float8[], %s::text[], %s::text[])"
                    " ON CONFLICT(a, b) DO UPDATE SET story_id = excluded.story_id,"
                    " kind = excluded.kind, score = excluded.score, src = excluded.src,"
                    " dst = excluded.dst",
                    (story_id, [ln.a for ln in links], [ln.b for ln in links],
                     [ln.kind for ln in links], [float(ln.score) for ln in links],
                     [ln.direction[0] if ln.direction else None for ln in links],
                     [ln.direction[1] if ln.direction else None for ln in links]),
                )

    def story(self, story_id: str) -> StoryRecord:
        row = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories WHERE id = %s",
            (pg_text(story_id),),
        ).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id!r} in {self.path}")
        return story_record(self.db, *row)

    def iter_stories(self) -> Iterator[StoryRecord]:
        rows = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories"
            " ORDER BY first_seen DESC NULLS LAST, id"
        ).fetchall()
        for row in rows:
            yield story_record(self.db, *row)
