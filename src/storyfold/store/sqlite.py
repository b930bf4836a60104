"""SQLite backend: one file, WAL, foreign keys, a schema version; every statement bound."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.errors import NotFound, StoreError
from storyfold.model import Article, Credit, Fingerprint, Link, Membership, Removed
from storyfold.store.base import SearchHit, Store, StoryRecord, StoryState

SCHEMA_VERSION = 4  # 2: names on fingerprints and stories; 3: articles_fts (full-text search)
# 4: story_writeups and summary_vectors (write-ups cached per membership)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    source TEXT, url TEXT, title TEXT, text TEXT NOT NULL,
    published TEXT, published_from TEXT, dateline TEXT,
    credits TEXT NOT NULL, captions TEXT NOT NULL, removed TEXT NOT NULL,
    lang TEXT, author TEXT, path TEXT, record TEXT, extra TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_seq ON articles(seq);
CREATE TABLE IF NOT EXISTS fingerprints (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    minhash BLOB NOT NULL,
    embedding BLOB NOT NULL,
    terms TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS fingerprints_hash ON fingerprints(content_hash);
CREATE TABLE IF NOT EXISTS lsh (
    band INTEGER NOT NULL, key INTEGER NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (band, key, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_vectors (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    vectors BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    headline TEXT,
    first_seen TEXT, last_seen TEXT,
    size INTEGER NOT NULL,
    centroid BLOB NOT NULL,
    terms TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_last_seen ON stories(last_seen);
CREATE TABLE IF NOT EXISTS memberships (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    role TEXT NOT NULL DEFAULT 'independent',
    derived_from TEXT,
    evidence TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS memberships_story ON memberships(story_id);
CREATE TABLE IF NOT EXISTS links (
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, score REAL NOT NULL,
    src TEXT, dst TEXT,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS links_story ON links(story_id);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, content='articles', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2'
);
-- a story's write-up (comparison, headline, summary, timeline), computed when the story is
-- shown and kept under a key of its membership; and each article's summary-sentence vectors,
-- so a story that gains an article embeds only the newcomer's sentences
CREATE TABLE IF NOT EXISTS story_writeups (
    story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    members_key TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS summary_vectors (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    sentences_key TEXT NOT NULL,
    n INTEGER NOT NULL,
    vectors BLOB NOT NULL
);
"""
CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit


log = logging.getLogger(__name__)

_FTS_TERM = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 32
_HIT_START, _HIT_END = "\x02", "\x03"


# Left out of "any word" queries, where they would match every article.
_OR_SKIP = frozenset(
    "a an and are as at be but by for from had has have he her his in is it its of on or our "
    "she that the their them they this to was we were which who will with you".split()
)


