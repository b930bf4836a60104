"""The pending set and the writer lease in PostgreSQL.

The lease is a session-level advisory lock of the store (its key derived from the database
and schema), held on a connection of its own: a run's placement and consolidation span many
transactions, and two runs interleaving them would place one article twice. The server drops
the lock with the session that held it, so a run killed by SIGKILL never leaves the store
locked; readers take no lock at all, so any number of them serve while one run writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from storyfold.store.base import WorkStore
from storyfold.store.postgres.connection import (
    PostgresConnection,
    connect,
    now,
    pg_ids,
)


class PostgresWork(PostgresConnection, WorkStore):
    """Pending stories are rows of `pending_stories`, dropped with their story (cascade)."""

    def mark_pending(self, story_ids: Iterable[str]) -> None:
        self.db.execute(
            "INSERT INTO pending_stories(story_id, marked_at) SELECT DISTINCT s, %s"
            " FROM unnest(%s::text[]) AS s ON CONFLICT DO NOTHING",
            (now(), pg_ids(story_ids)),
        )

    def pending(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT story_id FROM pending_stories")}

    def clear_pending(self, story_ids: Iterable[str]) -> None:
        self.db.execute("DELETE FROM pending_stories WHERE story_id = ANY(%s)",
                        (pg_ids(story_ids),))

    @contextmanager
    def writer_lock(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        # Threads sharing this store queue on the guard; another store (in this process or
        # another) has its own lock session, and the server sets those against each other.
        with self._writer_guard:
            if self._writer_depth == 0:
                conn = connect(self.url)
                try:
                    row = conn.execute("SELECT pg_try_advisory_lock(%s)",
                                       (self.writer_key,)).fetchone()
                    if not (row and row[0]):
                        if on_wait:
                            on_wait()
                        conn.execute("SELECT pg_advisory_lock(%s)", (self.writer_key,))
                except BaseException:
                    conn.close()
                    raise
                self._writer_conn = conn
            self._writer_depth += 1
            try:
                yield
            finally:
                self._writer_depth -= 1
                if self._writer_depth == 0 and self._writer_conn is not None:
                    self._writer_conn.close()  # ending the session releases the lock
                    self._writer_conn = None
