"""What the JSON API and the pages both ask of the store, in one place.

The pages call the same functions as the API (and the API calls `views.story_json`, as the
CLI does), so a page never shows anything the API would not return.

Concurrency: uvicorn runs the endpoints in a thread pool. Each thread reads through its own
SQLite connection (WAL lets readers run beside the one writer); writes go through a single
`Pipeline` under a lock, because online clustering keeps its story index in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from storyfold.analyze.service import StoryAnalyzer, fresh_analysis
from storyfold.errors import IngestError, NotFound
from storyfold.fingerprint import Embedder
from storyfold.ingest.readers import MalformedInput, reader_for_media_type
from storyfold.model import RawDocument
from storyfold.output.json import article_json, story_detail, story_json
from storyfold.settings import DEFAULTS, Settings
from storyfold.store import Store, StoryRecord, open_store
from storyfold.web.background import BackgroundAnalysis
from storyfold.web.problems import BadRequest, Merged, WriteFailed
from storyfold.web.search import SemanticIndex, hybrid_search

log = logging.getLogger(__name__)


# ---- cursors --------------------------------------------------------------------------------
def encode_cursor(key: tuple[str, str]) -> str:
    """Opaque to clients: base64url of the last story's sort key."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)  # ≤ 2000 characters, but may nest deeply: RecursionError
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, str) for v in value)):
            return value[0], value[1]
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        pass
    raise BadRequest("cursor is not one this server issued; use `next_cursor` from the previous "
                     "page as is, or leave it out to start from the newest story",
                     kind="invalid-cursor")


