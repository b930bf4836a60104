"""Full-text search (a tsvector with a GIN index), story listings with keyset pagination,
outlets and the embeddings feed in PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from storyfold.model import SearchHit, StoryRecord
from storyfold.store.base import SearchStore
from storyfold.store.postgres.connection import PostgresConnection, as_vector, pg_text, utc
from storyfold.store.postgres.stories import story_record
from storyfold.store.words import query_words

# ts_rank's weights of the D, C, B, A labels: titles (A) count four times texts (B), as
# SQLite's BM25 weighs them. ts_rank is not BM25: scores differ between backends.
RANK_WEIGHTS = [0.0, 0.0, 0.25, 1.0]
# the candidate list pgvector's HNSW search keeps (its default, 40, is also the most rows it
# returns); widened to the rows asked for
HNSW_EF_SEARCH = 40
MAX_WORD_BYTES = 2046  # PostgreSQL indexes no longer word, and refuses one in a query
_HIT_START, _HIT_END = "\x02", "\x03"
# ts_headline's options: one fragment of about SQLite's 24-token snippet.
_HEADLINE = (f"StartSel={_HIT_START}, StopSel={_HIT_END}, MaxWords=24, MinWords=12,"
             " MaxFragments=1, FragmentDelimiter=…")


def ts_query(text: str, op: str) -> tuple[str, list[str]] | None:
    """SQL for a tsquery matching all (`op` "AND") or any ("OR") of the words of `text`,
    and its parameters; None when there are no words. Each word is a bound value read by
    plainto_tsquery, which takes text as words: nothing a user types is query syntax."""
    words = [w for w in query_words(text, op) if len(w.encode()) <= MAX_WORD_BYTES]
    if not words:
        return None
    joiner = " && " if op == "AND" else " || "
    return "(" + joiner.join(["plainto_tsquery('simple', %s)"] * len(words)) + ")", words


def snippet_pieces(marked: str) -> list[tuple[str, bool]]:
    """ts_headline output with control-character markers → (text, matched) pieces."""
    pieces: list[tuple[str, bool]] = []
    start, matched = 0, False
    for i, ch in enumerate(marked):
        if ch in (_HIT_START, _HIT_END):
            if i > start:
                pieces.append((marked[start:i], matched))
            matched, start = ch == _HIT_START, i + 1
    if start < len(marked):
        pieces.append((marked[start:], matched))
    return pieces


class PostgresSearch(PostgresConnection, SearchStore):
    """Search and listings read the generated `document` column of articles (GIN-indexed)."""

    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """ts_rank (title weighted 4:1 over text); all words first, then any word to fill up."""
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for op in ("AND", "OR"):
            query = ts_query(q, op)
            if query is None or len(hits) >= limit:
                break
            tsq, words = query
            rows = self.db.execute(
                "WITH q AS (SELECT " + tsq + " AS query),"
                " top AS (SELECT a.id, a.seq, a.title, a.text, ts_rank(%s::float4[], a.document,"
                " q.query) AS rank FROM articles a, q WHERE a.document @@ q.query"
                " ORDER BY rank DESC, a.seq LIMIT %s)"
                " SELECT top.id, top.rank, ts_headline('simple',"
                " coalesce(top.title, '') || E'\\n' || top.text, q.query, %s)"
                " FROM top, q ORDER BY top.rank DESC, top.seq",
                (*words, RANK_WEIGHTS, int(limit), _HEADLINE),
            ).fetchall()
            for aid, rank, snip in rows:
                if aid not in seen and len(hits) < limit:
                    seen.add(aid)
                    hits.append(SearchHit(aid, float(rank), snippet_pieces(snip or "")))
            if len(words) == 1:  # one word: OR is the same query
                break
        return hits

    def list_stories(
        self, *, q: str | None = None, since: datetime | None = None,
        until: datetime | None = None, source: str | None = None, limit: int = 20,
        after: tuple[str, str] | None = None, lang: str | None = None,
    ) -> list[StoryRecord]:
        where = ["EXISTS (SELECT 1 FROM memberships m0 WHERE m0.story_id = s.id)"]
        params: list[Any] = []
        if lang:
            where.append(
                "EXISTS (SELECT 1 FROM memberships m3 JOIN articles a3 ON a3.id = m3.article_id"
                " WHERE m3.story_id = s.id AND a3.lang = %s)"
            )
            params.append(pg_text(lang))
        if since is not None:
            where.append("s.last_seen >= %s")
            params.append(utc(since))
        if until is not None:
            where.append("s.first_seen < %s")
            params.append(utc(until))
        if source:
            where.append(
                "EXISTS (SELECT 1 FROM memberships m1 JOIN articles a1 ON a1.id = m1.article_id"
                " WHERE m1.story_id = s.id AND a1.source = %s)"
            )
            params.append(pg_text(source))
        if q is not None:
            query = ts_query(q, "AND")
            if query is None:
                return []
            tsq, words = query
            where.append(
                "s.id IN (SELECT m2.story_id FROM articles a2"
                " JOIN memberships m2 ON m2.article_id = a2.id WHERE a2.document @@ " + tsq + ")"
            )
            params.extend(words)
        if after is not None:
            # the listing's order: first seen, newest first, undated last; then id
            if after[0]:
                where.append("(s.first_seen < %s OR s.first_seen IS NULL"
                             " OR (s.first_seen = %s AND s.id > %s))")
                key = datetime.fromisoformat(after[0])
                params.extend([key, key, after[1]])
            else:
                where.append("(s.first_seen IS NULL AND s.id > %s)")
                params.append(after[1])
        params.append(int(limit))
        rows = self.db.execute(
            "SELECT s.id, s.headline, s.first_seen, s.last_seen FROM stories s WHERE "
            + " AND ".join(where)
            + " ORDER BY s.first_seen DESC NULLS LAST, s.id LIMIT %s",
            params,
        ).fetchall()
        return [story_record(self.db, *row) for row in rows]

    def outlets(self) -> list[tuple[str, int]]:
        return [
            (src, int(n)) for src, n in self.db.execute(
                "SELECT source, COUNT(*) FROM articles WHERE source IS NOT NULL AND source <> ''"
                " GROUP BY source ORDER BY COUNT(*) DESC, source COLLATE \"C\""
            )
        ]

    def article_embeddings(self, after_seq: int = 0) -> tuple[list[str], np.ndarray, int]:
        ids: list[str] = []
        rows: list[np.ndarray] = []
        last = after_seq
        for seq, aid, emb in self.db.execute(
            "SELECT a.seq, f.article_id, f.embedding FROM fingerprints f"
            " JOIN articles a ON a.id = f.article_id WHERE a.seq > %s ORDER BY a.seq",
            (int(after_seq),), binary=True,
        ):
            ids.append(aid)
            rows.append(as_vector(emb))
            last = max(last, int(seq))
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix, last

    def nearest_articles(self, vector: np.ndarray, n: int) -> list[tuple[str, float]] | None:
        """From the HNSW index on fingerprints.embedding (migration 0005): pgvector walks it
        for `ORDER BY embedding <=> q LIMIT n`, and returns at most `hnsw.ef_search`
        rows, so the search list is widened to `n` for this transaction first."""
        if n <= 0:
            return []
        with self.transaction():
            self.db.execute("SELECT set_config('hnsw.ef_search', %s, true)",
                            (str(max(HNSW_EF_SEARCH, int(n))),))
            rows = self.db.execute(
                "SELECT article_id, 1 - (embedding <=> %s) FROM fingerprints"
                " ORDER BY embedding <=> %s LIMIT %s",
                (q := vector.astype(np.float32), q, int(n)),
            ).fetchall()
        return [(aid, float(sim)) for aid, sim in rows]
