"""One SQLite connection per store: opening (WAL, foreign keys, migrations), transactions, and
the encodings of the values SQLite has no type for (timestamps, vectors)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

from storyfold.errors import StoreError
from storyfold.settings import EMBEDDING_DIM
from storyfold.store.sqlite.migrations import applied_migrations, migrate

CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit
BUSY_TIMEOUT_S = 5.0  # how long a writer waits for another one (sqlite3's default, made visible)


def ts(dt: datetime | None) -> str | None:
    """A timestamp as stored: ISO 8601 in UTC, so that text order is time order."""
    return dt.astimezone(UTC).isoformat() if dt else None


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def now() -> str:
    return datetime.now(UTC).isoformat()


def vectors_from(n: int, blob: bytes) -> np.ndarray:
    """n float16 rows stored as one blob (sentence and summary-sentence vectors)."""
    if not n:
        return np.zeros((0, EMBEDDING_DIM), np.float16)
    return np.frombuffer(blob, dtype=np.float16).reshape(n, -1).copy()


def vectors_blob(vectors: np.ndarray) -> bytes:
    return vectors.astype(np.float16).tobytes()


def _wal(db: sqlite3.Connection) -> None:
    """Switch to write-ahead logging, waiting out other openers.

    Changing the journal mode needs the database to itself, and SQLite may answer "database
    is locked" at once, without its busy handler, while another process is opening the same
    new store: so retry, with a growing pause, for as long as a writer would wait.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.01
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


class SQLiteConnection:
    """The embedded default. A batch of writes is one transaction: a crash loses the batch,
    never corrupts what was stored before. One connection is shared by the threads of a
    server, so transactions take a lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._writer_guard = threading.RLock()  # the writer lease (`SQLiteWork.writer_lock`)
        self._writer_depth = 0
        self._writer_file: IO[bytes] | None = None
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {path!r}: {exc}") from exc
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            _wal(self.db)
            self.db.execute("PRAGMA synchronous = NORMAL")
            migrate(self.db, path)
        except (sqlite3.Error, StoreError) as exc:
            self.db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open SQLite store {path!r}: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self.db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def applied_migrations(self) -> list[tuple[str, str]]:
        """(name, applied at) of every migration this store has had, in order (SQLite only:
        how a backend evolves its schema is its own business)."""
        return applied_migrations(self.db)

    def _select_in(self, sql: str, ids: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql`, whose `{marks}` is an IN list, for all `ids` (CHUNK at a time)."""
        ids = list(ids)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
