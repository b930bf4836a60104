"""The SQLite schema as named migrations, applied in order and recorded in the store.

Each migration is a function run in its own `BEGIN IMMEDIATE` transaction together with the
row that records its name in `migrations`; a store opened by several processes at once is
migrated by whichever takes the write lock first, and the others (waiting on the busy timeout)
find the name recorded and skip it. A new schema change is one more function at the end of
`MIGRATIONS`; names are never reused or reordered.

Stores created before migrations had names carry a number in `meta.schema_version`; the
first time such a store is opened, the names that number stood for are recorded as applied
(with that time) and the rest run. Every migration also writes its position to
`meta.schema_version`, so that a storyfold from before named migrations refuses a newer store
with its "upgrade storyfold" message instead of running on a schema it does not know.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from storyfold.errors import StoreError

Migration = tuple[str, Callable[[sqlite3.Connection], None]]


def _initial(db: sqlite3.Connection) -> None:
    """Articles, fingerprints, LSH keys, lead-sentence vectors, idf counts, stories,
    memberships and provenance links. Creates only what is missing: version-1 stores made
    before `sentence_vectors` existed run it again to gain that table."""
    for sql in (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            source TEXT, url TEXT, title TEXT, text TEXT NOT NULL,
            published TEXT, published_from TEXT, dateline TEXT,
            credits TEXT NOT NULL, captions TEXT NOT NULL, removed TEXT NOT NULL,
            lang TEXT, author TEXT, path TEXT, record TEXT, extra TEXT NOT NULL,
            ingested_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS articles_published ON articles(published)",
        "CREATE INDEX IF NOT EXISTS articles_seq ON articles(seq)",
        """CREATE TABLE IF NOT EXISTS fingerprints (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            minhash BLOB NOT NULL,
            embedding BLOB NOT NULL,
            terms TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS fingerprints_hash ON fingerprints(content_hash)",
        """CREATE TABLE IF NOT EXISTS lsh (
            band INTEGER NOT NULL, key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band, key, article_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS sentence_vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            vectors BLOB NOT NULL
        )""",
        "CREATE TABLE IF NOT EXISTS term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL)"
        " WITHOUT ROWID",
        """CREATE TABLE IF NOT EXISTS stories (
            id TEXT PRIMARY KEY,
            headline TEXT,
            first_seen TEXT, last_seen TEXT,
            size INTEGER NOT NULL,
            centroid BLOB NOT NULL,
            terms TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS stories_last_seen ON stories(last_seen)",
        """CREATE TABLE IF NOT EXISTS memberships (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            role TEXT NOT NULL DEFAULT 'independent',
            derived_from TEXT,
            evidence TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX IF NOT EXISTS memberships_story ON memberships(story_id)",
        """CREATE TABLE IF NOT EXISTS links (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL, score REAL NOT NULL,
            src TEXT, dst TEXT,
            PRIMARY KEY (a, b)
        )""",
        "CREATE INDEX IF NOT EXISTS links_story ON links(story_id)",
    ):
        db.execute(sql)


def _names(db: sqlite3.Connection) -> None:
    """Proper names and figures on fingerprints and summed on stories (event identity)."""
    for table in ("fingerprints", "stories"):
        cols = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if "names" not in cols:
            db.execute(f"ALTER TABLE {table} ADD COLUMN names TEXT NOT NULL DEFAULT '{{}}'")


def _full_text(db: sqlite3.Connection) -> None:
    """An FTS5 index over article titles and texts, filled from the articles already stored."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
        " title, text, content='articles', content_rowid='seq',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def _writeups(db: sqlite3.Connection) -> None:
    """A story's write-up (comparison, headline, summary, timeline), computed when the story is
    shown and kept under a key of its membership; and each article's summary-sentence vectors,
    so a story that gains an article embeds only the newcomer's sentences."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_writeups (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            members_key TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS summary_vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            sentences_key TEXT NOT NULL,
            n INTEGER NOT NULL,
            vectors BLOB NOT NULL
        )"""
    )


def _settings_record(db: sqlite3.Connection) -> None:
    """The settings runs used: one row each time they change (digest, values as JSON, time)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS settings_record (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            digest TEXT NOT NULL,
            settings TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )"""
    )


def _pending_work(db: sqlite3.Connection) -> None:
    """The stories a run still owes consolidation and provenance (the durable to-do set). A
    deleted story leaves it with its row (the cascade), so it never names a story that is
    gone. Stories without a headline start in it: before this table, a killed run left
    its stories so, and nothing else would ever finish them."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS pending_stories (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            marked_at TEXT NOT NULL
        ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT OR IGNORE INTO pending_stories(story_id, marked_at)"
        " SELECT id, ? FROM stories WHERE headline IS NULL",
        (datetime.now(UTC).isoformat(),),
    )


def _story_aliases(db: sqlite3.Connection) -> None:
    """Where a merged-away story went (old id → the story it became), for old links."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_aliases (
            old_id TEXT PRIMARY KEY,
            new_id TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )"""
    )