def day_start(d: date | None) -> datetime | None:
    return datetime.combine(d, time(0), tzinfo=UTC) if d else None


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The `since`/`until` filter as [start, end) instants; every date filter of the API and
    the pages goes through here, so a date that breaks the arithmetic is one 400, not a 500."""
    if since and until and until < since:
        raise BadRequest(f"`until` ({until}) is before `since` ({since}); swap them")
    try:
        return day_start(since), (day_start(until + timedelta(days=1)) if until else None)
    except OverflowError as exc:  # until=9999-12-31: the day after it is not a date
        raise BadRequest(f"`until` must be before {date.max}; leave it out for no upper "
                         "bound", kind="invalid-date") from exc


def _unit_rows(vectors: list[np.ndarray]) -> np.ndarray:
    """The vectors as rows of unit length (zero rows left at zero)."""
    mat = np.vstack(vectors).astype(np.float32)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.where(norms == 0, 1, norms)


@dataclass
class Services:
    """Per-process state behind the app: connections, the writer, search indexes.

    Everything the server threads share lives here, never in a module: the caches below are
    rebuilt under `_cache_lock` when the article count moves, so no thread sees half of one.
    """

    store_url: str
    token: str | None = None
    settings: Settings = DEFAULTS
    embedder: Embedder = field(default_factory=Embedder)
    semantic: SemanticIndex = field(default_factory=SemanticIndex)
    _local: threading.local = field(default_factory=threading.local)
    _opened: list[tuple[threading.Thread, Store]] = field(default_factory=list)
    _open_lock: threading.Lock = field(default_factory=threading.Lock)
    _write_lock: threading.Lock = field(default_factory=threading.Lock)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _pipeline: Any = None
    _seen_count: int = -1
    _outlets: tuple[int, list[tuple[str, int]]] | None = None

    def __post_init__(self) -> None:
        self.store()  # fail now, with the store's own message, if the URL is unusable
        # one analyzer for every request: the members' spaCy readings are kept between them
        self.analyzer = StoryAnalyzer(self.settings.analyze, embedder=self.embedder)
        self.background = BackgroundAnalysis(self.store, self.analyzer)

    def store(self) -> Store:
        """This thread's connection. The server's thread pool retires idle threads and starts
        new ones, so opening one also closes those of threads that have ended: without that,
        every retired thread's connection (and its SQLite page cache) stayed open for the
        life of the server."""
        st = getattr(self._local, "store", None)
        if st is None:
            st = open_store(self.store_url)
            self._local.store = st
            with self._open_lock:
                ended = [s for t, s in self._opened if not t.is_alive()]
                self._opened = [(t, s) for t, s in self._opened if t.is_alive()]
                self._opened.append((threading.current_thread(), st))
            _close_all(ended)
        return st

    def open_stores(self) -> int:
        """How many connections the server holds (one per live thread that read)."""
        with self._open_lock:
            return len(self._opened)

    def close(self) -> None:
        with self._open_lock:
            stores = [s for _, s in self._opened]
            self._opened.clear()
        _close_all(stores)

    def warm(self) -> None:
        """Load the embedding model and the semantic index before the first search needs them."""
        try:
            st = self.store()
            if st.article_count():
                probe = self.embedder.embed(["warm up"])[0]
                if st.nearest_articles(probe, 1) is None:  # no index of its own: hold a copy
                    self.semantic.refresh(st)
        except Exception:  # noqa: BLE001 - warming is an optimisation; search still works
            log.exception("could not warm the search index")

    # ---- stories ------------------------------------------------------------------------
    def _page(self, *, q: str | None, since: date | None, until: date | None,
              source: str | None, limit: int, cursor: str | None, lang: str | None = None
              ) -> tuple[list[StoryRecord], str | None]:
        start, end = day_bounds(since, until)
        st = self.store()
        after = decode_cursor(cursor) if cursor else None
        recs = st.list_stories(
            q=q.strip() if q and q.strip() else None, since=start, until=end,
            source=source or None, limit=limit + 1, after=after, lang=lang or None,
        )
        more = len(recs) > limit
        recs = recs[:limit]
        return recs, (encode_cursor(st.page_key(recs[-1])) if more and recs else None)

    def stories(self, *, q: str | None, since: date | None, until: date | None,
                source: str | None, limit: int, cursor: str | None, lang: str | None = None
                ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of stories as `storyfold stories --json` prints them, and the next cursor."""
        recs, nxt = self._page(q=q, since=since, until=until, source=source, limit=limit,
                               cursor=cursor, lang=lang)
        st = self.store()
        return [story_json(st, r) for r in recs], nxt

    def cards(self, *, q: str | None, since: date | None, until: date | None,
              source: str | None, limit: int, cursor: str | None
              ) -> tuple[list[tuple[dict[str, Any], dict[str, Any] | None]], str | None]:
        """Like `stories`, each with its comparison when already computed and cached (never
        computed here: a list page must stay cheap) for the front page's drift badge."""
        recs, nxt = self._page(q=q, since=since, until=until, source=source, limit=limit,
                               cursor=cursor)
        st = self.store()
        return [(story_json(st, r), (fresh_analysis(st, r) or {}).get("comparison"))
                for r in recs], nxt

    def story(self, story_id: str) -> dict[str, Any]:
        """What `storyfold story ID --json` prints (comparison and write-up computed on first
        view, then cached in the store)."""
        st = self.store()
        return story_detail(st, st.story(self.current_id(story_id)), analyzer=self.analyzer)

    def current_id(self, story_id: str) -> str:
        """`story_id` if stored; Merged (naming the story it became) if consolidation merged
        it away; NotFound if there is no such story."""
        st = self.store()
        now = st.resolve_story(story_id)
        if now is None:
            raise NotFound(f"no story with id {story_id[:80]!r}; story ids are listed at "
                           "/api/stories")
        if now != story_id:
            raise Merged(story_id, now)
        return story_id

    def outlets(self) -> list[tuple[str, int]]:
        """Outlets for the front page's filter; recounted only when articles were added."""
        st = self.store()
        count = st.article_count()
        with self._cache_lock:
            cached = self._outlets
            if cached is None or cached[0] != count:
                cached = (count, st.outlets())
                self._outlets = cached
        return cached[1]

    # ---- articles -----------------------------------------------------------------------
    def article(self, article_id: str) -> dict[str, Any]:
        st = self.store()
        art = st.articles([article_id]).get(article_id)
        if art is None:
            raise NotFound(f"no article with id {article_id[:80]!r}; article ids are listed "
                           "in each story's `articles` (GET /api/stories/{id})")
        sid = st.story_of([article_id]).get(article_id)
        data = None
        if sid:  # role, derivation and links exactly as the story JSON has them
            members = story_json(st, st.story(sid))["articles"]
            data = next((a for a in members if a["id"] == article_id), None)
        if data is None:
            data = article_json(art, "independent", None, [])
        data.update({
            "story_id": sid, "text": art.text, "author": art.author, "lang": art.lang,
            "captions": list(art.captions),
            "removed": [{"text": r.text, "reason": r.reason} for r in art.removed],
            "extra": json.loads(json.dumps(art.extra, default=str)),
        })
        return data

    def texts(self, ids: list[str]) -> dict[str, str]:
        """Articles' clean texts (the story JSON leaves them out), by id."""
        return {aid: a.text for aid, a in self.store().articles(ids).items()}

    # ---- search -------------------------------------------------------------------------
    def search(self, q: str, limit: int, semantic: bool = True) -> list[dict[str, Any]]:
        st = self.store()
        hits = hybrid_search(st, self.semantic, self.embedder if semantic else None, q, limit,
                             self.settings.search)
        arts = st.articles([h.article_id for h in hits])
        stories = st.story_of([h.article_id for h in hits])
        out = []
        for h in hits:
            a = arts.get(h.article_id)
            if a is None:
                continue
            snippet = h.snippet or [(_lead(a.text), False)]
            out.append({
                "article": {"id": a.id, "title": a.title, "source": a.source, "url": a.url,
                            "published": a.published.isoformat() if a.published else None},
                "story_id": stories.get(a.id), "score": h.score, "text_rank": h.text_rank,
                "semantic_rank": h.semantic_rank, "similarity": h.similarity,
                "snippet": [{"text": t, "match": m} for t, m in snippet],
            })
        return out

    # ---- related stories ----------------------------------------------------------------
    def similar(self, story_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Other stories that share people, places and figures or sit close in embedding
        space: follow-ups and related events, never members of this story.

        Only the stories last seen within `search.similar_days` of this one's span are
        read: related news is near in time, and a year of stories read (and held) for
        every page would cost what the store weighs. An undated story is compared with
        everything, since nothing places it in time."""
        st = self.store()
        self.current_id(story_id)  # NotFound for an unknown id, Merged for a merged one
        mine_state = next(iter(st.story_states(ids=[story_id])), None)
        if mine_state is None or mine_state.size == 0:
            return []
        cfg = self.settings.search
        if mine_state.first_seen is not None and mine_state.last_seen is not None:
            near = timedelta(days=cfg.similar_days)
            try:
                since, until = mine_state.first_seen - near, mine_state.last_seen + near
            except OverflowError:  # a span at the calendar's edge: nothing lies beyond it
                since, until = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
            states = st.story_states(since, until=until)
        else:
            states = st.story_states()
        others = [s for s in states if s.size > 0 and s.id != story_id]
        if not others:
            return []
        weight = cfg.similar_embedding_weight
        mat = _unit_rows([s.centroid for s in others])
        cos = mat @ _unit_rows([mine_state.centroid])[0]
        mine = _top_names(mine_state.names, cfg.similar_names)
        scored = []
        for i, s in enumerate(others):
            theirs = _top_names(s.names, cfg.similar_names)
            shared = mine & theirs
            if not shared and cos[i] < cfg.similar_min / weight:
                continue
            overlap = len(shared) / max(1, min(len(mine), len(theirs)))
            score = weight * float(cos[i]) + (1 - weight) * overlap
            if score >= cfg.similar_min:
                scored.append((score, float(cos[i]), sorted(shared), s))
        scored.sort(key=lambda t: (-t[0], t[3].id))
        out = []
        for score, c, names, s in scored[:limit]:
            rec = st.story(s.id)
            out.append({"id": s.id, "headline": rec.headline,
                        "first_seen": rec.first_seen.isoformat() if rec.first_seen else None,
                        "size": len(rec.members), "score": round(score, 4),
                        "embedding_similarity": round(c, 4), "shared_names": names[:10]})
        return out

    # ---- writes -------------------------------------------------------------------------
    def ingest(self, body: bytes, content_type: str) -> tuple[dict[str, Any], bool]:
        """One article (JSON record, raw HTML or plain text) into the store; returns the story
        it joined and whether it was new."""
        from storyfold.pipeline import Pipeline

        limit = self.settings.serve.max_body_bytes
        if len(body) > limit:
            raise BadRequest(f"article body is {len(body)} bytes; the limit is {limit}",
                             kind="payload-too-large", status=413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest("body is not UTF-8 text; send UTF-8", kind="invalid-body") from exc
        reader = reader_for_media_type(content_type)
        if reader is None or reader.read_one is None:
            ctype = content_type.split(";")[0].strip().lower()
            raise BadRequest(f"unsupported Content-Type {ctype!r}; send application/json "
                             "(an object with `text`, `title`, `source`, `url`, `date`), "
                             "text/html or text/plain", kind="unsupported-media-type",
                             status=415)
        try:
            doc: RawDocument = reader.read_one("api", text)
        except MalformedInput as exc:  # deep nesting and over-long numbers included
            raise BadRequest(f"body is {exc}", kind="invalid-body") from exc
        except IngestError as exc:
            raise BadRequest(f"article not usable: {exc.reason}", kind="unusable-article",
                             status=422) from exc
        with self._write_lock:
            if self._pipeline is None:
                # analysis off the request: `background` does it after the write
                self._pipeline = Pipeline(open_store(self.store_url), self.settings,
                                          embedder=self.embedder, analyze=False)
            pipe = self._pipeline
            try:
                count = pipe.store.article_count()
                if count != self._seen_count:  # someone else (a CLI run) wrote: reload
                    pipe.reload()
                report = pipe.add([doc])
                self._seen_count = pipe.store.article_count()
            except Exception as exc:
                # The store rolled the write back, but the pipeline's in-memory story index
                # may hold what was not stored (a story "with 71 members" holding 69): drop
                # it so that the next write reads the stories from the store again.
                pipe.reload()
                self._seen_count = -1
                log.exception("writing an article failed; the story index will be reloaded")
                raise WriteFailed("the article could not be stored (the server log says why); "
                                  "send it again") from exc
        if not report.inputs:
            reason = report.errors[0].reason if report.errors else "no article text"
            raise BadRequest(f"article not usable: {reason}", kind="unusable-article",
                             status=422)
        self.background.submit(report.touched)
        aid = report.inputs[0][2]
        st = self.store()
        sid = st.story_of([aid]).get(aid)
        if sid is None:
            raise NotFound(f"article {aid} was not stored")
        data = story_json(st, st.story(sid), with_evidence=True)
        return {"article_id": aid, "added": report.added > 0, "story": data}, report.added > 0

    def close_writer(self) -> None:
        self.background.close()
        if self._pipeline is not None:
            self._pipeline.store.close()


def _close_all(stores: list[Store]) -> None:
    for st in stores:
        try:
            st.close()
        except Exception:  # noqa: BLE001 - a connection that will not close: nothing to do
            log.debug("could not close a store connection", exc_info=True)


def _top_names(names: dict[str, float], n: int) -> frozenset[str]:
    return frozenset(k for k, _ in sorted(names.items(), key=lambda kv: -kv[1])[:n])


def _lead(text: str, words: int = 40) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
