"""One PostgreSQL connection per store: opening (migrations, pgvector's types), transactions,
the store's place in the server (its schema), and the lock keys derived from it."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, overload
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from storyfold.errors import StoreError
from storyfold.settings import EMBEDDING_DIM
from storyfold.store.postgres.migrations import applied_migrations, has_store, migrate


def shown(url: str) -> str:
    """The URL as messages show it: without a password (in the user part or the query)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def utc(value: datetime | None) -> datetime | None:
    """A timestamp as the rest of storyfold reads it: aware, in UTC (as SQLite gives it)."""
    return value.astimezone(UTC) if value is not None else None


@overload
def pg_text(value: str) -> str: ...


@overload
def pg_text(value: None) -> None: ...


@overload
def pg_text(value: str | None) -> str | None: ...


def pg_text(value: str | None) -> str | None:
    """Text as PostgreSQL can hold it: NUL, which no text column takes, becomes U+FFFD (the
    one change this backend makes to what it stores; SQLite keeps NUL)."""
    return value.replace("\x00", "\ufffd") if value else value


def pg_ids(ids: Iterable[str]) -> list[str]:
    """Ids to look up, as `pg_text` stores text: an id with NUL (typed into a URL) is
    looked up as such and found missing, instead of failing."""
    return [pg_text(i) for i in ids]


_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def pg_json(value: Any) -> str:
    """A value as JSON text for a JSONB column (dates as text), NUL as U+FFFD as in
    `pg_text`: JSONB refuses the escape \\u0000."""
    return _JSON_NUL.sub(r"\1\\ufffd", json.dumps(value, default=str))


def now() -> datetime:
    return datetime.now(UTC)


def vectors_from(n: int, blob: bytes) -> np.ndarray:
    """n float16 rows stored as one bytea (sentence and summary-sentence vectors)."""
    if not n:
        return np.zeros((0, EMBEDDING_DIM), np.float16)
    return np.frombuffer(blob, dtype=np.float16).reshape(n, -1).copy()


def vectors_blob(vectors: np.ndarray) -> bytes:
    return vectors.astype(np.float16).tobytes()


def as_vector(row: Any) -> np.ndarray:
    """A pgvector value read back as the float32 array that was stored."""
    return np.asarray(row.to_numpy(), dtype=np.float32).copy()


def lock_key(purpose: str, database: str, schema: str) -> int:
    """A 64-bit advisory-lock key for one purpose in one store (a schema of a database), so
    stores side by side in one server never block each other."""
    digest = hashlib.blake2b(f"storyfold {purpose} {database}.{schema}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (transactions are explicit), reading times in UTC."""
    try:
        conn = psycopg.connect(url, autocommit=True)
    except (psycopg.Error, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot open PostgreSQL store {shown(url)}: {first}") from exc
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


class PostgresConnection:
    """A batch of writes is one transaction (nested ones are savepoints, committed with the
    outermost). Threads sharing one store take turns at transactions, as with SQLite; a
    server gives each thread a store of its own."""

    def __init__(self, url: str, must_exist: bool = False) -> None:
        self.url = url
        self.path = shown(url)  # what messages call this store
        self._lock = threading.RLock()
        self._writer_guard = threading.RLock()  # the writer lease (`PostgresWork.writer_lock`)
        self._writer_depth = 0
        self._writer_conn: psycopg.Connection[Any] | None = None
        self.db = connect(url)
        try:
            if must_exist and not has_store(self.db):
                raise StoreError(f"no store at {self.path} (run `storyfold run` first)")
            migrate(self.db, self.path)
            register_vector(self.db)
            database, schema = self.db.execute(
                "SELECT current_database(), current_schema()").fetchone() or ("", "")
        except psycopg.Error as exc:
            self.db.close()
            raise StoreError(f"cannot open PostgreSQL store {self.path}: {exc}") from exc
        except BaseException:
            self.db.close()
            raise
        self.writer_key = lock_key("writer", database, schema)
        self.feed_key = lock_key("article feed", database, schema)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self.db.transaction():
            yield

    def close(self) -> None:
        self.db.close()
        if self._writer_conn is not None:
            self._writer_conn.close()

    def applied_migrations(self) -> list[tuple[str, datetime]]:
        """(name, applied at) of every migration this store has had, in order."""
        return applied_migrations(self.db)