def _sources(db: sqlite3.Connection) -> None:
    """Followed feeds with their polling state, the entries taken from each (so a restarted
    `watch` takes nothing twice), and the cursors of imports from other readers."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS sources (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            url TEXT NOT NULL UNIQUE,
            title TEXT, site_url TEXT,
            added_at TEXT NOT NULL,
            etag TEXT, last_modified TEXT,
            last_fetch TEXT, last_status TEXT, last_error TEXT,
            next_fetch TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            not_found INTEGER NOT NULL DEFAULT 0,
            disabled TEXT
        )"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS sources_next_fetch ON sources(next_fetch)")
    db.execute(
        """CREATE TABLE IF NOT EXISTS source_entries (
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            article_id TEXT,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (source_id, key)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS import_cursors (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
def _article_language(db: sqlite3.Connection) -> None:
    """Articles in many languages: an index on the article's language (`list_stories(lang=)`)
    and a language for articles stored before it was identified (the text decides, as
    `clean` does for a record that claims none); each article's multilingual vector; and the
    links between stories in two languages about one event, with their evidence."""
    from storyfold.clean.language import article_language

    columns = {r[1] for r in db.execute("PRAGMA table_info(fingerprints)")}
    if "multilingual" not in columns:
        db.execute("ALTER TABLE fingerprints ADD COLUMN multilingual BLOB")
    db.execute(
        """CREATE TABLE IF NOT EXISTS story_links (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            score REAL NOT NULL,
            evidence TEXT NOT NULL,
            linked_at TEXT NOT NULL,
            PRIMARY KEY (a, b)
        )"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS story_links_b ON story_links(b)")

    rows = db.execute("SELECT id, title, text FROM articles WHERE lang IS NULL").fetchall()
    db.executemany("UPDATE articles SET lang = ? WHERE id = ?",
                   [(article_language(None, title, text or ""), aid)
                    for aid, title, text in rows])
    db.execute("CREATE INDEX IF NOT EXISTS articles_lang ON articles(lang)")


MIGRATIONS: tuple[Migration, ...] = (
    ("0001_initial", _initial),
    ("0002_names", _names),
    ("0003_full_text_search", _full_text),
    ("0004_writeup_cache", _writeups),
    ("0005_settings_record", _settings_record),
    ("0006_pending_work", _pending_work),
    ("0007_story_aliases", _story_aliases),
    ("0008_sources", _sources),
    ("0009_article_language", _article_language),
)
NAMES = [name for name, _ in MIGRATIONS]

# meta.schema_version of stores from before named migrations → how many of MIGRATIONS they
# have. Version 1 maps to none: it covered two schemas (sentence_vectors came without a new
# number), and 0001_initial creates only what is missing.
LEGACY_VERSIONS = {1: 0, 2: 2, 3: 3, 4: 4}


def _table_exists(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def _legacy_count(db: sqlite3.Connection, path: str) -> int:
    """How many migrations a store without a `migrations` table already has (0 if new)."""
    if not _table_exists(db, "meta"):
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        return 0
    try:
        version = int(row[0])
    except ValueError:
        version = -1
    if version in LEGACY_VERSIONS:
        return LEGACY_VERSIONS[version]
    if version > max(LEGACY_VERSIONS):
        raise StoreError(f"store {path!r} has schema version {version}, newer than this "
                         "storyfold knows; upgrade storyfold")
    raise StoreError(f"store {path!r} has an unknown schema version {row[0]!r}")


def _recorded(db: sqlite3.Connection, path: str) -> set[str]:
    """Names of the migrations the store has; StoreError for one this storyfold lacks."""
    if not _table_exists(db, "migrations"):
        return set(NAMES[: _legacy_count(db, path)])
    names = {row[0] for row in db.execute("SELECT name FROM migrations")}
    unknown = sorted(names - set(NAMES))
    if unknown:
        raise StoreError(f"store {path!r} has migrations newer than this storyfold "
                         f"({', '.join(unknown)}); upgrade storyfold")
    return names


def _adopt(db: sqlite3.Connection, path: str) -> set[str]:
    """Create the `migrations` table if missing, recording what an older store already has;
    returns the names recorded. Runs inside the write transaction."""
    if _table_exists(db, "migrations"):
        return _recorded(db, path)
    done = NAMES[: _legacy_count(db, path)]
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    at = datetime.now(UTC).isoformat()
    db.executemany("INSERT INTO migrations(name, applied_at) VALUES (?, ?)",
                   [(name, at) for name in done])
    return set(done)


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Apply the migrations the store lacks, in order, each in its own write transaction."""
    if _table_exists(db, "migrations") and _recorded(db, path) == set(NAMES):
        return  # up to date: no write lock needed
    for position, (name, apply) in enumerate(MIGRATIONS, start=1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if name not in _adopt(db, path):
                apply(db)
                db.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)",
                           (name, datetime.now(UTC).isoformat()))
                db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(position),)
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def applied_migrations(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, applied at) of the migrations recorded, in order."""
    return [(name, at) for name, at in db.execute(
        "SELECT name, applied_at FROM migrations ORDER BY name")]
