"""Articles, fingerprints, LSH keys, lead-sentence vectors and idf counts in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np

from storyfold.model import Article, Credit, Fingerprint, Removed
from storyfold.store.base import ArticleStore
from storyfold.store.postgres.connection import (
    PostgresConnection,
    as_vector,
    now,
    pg_ids,
    pg_json,
    pg_text,
    utc,
    vectors_blob,
    vectors_from,
)

ARTICLE_COLUMNS = ("id, source, url, title, text, published, published_from, dateline, credits,"
                   " captions, removed, lang, author, path, record, extra")


def article_from(row: tuple[Any, ...]) -> Article:
    """An `articles` row (ARTICLE_COLUMNS, JSONB read back as Python values) as an Article."""
    (aid, source, url, title, text, published, published_from, dateline, credits, captions,
     removed, lang, author, path, record, extra) = row
    return Article(
        id=aid, source=source, url=url, title=title, text=text,
        published=utc(published), published_from=published_from, dateline=dateline,
        credits=[Credit(**c) for c in credits], captions=list(captions),
        removed=[Removed(**r) for r in removed],
        lang=lang, author=author, path=path, record=record, extra=dict(extra),
    )


class PostgresArticles(PostgresConnection, ArticleStore):
    """Articles are numbered (`seq`, an identity column) in the order they commit: inserts
    queue on a transaction-level advisory lock (held to the commit), so a reader following
    the embeddings feed never sees seq n+1 before seq n."""

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE id = ANY(%s)", (pg_ids(ids),))}

    def add_article(self, article: Article, fp: Fingerprint, lsh: list[tuple[int, int]]) -> None:
        # One statement (one round trip, atomic on its own): take the feed's lock, insert the
        # article unless stored, and its fingerprint, LSH keys and the count only if it was
        # inserted (the feed's lock also queues the count's updates).
        self.db.execute(
            "WITH feed AS (SELECT pg_advisory_xact_lock(%s)),"
            " a AS (INSERT INTO articles(id, source, url, title, text, published,"
            " published_from, dateline, credits, captions, removed, lang, author, path, record,"
            " extra, ingested_at) SELECT %s::text, %s::text, %s::text, %s::text, %s::text,"
            " %s::timestamptz, %s::text, %s::text, %s::jsonb, %s::jsonb, %s::jsonb, %s::text,"
            " %s::text, %s::text, %s::text, %s::jsonb, %s::timestamptz FROM feed"
            " ON CONFLICT(id) DO NOTHING RETURNING id),"
            " f AS (INSERT INTO fingerprints(article_id, content_hash, minhash, embedding, terms,"
            " names, multilingual) SELECT a.id, %s::text, %s::bytea, %s, %s::jsonb, %s::jsonb,"
            " %s::bytea FROM a),"
            " l AS (INSERT INTO lsh(band, key, article_id) SELECT DISTINCT t.b, t.k, a.id"
            " FROM a, unnest(%s::int[], %s::bigint[]) AS t(b, k)),"
            " c AS (UPDATE counts SET n = n + 1 FROM a WHERE counts.name = 'articles')"
            " SELECT 1",
            (
                self.feed_key,
                article.id, pg_text(article.source), pg_text(article.url),
                pg_text(article.title), pg_text(article.text), utc(article.published),
                article.published_from, pg_text(article.dateline),
                pg_json([asdict(c) for c in article.credits]), pg_json(article.captions),
                pg_json([asdict(r) for r in article.removed]), pg_text(article.lang),
                pg_text(article.author), pg_text(article.path), pg_text(article.record),
                pg_json(article.extra), now(),
                fp.content_hash, fp.minhash.astype(np.uint32).tobytes(),
                fp.embedding.astype(np.float32), pg_json(fp.terms), pg_json(fp.names),
                None if fp.multilingual is None else fp.multilingual.astype(np.float32).tobytes(),
                [b for b, _ in lsh], [k for _, k in lsh],
            ),
        )

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        return {
            row[0]: article_from(row) for row in self.db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ANY(%s)", (pg_ids(ids),))
        }

    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]:
        out: dict[str, Fingerprint] = {}
        for aid, h, mh, emb, terms, names, ml in self.db.execute(
            "SELECT article_id, content_hash, minhash, embedding, terms, names, multilingual"
            " FROM fingerprints WHERE article_id = ANY(%s)", (pg_ids(ids),), binary=True,
        ):
            out[aid] = Fingerprint(
                article_id=aid, content_hash=h,
                minhash=np.frombuffer(mh, dtype=np.uint32).copy(),
                embedding=as_vector(emb), terms=terms, names=names,
                multilingual=None if ml is None else np.frombuffer(ml, dtype=np.float32).copy(),
            )
        return out

    def save_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        with self.db.cursor() as cur:
            cur.executemany(
                "UPDATE fingerprints SET multilingual = %s WHERE article_id = %s",
                [(v.astype(np.float32).tobytes(), aid) for aid, v in vectors.items()],
            )

    def article_languages(self, limit: int) -> list[str]:
        # a skip scan over the index on articles.lang: the next language after the last one
        found: list[str] = []
        while len(found) < limit:
            row = self.db.execute("SELECT MIN(lang) FROM articles WHERE lang > %s",
                                  (found[-1] if found else "",)).fetchone()
            if row is None or row[0] is None:
                break
            found.append(str(row[0]))
        return found

    def by_content_hash(self, content_hash: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT f.article_id FROM fingerprints f JOIN articles a ON a.id = f.article_id"
            " WHERE f.content_hash = %s ORDER BY a.seq", (content_hash,))]

    def lsh_candidates(self, keys: list[tuple[int, int]]) -> set[str]:
        if not keys:
            return set()
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT l.article_id FROM unnest(%s::int[], %s::bigint[]) AS k(band, key)"
            " JOIN lsh l ON l.band = k.band AND l.key = k.key",
            ([b for b, _ in keys], [k for _, k in keys]),
        )}

    def article_count(self) -> int:
        # kept by add_article (migration 0009): one row read, not a scan of every article
        row = self.db.execute("SELECT n FROM counts WHERE name = 'articles'").fetchone()
        return int(row[0]) if row else 0

    def sentence_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        return {
            aid: vectors_from(n, blob) for aid, n, blob in self.db.execute(
                "SELECT article_id, n, vectors FROM sentence_vectors WHERE article_id = ANY(%s)",
                (pg_ids(ids),),
            )
        }

    def save_sentence_vectors(self, article_id: str, vectors: np.ndarray) -> None:
        self.db.execute(
            "INSERT INTO sentence_vectors(article_id, n, vectors) VALUES (%s,%s,%s)"
            " ON CONFLICT(article_id) DO UPDATE SET n = excluded.n, vectors = excluded.vectors",
            (article_id, int(len(vectors)), vectors_blob(vectors)),
        )

    def document_frequencies(self) -> dict[str, int]:
        return {term: int(df) for term, df in self.db.execute("SELECT term, df FROM term_df")}

    def add_document_frequencies(self, counts: dict[str, int]) -> None:
        if not counts:
            return
        self.db.execute(
            "INSERT INTO term_df(term, df) SELECT * FROM unnest(%s::text[], %s::bigint[])"
            " ON CONFLICT(term) DO UPDATE SET df = term_df.df + excluded.df",
            ([pg_text(t) for t in counts], list(counts.values())),
        )
