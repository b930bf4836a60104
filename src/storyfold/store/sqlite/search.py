"""Full-text search (FTS5), story listings with keyset pagination, outlets and the embeddings
feed in SQLite."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import datetime
from typing import Any

import numpy as np

from storyfold.model import SearchHit, StoryRecord
from storyfold.store.base import SearchStore
from storyfold.store.sqlite.connection import SQLiteConnection, ts
from storyfold.store.sqlite.stories import story_record
from storyfold.store.words import query_words

log = logging.getLogger(__name__)

_HIT_START, _HIT_END = "\x02", "\x03"


def fts_query(text: str, op: str = "AND") -> str | None:
    """User text as an FTS5 query that cannot be a syntax error: each word becomes a quoted
    string (FTS5 operators, column filters, `*`, `^` and parentheses in the input are just
    punctuation between words, and `AND`/`NEAR` typed by a user are words). None: no words."""
    terms = query_words(text, op)
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


class SQLiteSearch(SQLiteConnection, SearchStore):
    """Search and listings read the FTS5 index `add_article` keeps in step with articles."""

    def _fts(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
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
        after: tuple[str, str] | None = None, lang: str | None = None,
    ) -> list[StoryRecord]:
        where = ["EXISTS (SELECT 1 FROM memberships m0 WHERE m0.story_id = s.id)"]
        params: list[object] = []
        if since is not None:
            where.append("s.last_seen >= ?")
            params.append(ts(since))
        if until is not None:
            where.append("s.first_seen < ?")
            params.append(ts(until))
        if source:
            where.append(
                "EXISTS (SELECT 1 FROM memberships m1 JOIN articles a1 ON a1.id = m1.article_id"
                " WHERE m1.story_id = s.id AND a1.source = ?)"
            )
            params.append(source)
        if lang:
            where.append(
                "EXISTS (SELECT 1 FROM memberships m3 JOIN articles a3 ON a3.id = m3.article_id"
                " WHERE m3.story_id = s.id AND a3.lang = ?)"
            )
            params.append(lang)
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
        return [story_record(self.db, *row) for row in rows]

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
