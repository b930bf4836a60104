"""The PostgreSQL schema as named migrations, applied in order and recorded in the store.

Each migration is a function run in its own transaction together with the row that records
its name in `migrations`. Every opener first takes a transaction-level advisory lock of the
database, so several processes opening one new store at once (the workers of a server) run
each migration exactly once: the others wait, then find its name recorded and skip it. A new
schema change is one more function at the end of `MIGRATIONS`; names are never reused or
reordered.

The store lives in the connection's current schema (the first of its `search_path`), so one
database can hold several stores side by side; the pgvector extension is the database's.
Ids that listings order by are `COLLATE "C"` (byte order, as SQLite compares), whatever the
server's locale. Statements here are DDL, which takes no bound parameters; the one value
formatted into them is the embedding width, a constant of the code (`EMBEDDING_DIM`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg

from storyfold.errors import StoreError
from storyfold.settings import EMBEDDING_DIM

Connection = psycopg.Connection[Any]
Migration = tuple[str, Callable[[Connection], None]]

# Article titles weigh 4:1 over their texts, as in SQLite's BM25 (see search.py's weights).
# 'simple': words lower-cased, neither stemmed nor dropped, in any language (like FTS5's
# unicode61 tokenizer).
FTS_DOCUMENT = ("setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')"
                " || setweight(to_tsvector('simple'::regconfig, text), 'B')")


def _vector_extension(db: Connection) -> None:
    """pgvector's `vector` type, unless the database has it already (creating it needs a
    role allowed to: the error says so)."""
    if db.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with db.transaction():
            db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError("the database lacks the pgvector extension and this role may not "
                         "create it; run `CREATE EXTENSION vector` as its owner") from exc
    except psycopg.errors.FeatureNotSupported as exc:
        raise StoreError(f"pgvector is not installed on this PostgreSQL server: {exc}") from exc


def _articles(db: Connection) -> None:
    """Articles (numbered in arrival order by `seq`, with a generated full-text document),
    fingerprints with the embedding as a pgvector column, LSH keys, lead-sentence vectors
    and idf counts."""
    for sql in (
        f"""CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            source TEXT, url TEXT, title TEXT, text TEXT NOT NULL,
            published TIMESTAMPTZ, published_from TEXT, dateline TEXT,
            credits JSONB NOT NULL, captions JSONB NOT NULL, removed JSONB NOT NULL,
            lang TEXT, author TEXT, path TEXT, record TEXT, extra JSONB NOT NULL,
            ingested_at TIMESTAMPTZ NOT NULL,
            document TSVECTOR GENERATED ALWAYS AS ({FTS_DOCUMENT}) STORED
        )""",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_source ON articles(source)",
        f"""CREATE TABLE fingerprints (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            minhash BYTEA NOT NULL,
            embedding VECTOR({EMBEDDING_DIM}) NOT NULL,
            terms JSONB NOT NULL,
            names JSONB NOT NULL
        )""",
        "CREATE INDEX fingerprints_hash ON fingerprints(content_hash)",
        """CREATE TABLE lsh (
            band INTEGER NOT NULL, key BIGINT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band, key, article_id)
        )""",
        """CREATE TABLE sentence_vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            vectors BYTEA NOT NULL
        )""",
        "CREATE TABLE term_df (term TEXT PRIMARY KEY, df BIGINT NOT NULL)",
    ):
        db.execute(sql)


def _stories(db: Connection) -> None:
    """Stories (centroid as a pgvector column), memberships with provenance, links, and the
    aliases of merged-away stories."""
    for sql in (
        f"""CREATE TABLE stories (
            id TEXT COLLATE "C" PRIMARY KEY,
            headline TEXT,
            first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ,
            size INTEGER NOT NULL,
            centroid VECTOR({EMBEDDING_DIM}) NOT NULL,
            terms JSONB NOT NULL,
            names JSONB NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
        "CREATE INDEX stories_last_seen ON stories(last_seen)",
        "CREATE INDEX stories_listing ON stories(first_seen DESC NULLS LAST, id)",
        """CREATE TABLE memberships (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            score DOUBLE PRECISION NOT NULL,
            role TEXT NOT NULL DEFAULT 'independent',
            derived_from TEXT,
            evidence JSONB NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX memberships_story ON memberships(story_id)",
        """CREATE TABLE links (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            a TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            b TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
            src TEXT, dst TEXT,
            PRIMARY KEY (a, b)
        )""",
        "CREATE INDEX links_story ON links(story_id)",
        """CREATE TABLE story_aliases (
            old_id TEXT PRIMARY KEY,
            new_id TEXT NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL
        )""",
    ):
        db.execute(sql)


def _full_text(db: Connection) -> None:
    """A GIN index over the articles' full-text documents."""
    db.execute("CREATE INDEX articles_document ON articles USING GIN (document)")


def _vector_indexes(db: Connection) -> None:
    """HNSW indexes (cosine distance, as the placer and the semantic search compare) over
    article embeddings and story centroids, for nearest-neighbour queries at scale."""
    db.execute("CREATE INDEX fingerprints_embedding ON fingerprints"
               " USING hnsw (embedding vector_cosine_ops)")
    db.execute("CREATE INDEX stories_centroid ON stories USING hnsw (centroid vector_cosine_ops)")


def _caches_and_record(db: Connection) -> None:
    """Write-ups and summary-sentence vectors (kept until a story's membership changes), the
    settings runs used, and the stories a run still owes work (the durable to-do set)."""
    for sql in (
        """CREATE TABLE story_writeups (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            members_key TEXT NOT NULL,
            data JSONB NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
        """CREATE TABLE summary_vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            sentences_key TEXT NOT NULL,
            n INTEGER NOT NULL,
            vectors BYTEA NOT NULL
        )""",
        """CREATE TABLE settings_record (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            digest TEXT NOT NULL,
            settings JSONB NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL
        )""",
        """CREATE TABLE pending_stories (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            marked_at TIMESTAMPTZ NOT NULL
        )""",
    ):
        db.execute(sql)


def _sources(db: Connection) -> None:
    """Followed feeds with their polling state, the entries taken from each (so a restarted
    `watch` takes nothing twice), and the cursors of imports from other readers."""
    for sql in (
        """CREATE TABLE sources (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT, site_url TEXT,
            added_at TIMESTAMPTZ NOT NULL,
            etag TEXT, last_modified TEXT,
            last_fetch TIMESTAMPTZ, last_status TEXT, last_error TEXT,
            next_fetch TIMESTAMPTZ,
            failures INTEGER NOT NULL DEFAULT 0,
            not_found INTEGER NOT NULL DEFAULT 0,
            disabled TEXT
        )""",
        "CREATE INDEX sources_next_fetch ON sources(next_fetch)",
        """CREATE TABLE source_entries (
            source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            article_id TEXT,
            seen_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source_id, key)
        )""",
        """CREATE TABLE import_cursors (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
    ):
        db.execute(sql)