def fts_query(text: str, op: str = "AND") -> str | None:
    """User text as an FTS5 query that cannot be a syntax error: each word becomes a quoted
    string (FTS5 operators, column filters, `*`, `^` and parentheses in the input are just
    punctuation between words, and `AND`/`NEAR` typed by a user are words). None: no words."""
    terms = _FTS_TERM.findall(text)[:MAX_QUERY_TERMS]
    if op == "OR":
        terms = [t for t in terms if t.lower() not in _OR_SKIP] or terms
    if not terms:
        return None
    return f" {op} ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _snippet_pieces(marked: str) -> list[tuple[str, bool]]:
    """FTS5 snippet() with control-character markers → (text, matched) pieces."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split("[\x02\x03]", marked)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def _ts(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat() if dt else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _vectors(n: int, blob: bytes) -> np.ndarray:
    """n float16 rows stored as one blob (sentence and summary-sentence vectors)."""
    if not n:
        return np.zeros((0, 384), np.float16)
    return np.frombuffer(blob, dtype=np.float16).reshape(n, -1).copy()


class SQLiteStore(Store):
    """The embedded default. A batch of writes is one transaction: a crash loses the batch,
    never corrupts what was stored before."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open SQLite store {path!r}: {exc}") from exc
        self._lock = threading.RLock()
        self._depth = 0

    def _schema_version(self) -> int | None:
        """The store's schema version; None for a new (empty) store."""
        if self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone() is None:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None

    def _migrate(self) -> None:
        version = self._schema_version()
        if version == SCHEMA_VERSION:
            return  # up to date: nothing to create
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path!r} has schema version {version}, newer than this storyfold "
                f"({SCHEMA_VERSION}); upgrade storyfold"
            )
        self.db.executescript(SCHEMA)  # creates whatever is missing, new tables included
        if version is None:
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        else:
            self._upgrade(version)

    def _upgrade(self, version: int) -> None:
        """Bring an older store up to date in place, in one transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if version < 2:
                for table in ("fingerprints", "stories"):
                    cols = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                    if "names" not in cols:
                        self.db.execute(
                            f"ALTER TABLE {table} ADD COLUMN names TEXT NOT NULL DEFAULT '{{}}'"
                        )
            if version < 3:
                # SCHEMA created the (empty) index; fill it from the stored articles
                self.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
            # version 4 only adds tables, which SCHEMA created
            self.db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self.db.execute("ROLLBACK")
            raise

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

    def _select_in(self, sql: str, ids: Iterable[str]) -> Iterator[tuple]:
        """Rows of `sql`, whose `{marks}` is an IN list, for all `ids` (CHUNK at a time)."""
        ids = list(ids)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    # ---- articles -------------------------------------------------------------------------
    def known_ids(self, ids: Iterable[str]) -> set[str]:
        return {r[0] for r in self._select_in("SELECT id FROM articles WHERE id IN ({marks})", ids)}

    def add_article(self, article: Article, fp: Fingerprint, lsh: list[tuple[int, int]]) -> None:
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
        self.db.execute(
            "INSERT INTO articles(id, seq, source, url, title, text, published, published_from,"
            " dateline, credits, captions, removed, lang, author, path, record, extra, ingested_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.id, seq, article.source, article.url, article.title, article.text,
                _ts(article.published), article.published_from, article.dateline,
                json.dumps([asdict(c) for c in article.credits]),
                json.dumps(article.captions),
                json.dumps([asdict(r) for r in article.removed]),
                article.lang, article.author, article.path, article.record,
                json.dumps(article.extra, default=str), datetime.now(UTC).isoformat(),
            ),
        )
        self.db.execute(
            "INSERT INTO fingerprints(article_id, content_hash, minhash, embedding, terms, names)"
            " VALUES (?,?,?,?,?,?)",
            (
                fp.article_id, fp.content_hash, fp.minhash.astype(np.uint32).tobytes(),
                fp.embedding.astype(np.float32).tobytes(), json.dumps(fp.terms),
                json.dumps(fp.names),
            ),
        )
        self.db.execute(
            "INSERT INTO articles_fts(rowid, title, text) VALUES (?,?,?)",
            (seq, article.title, article.text),
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO lsh(band, key, article_id) VALUES (?,?,?)",
            [(b, k, article.id) for b, k in lsh],
        )

    def _article(self, row: sqlite3.Row | tuple) -> Article:
        (aid, source, url, title, text, published, published_from, dateline, credits, captions,
         removed, lang, author, path, record, extra) = row
        return Article(
            id=aid, source=source, url=url, title=title, text=text,
            published=_dt(published), published_from=published_from, dateline=dateline,
            credits=[Credit(**c) for c in json.loads(credits)],
            captions=json.loads(captions),
            removed=[Removed(**r) for r in json.loads(removed)],
            lang=lang, author=author, path=path, record=record, extra=json.loads(extra),
        )

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        return {
            row[0]: self._article(row) for row in self._select_in(
                "SELECT id, source, url, title, text, published, published_from, dateline, credits,"
                " captions, removed, lang, author, path, record, extra FROM articles"
                " WHERE id IN ({marks})", ids,
            )
        }

    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]:
        out: dict[str, Fingerprint] = {}
        for aid, h, mh, emb, terms, names in self._select_in(
            "SELECT article_id, content_hash, minhash, embedding, terms, names FROM fingerprints"
            " WHERE article_id IN ({marks})", ids,
        ):
            out[aid] = Fingerprint(
                article_id=aid, content_hash=h,
                minhash=np.frombuffer(mh, dtype=np.uint32).copy(),
                embedding=np.frombuffer(emb, dtype=np.float32).copy(),
                terms=json.loads(terms), names=json.loads(names),
            )
        return out

    def by_content_hash(self, content_hash: str) -> list[str]:
        return [
            r[0] for r in self.db.execute(
                "SELECT article_id FROM fingerprints WHERE content_hash = ?", (content_hash,)
            )
        ]

    def lsh_candidates(self, keys: list[tuple[int, int]]) -> set[str]:
        # One statement for all bands (each arm a primary-key lookup), not one per band.
        found: set[str] = set()
        for i in range(0, len(keys), 250):  # SQLite allows 500 arms in one compound SELECT
            part = keys[i : i + 250]
            sql = " UNION ".join(["SELECT article_id FROM lsh WHERE band = ? AND key = ?"]
                                 * len(part))
            found.update(r[0] for r in self.db.execute(sql, [v for bk in part for v in bk]))
        return found

    def article_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def sentence_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        return {
            aid: _vectors(n, blob) for aid, n, blob in self._select_in(
                "SELECT article_id, n, vectors FROM sentence_vectors WHERE article_id IN ({marks})",
                ids,
            )
        }

    def save_sentence_vectors(self, article_id: str, vectors: np.ndarray) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sentence_vectors(article_id, n, vectors) VALUES (?,?,?)",
            (article_id, int(len(vectors)), vectors.astype(np.float16).tobytes()),
        )

    # ---- idf statistics ---------------------------------------------------------------------
    def document_frequencies(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT term, df FROM term_df"))

    def add_document_frequencies(self, counts: dict[str, int]) -> None:
        self.db.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            list(counts.items()),
        )

    # ---- stories ------------------------------------------------------------------------------
    def story_states(self, since: datetime | None = None) -> list[StoryState]:
        sql = "SELECT id, centroid, size, terms, first_seen, last_seen, names FROM stories"
        params: tuple = ()
        if since is not None:
            sql += " WHERE last_seen IS NULL OR last_seen >= ?"
            params = (_ts(since),)
        return [
            StoryState(
                id=sid, centroid=np.frombuffer(c, dtype=np.float32).copy(), size=size,
                terms=json.loads(terms), first_seen=_dt(first), last_seen=_dt(last),
                names=json.loads(names),
            )
            for sid, c, size, terms, first, last, names in self.db.execute(sql, params)
        ]

    def save_story_state(self, state: StoryState) -> None:
        self.db.execute(
            "INSERT INTO stories(id, first_seen, last_seen, size, centroid, terms, names,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " first_seen = excluded.first_seen,"
            " last_seen = excluded.last_seen, size = excluded.size, centroid = excluded.centroid,"
            " terms = excluded.terms, names = excluded.names, updated_at = excluded.updated_at",
            (
                state.id, _ts(state.first_seen), _ts(state.last_seen), state.size,
                state.centroid.astype(np.float32).tobytes(), json.dumps(state.terms),
                json.dumps(state.names), datetime.now(UTC).isoformat(),
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

    def _record(self, sid: str, headline: str | None, first: str | None, last: str | None
                ) -> StoryRecord:
        members = [
            Membership(article_id=aid, role=role, derived_from=df, evidence=json.loads(ev))
            for aid, role, df, ev in self.db.execute(
                "SELECT m.article_id, m.role, m.derived_from, m.evidence FROM memberships m"
                " JOIN articles a ON a.id = m.article_id WHERE m.story_id = ?"
                " ORDER BY COALESCE(a.published, '9999'), a.seq", (sid,),
            )
        ]
        links = [
            Link(a=a, b=b, kind=kind, score=score,
                 direction=(src, dst) if src and dst else None)
            for a, b, kind, score, src, dst in self.db.execute(
                "SELECT a, b, kind, score, src, dst FROM links WHERE story_id = ? ORDER BY a, b",
                (sid,),
            )
        ]
        return StoryRecord(id=sid, headline=headline, first_seen=_dt(first), last_seen=_dt(last),
                           members=members, links=links)

    def story(self, story_id: str) -> StoryRecord:
        row = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id!r} in {self.path}")
        return self._record(*row)

    def iter_stories(self) -> Iterator[StoryRecord]:
        rows = self.db.execute(
            "SELECT id, headline, first_seen, last_seen FROM stories"
            " ORDER BY COALESCE(first_seen, '0000') DESC, id"
        ).fetchall()
        for row in rows:
            yield self._record(*row)

    # ---- search and listing -------------------------------------------------------------------
    def _fts(self, sql: str, params: tuple) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:  # fts_query makes this unreachable; be safe
            log.warning("full-text query failed (%s): %r", exc, params)
            return []

    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """BM25 (title weighted 4:1 over text); all words first, then any word to fill up."""
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for op in ("AND", "OR"):
            match = fts_query(q, op)
            if match is None or len(hits) >= limit:
                break
            rows = self._fts(
                "SELECT a.id, bm25(articles_fts, 4.0, 1.0),"
                " snippet(articles_fts, -1, ?, ?, '…', 24)"
                " FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
                " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT ?",
                (_HIT_START, _HIT_END, match, limit),
            )
            for aid, rank, snip in rows:
                if aid not in seen and len(hits) < limit:
                    seen.add(aid)
                    hits.append(SearchHit(aid, -float(rank), _snippet_pieces(snip or "")))
            if " " not in match:  # one word: OR is the same query
                break
        return hits

    def list_stories(
        self, *, q: str | None = None, since: datetime | None = None,
        until: datetime | None = None, source: str | None = None, limit: int = 20,
        after: tuple[str, str] | None = None,
    ) -> list[StoryRecord]:
        where = ["EXISTS (SELECT 1 FROM memberships m0 WHERE m0.story_id = s.id)"]
        params: list[object] = []
        if since is not None:
            where.append("s.last_seen >= ?")
            params.append(_ts(since))
        if until is not None:
            where.append("s.first_seen < ?")
            params.append(_ts(until))
        if source:
            where.append(
                "EXISTS (SELECT 1 FROM memberships m1 JOIN articles a1 ON a1.id = m1.article_id"
                " WHERE m1.story_id = s.id AND a1.source = ?)"
            )
            params.append(source)
        if q is not None:
            match = fts_query(q, "AND")
            if match is None:
                return []
            where.append(
                "s.id IN (SELECT m2.story_id FROM articles_fts"
                " JOIN articles a2 ON a2.seq = articles_fts.rowid"
                " JOIN memberships m2 ON m2.article_id = a2.id WHERE articles_fts MATCH ?)"
            )
            params.append(match)
        if after is not None:
            where.append("(COALESCE(s.first_seen, '') < ?"
                         " OR (COALESCE(s.first_seen, '') = ? AND s.id > ?))")
            params.extend([after[0], after[0], after[1]])
        params.append(int(limit))
        rows = self._fts(
            "SELECT s.id, s.headline, s.first_seen, s.last_seen FROM stories s WHERE "
            + " AND ".join(where)
            + " ORDER BY COALESCE(s.first_seen, '') DESC, s.id LIMIT ?",
            tuple(params),
        )
        return [self._record(*row) for row in rows]

    def outlets(self) -> list[tuple[str, int]]:
        return [
            (src, int(n)) for src, n in self.db.execute(
                "SELECT source, COUNT(*) FROM articles WHERE source IS NOT NULL AND source != ''"
                " GROUP BY source ORDER BY COUNT(*) DESC, source"
            )
        ]

    def article_embeddings(self, after_seq: int = 0) -> tuple[list[str], np.ndarray, int]:
        ids: list[str] = []
        rows: list[np.ndarray] = []
        last = after_seq
        for seq, aid, emb in self.db.execute(
            "SELECT a.seq, f.article_id, f.embedding FROM fingerprints f"
            " JOIN articles a ON a.id = f.article_id WHERE a.seq > ? ORDER BY a.seq",
            (int(after_seq),),
        ):
            ids.append(aid)
            rows.append(np.frombuffer(emb, dtype=np.float32))
            last = max(last, int(seq))
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix, last

    # ---- write-ups ------------------------------------------------------------------------------
    def writeup(self, story_id: str) -> tuple[str, dict[str, Any]] | None:
        row = self.db.execute(
            "SELECT members_key, data FROM story_writeups WHERE story_id = ?", (story_id,)
        ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def summary_vectors(self, ids: Iterable[str]) -> dict[str, tuple[str, np.ndarray]]:
        return {
            aid: (key, _vectors(n, blob)) for aid, key, n, blob in self._select_in(
                "SELECT article_id, sentences_key, n, vectors FROM summary_vectors"
                " WHERE article_id IN ({marks})", ids,
            )
        }

    def save_writeup(
        self, story_id: str, key: str, data: dict[str, Any],
        vectors: dict[str, tuple[str, np.ndarray]] | None = None, headline: str | None = None,
    ) -> None:
        try:
            with self.transaction():
                self.db.execute(
                    "INSERT INTO story_writeups(story_id, members_key, data, updated_at)"
                    " VALUES (?,?,?,?) ON CONFLICT(story_id) DO UPDATE SET"
                    " members_key = excluded.members_key, data = excluded.data,"
                    " updated_at = excluded.updated_at",
                    (story_id, key, json.dumps(data, default=str),
                     datetime.now(UTC).isoformat()),
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO summary_vectors(article_id, sentences_key, n, vectors)"
                    " VALUES (?,?,?,?)",
                    [(aid, k, int(len(v)), v.astype(np.float16).tobytes())
                     for aid, (k, v) in (vectors or {}).items()],
                )
                if headline:
                    self.db.execute("UPDATE stories SET headline = ? WHERE id = ?",
                                    (headline, story_id))
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot cache the write-up of story {story_id} in {self.path}: {exc}"
            ) from exc
