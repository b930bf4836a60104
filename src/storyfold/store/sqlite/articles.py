"""Articles, fingerprints, LSH keys, lead-sentence vectors and idf counts in SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np

from storyfold.model import Article, Credit, Fingerprint, Removed
from storyfold.store.base import ArticleStore
from storyfold.store.sqlite.connection import (
    SQLiteConnection,
    dt,
    now,
    ts,
    vectors_blob,
    vectors_from,
)

LSH_ARMS = 250  # (band, key) pairs per compound SELECT: SQLite allows 500 arms, 2 values each

_ARTICLE_COLUMNS = ("id, source, url, title, text, published, published_from, dateline, credits,"
                    " captions, removed, lang, author, path, record, extra")


def _article(row: tuple[Any, ...]) -> Article:
    (aid, source, url, title, text, published, published_from, dateline, credits, captions,
     removed, lang, author, path, record, extra) = row
    return Article(
        id=aid, source=source, url=url, title=title, text=text,
        published=dt(published), published_from=published_from, dateline=dateline,
        credits=[Credit(**c) for c in json.loads(credits)],
        captions=json.loads(captions),
        removed=[Removed(**r) for r in json.loads(removed)],
        lang=lang, author=author, path=path, record=record, extra=json.loads(extra),
    )


class SQLiteArticles(SQLiteConnection, ArticleStore):
    """Articles are numbered (`seq`) in the order they arrive: the full-text index and the
    embeddings feed key on that number."""

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        return {r[0] for r in self._select_in("SELECT id FROM articles WHERE id IN ({marks})", ids)}

    def add_article(self, article: Article, fp: Fingerprint, lsh: list[tuple[int, int]]) -> None:
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
        added = self.db.execute(
            "INSERT INTO articles(id, seq, source, url, title, text, published, published_from,"
            " dateline, credits, captions, removed, lang, author, path, record, extra, ingested_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
            (
                article.id, seq, article.source, article.url, article.title, article.text,
                ts(article.published), article.published_from, article.dateline,
                json.dumps([asdict(c) for c in article.credits]),
                json.dumps(article.captions),
                json.dumps([asdict(r) for r in article.removed]),
                article.lang, article.author, article.path, article.record,
                json.dumps(article.extra, default=str), now(),
            ),
        )
        if added.rowcount == 0:
            return  # already stored: ids are content, so the stored one is this article
        self.db.execute(
            "INSERT INTO fingerprints(article_id, content_hash, minhash, embedding, terms, names,"
            " multilingual) VALUES (?,?,?,?,?,?,?)",
            (
                fp.article_id, fp.content_hash, fp.minhash.astype(np.uint32).tobytes(),
                fp.embedding.astype(np.float32).tobytes(), json.dumps(fp.terms),
                json.dumps(fp.names),
                None if fp.multilingual is None else fp.multilingual.astype(np.float32).tobytes(),
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

    def articles(self, ids: Iterable[str]) -> dict[str, Article]:
        return {
            row[0]: _article(row) for row in self._select_in(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({{marks}})", ids,
            )
        }

    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]:
        out: dict[str, Fingerprint] = {}
        for aid, h, mh, emb, terms, names, ml in self._select_in(
            "SELECT article_id, content_hash, minhash, embedding, terms, names, multilingual"
            " FROM fingerprints WHERE article_id IN ({marks})", ids,
        ):
            out[aid] = Fingerprint(
                article_id=aid, content_hash=h,
                minhash=np.frombuffer(mh, dtype=np.uint32).copy(),
                embedding=np.frombuffer(emb, dtype=np.float32).copy(),
                terms=json.loads(terms), names=json.loads(names),
                multilingual=None if ml is None else np.frombuffer(ml, dtype=np.float32).copy(),
            )
        return out

    def save_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "UPDATE fingerprints SET multilingual = ? WHERE article_id = ?",
            [(v.astype(np.float32).tobytes(), aid) for aid, v in vectors.items()],
        )

    def article_languages(self, limit: int) -> list[str]:
        # a skip scan over the index on articles.lang: the next language after the last one
        found: list[str] = []
        while len(found) < limit:
            row = self.db.execute("SELECT MIN(lang) FROM articles WHERE lang > ?",
                                  (found[-1] if found else "",)).fetchone()
            if row is None or row[0] is None:
                break
            found.append(str(row[0]))
        return found

    def by_content_hash(self, content_hash: str) -> list[str]:
        return [
            r[0] for r in self.db.execute(
                "SELECT article_id FROM fingerprints WHERE content_hash = ? ORDER BY rowid",
                (content_hash,)
            )
        ]

    def lsh_candidates(self, keys: list[tuple[int, int]]) -> set[str]:
        # One statement for all bands (each arm a primary-key lookup), not one per band.
        found: set[str] = set()
        for i in range(0, len(keys), LSH_ARMS):
            part = keys[i : i + LSH_ARMS]
            sql = " UNION ".join(["SELECT article_id FROM lsh WHERE band = ? AND key = ?"]
                                 * len(part))
            found.update(r[0] for r in self.db.execute(sql, [v for bk in part for v in bk]))
        return found

    def article_count(self) -> int:
        # Articles are numbered 1, 2, 3… in the writer's transaction and never deleted, so
        # the largest number is the count: an index lookup, where COUNT(*) reads every row.
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0])

    def sentence_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        return {
            aid: vectors_from(n, blob) for aid, n, blob in self._select_in(
                "SELECT article_id, n, vectors FROM sentence_vectors WHERE article_id IN ({marks})",
                ids,
            )
        }

    def save_sentence_vectors(self, article_id: str, vectors: np.ndarray) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sentence_vectors(article_id, n, vectors) VALUES (?,?,?)",
            (article_id, int(len(vectors)), vectors_blob(vectors)),
        )

    def document_frequencies(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT term, df FROM term_df"))

    def add_document_frequencies(self, counts: dict[str, int]) -> None:
        self.db.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, ?)"
            " ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            list(counts.items()),
        )
