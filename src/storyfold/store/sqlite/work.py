"""The pending set and the writer lease in SQLite.

The lease is an exclusive `flock` on a file next to the database (`<db>.lock`): SQLite's own
write lock lasts one transaction, but a run's placement and consolidation span many, and two
runs interleaving them place one article twice. The OS drops an flock with the process that
held it, so a run killed by SIGKILL never leaves the store locked.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from storyfold.store.base import WorkStore
from storyfold.store.sqlite.connection import SQLiteConnection, now


class SQLiteWork(SQLiteConnection, WorkStore):
    """Pending stories are rows of `pending_stories`, dropped with their story (cascade)."""

    def mark_pending(self, story_ids: Iterable[str]) -> None:
        stamp = now()
        self.db.executemany(
            "INSERT OR IGNORE INTO pending_stories(story_id, marked_at) VALUES (?,?)",
            [(sid, stamp) for sid in story_ids],
        )

    def pending(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT story_id FROM pending_stories")}

    def clear_pending(self, story_ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM pending_stories WHERE story_id = ?",
                            [(sid,) for sid in story_ids])

    @contextmanager
    def writer_lock(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        # Threads sharing this connection queue on the guard; another connection (in this
        # process or another) holds its own open file, and flock sets those against each other.
        with self._writer_guard:
            if self._writer_depth == 0 and self.path != ":memory:":
                fh = open(self.path + ".lock", "a+b")  # noqa: SIM115 - held across the block
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if on_wait:
                        on_wait()
                    fcntl.flock(fh, fcntl.LOCK_EX)
                except BaseException:
                    fh.close()
                    raise
                self._writer_file = fh
            self._writer_depth += 1
            try:
                yield
            finally:
                self._writer_depth -= 1
                if self._writer_depth == 0 and self._writer_file is not None:
                    fcntl.flock(self._writer_file, fcntl.LOCK_UN)
                    self._writer_file.close()
                    self._writer_file = None