def _languages(db: Connection) -> None:
    """Articles in many languages: an index on the article's language, each article's
    multilingual vector, and the links between stories in two languages about one event.
    (The store is newer than language identification, so every article has a language.)"""
    for sql in (
        "CREATE INDEX articles_lang ON articles(lang)",
        "ALTER TABLE fingerprints ADD COLUMN multilingual BYTEA",
        """CREATE TABLE story_links (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            score DOUBLE PRECISION NOT NULL,
            evidence JSONB NOT NULL,
            linked_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (a, b)
        )""",
        "CREATE INDEX story_links_b ON story_links(b)",
    ):
        db.execute(sql)


def _article_count(db: Connection) -> None:
    """The number of stored articles kept in a row, updated by the statement that inserts
    an article: `COUNT(*)` reads every row (or every index entry) of a table of millions,
    and a run, a server's change check and the idf of every placement ask for it."""
    db.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, n BIGINT NOT NULL)")
    db.execute("INSERT INTO counts(name, n) SELECT 'articles', COUNT(*) FROM articles")


def _no_story_centroid_index(db: Connection) -> None:
    """Drop the HNSW index over story centroids (0005). No query reads it — placement holds
    the active stories in memory and compares them there — while a story's centroid is
    rewritten every time an article joins it, and each rewrite is a new row version with a
    new HNSW entry: 9,000 story saves ran at 420–540 a second with it and 3,500–4,400
    without (embedded PostgreSQL 18 here), a ceiling on the one placer. The column stays a
    pgvector `vector`, so a deployment that wants nearest-story queries can index it."""
    db.execute("DROP INDEX IF EXISTS stories_centroid")


MIGRATIONS: tuple[Migration, ...] = (
    ("0001_vector_extension", _vector_extension),
    ("0002_articles", _articles),
    ("0003_stories", _stories),
    ("0004_full_text_search", _full_text),
    ("0005_vector_indexes", _vector_indexes),
    ("0006_caches_settings_work", _caches_and_record),
    ("0007_sources", _sources),
    ("0008_languages", _languages),
    ("0009_article_count", _article_count),
    ("0010_no_story_centroid_index", _no_story_centroid_index),
)
NAMES = [name for name, _ in MIGRATIONS]


def _migrations_key(db: Connection) -> int:
    """The advisory-lock key openers of this database queue on while migrating (one for the
    whole database: the extension is shared by its schemas)."""
    row = db.execute("SELECT current_database()").fetchone()
    digest = hashlib.blake2b(f"storyfold migrations {row[0] if row else ''}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def has_store(db: Connection) -> bool:
    """Whether the connection's current schema holds a store (any migration recorded)."""
    return db.execute("SELECT 1 FROM pg_tables WHERE schemaname = current_schema()"
                      " AND tablename = 'migrations'").fetchone() is not None


def _recorded(db: Connection, where: str) -> set[str]:
    """Names of the migrations the store has; StoreError for one this storyfold lacks."""
    if not has_store(db):
        return set()
    names = {row[0] for row in db.execute("SELECT name FROM migrations")}
    unknown = sorted(names - set(NAMES))
    if unknown:
        raise StoreError(f"store {where} has migrations newer than this storyfold "
                         f"({', '.join(unknown)}); upgrade storyfold")
    return names


def migrate(db: Connection, where: str) -> None:
    """Apply the migrations the store lacks, in order, each in its own transaction."""
    if db.execute("SELECT current_schema()").fetchone() == (None,):
        raise StoreError(f"store {where} has no schema to live in: its search_path names none "
                         "that exists; create the schema first")
    if _recorded(db, where) == set(NAMES):
        return  # up to date: no lock needed
    key = _migrations_key(db)
    for name, apply in MIGRATIONS:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            db.execute("CREATE TABLE IF NOT EXISTS migrations"
                       " (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
            if name in _recorded(db, where):
                continue
            apply(db)
            db.execute("INSERT INTO migrations(name, applied_at) VALUES (%s, %s)",
                       (name, datetime.now(UTC)))


def applied_migrations(db: Connection) -> list[tuple[str, datetime]]:
    """(name, applied at) of the migrations recorded, in order."""
    return [(name, at) for name, at in db.execute(
        "SELECT name, applied_at FROM migrations ORDER BY name")]
