"""The comparison and write-up of a story, computed once per membership and cached.

`run` computes them for the stories it changed (`analyse_stories`), and the server in the
background after a write; a story whose cached analysis is stale (a run with
`--no-analyze`, a crash) is analysed when first shown. They are cached in the store under
a key of the story's membership: shown again, a story costs one read; once an article
joins it, only that story is recomputed, reusing its members' cached sentence vectors and,
within one `StoryAnalyzer`, their spaCy readings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from storyfold.analyze.keys import members_key, sentences_key
from storyfold.errors import StoreError
from storyfold.model import Article, StoryRecord
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.store.base import Store

if TYPE_CHECKING:  # the analysis itself is imported when a story must be computed: a story
    # analysed by `run` is only read, and `storyfold story ID` starts without spaCy's readers
    from storyfold.analyze.analysis import AnalysisCache
    from storyfold.analyze.candidates import SentenceEmbedder, Span

log = logging.getLogger(__name__)


class StoryAnalyzer:
    """Analyses stories: owns the settings, the article-reading cache and the embedder.

    One instance serves many threads (the web server's): the cache has its own lock, and
    the cache and the embedder are each created once, on first use, under the analyzer's.
    """

    def __init__(self, settings: AnalyzeSettings = DEFAULTS.analyze,
                 embedder: SentenceEmbedder | None = None,
                 cache: AnalysisCache | None = None) -> None:
        self.settings = settings
        self._cache = cache
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def cache(self) -> AnalysisCache:
        """The members' readings, made on first use (a story `run` analysed is only read)."""
        with self._lock:
            if self._cache is None:
                from storyfold.analyze.analysis import AnalysisCache

                self._cache = AnalysisCache(self.settings.cache_size)
            return self._cache

    @property
    def embedder(self) -> SentenceEmbedder:
        """The sentence encoder, loaded on first use (it takes seconds)."""
        with self._lock:
            if self._embedder is None:
                from storyfold.fingerprint import Embedder

                self._embedder = Embedder()
            return self._embedder

    def analyse(self, store: Store, rec: StoryRecord,
                arts: dict[str, Article] | None = None) -> dict[str, Any]:
        """`{"comparison": ..., "writeup": ...}` of one story: cached, or computed and cached.

        Caching is best effort: a store that cannot be written (read-only file) still shows
        the story, computed afresh each time. `arts`: the members' articles, if already read.
        """
        cached = fresh_analysis(store, rec)
        if cached is not None:
            return cached
        from storyfold.analyze.candidates import candidate_spans, sentence_vectors
        from storyfold.analyze.compare import compare_story
        from storyfold.analyze.summary import write_up
        from storyfold.analyze.timeline import timeline_order

        ids = [m.article_id for m in rec.members]
        if arts is None:
            arts = store.articles(ids)
        # the original first among same-day members: it is the reference quotes are compared to
        ordered = timeline_order([arts[i] for i in ids if i in arts], rec.members)
        derived = {m.article_id: m.derived_from for m in rec.members}
        comparison = compare_story(ordered, derived, self.cache, self.settings)
        embedder = self.embedder
        spans = {a.id: candidate_spans(a, self.settings) for a in ordered}  # read once, for all
        known, keys = self._known_vectors(store, ordered, spans)
        vectors = sentence_vectors(ordered, embedder, known, self.settings, spans)
        wu = write_up(ordered, rec.members, embedder, comparison, vectors, cache=self.cache,
                      settings=self.settings, spans=spans)
        data = {"comparison": comparison.to_json(), "writeup": wu.to_json()}
        # One rule names a story (provenance's: the original's title), chosen when its
        # members change and kept: a headline that moved the first time a story was opened
        # (to a copy's or a rewrite's title) told readers the story had changed when it had
        # not. The write-up's own pick stands in only for a story provenance left unnamed.
        if rec.headline:
            data["writeup"]["headline"] = rec.headline
        new_vectors = {aid: (key, vectors[aid]) for aid, key in keys.items()}
        try:
            store.save_writeup(rec.id, members_key(rec.members), data, new_vectors,
                               headline=None if rec.headline else wu.headline)
        except StoreError as exc:
            log.warning("%s", exc)
        return data

    def _known_vectors(self, store: Store, articles: list[Article],
                       spans: dict[str, list[Span]]) -> tuple[dict, dict[str, str]]:
        """Sentence vectors already computed for these articles, and the ones still to compute.

        Returns `known` (article id → (sentences, vectors)) for `sentence_vectors`, from the
        write-up cache when its sentences key still matches, else from the lead-sentence
        vectors `run` keeps for rewrite detection; and the sentences key of every article
        whose summary vectors must be (re)computed and cached.
        """
        from storyfold.fingerprint import lead_sentences

        ids = [a.id for a in articles]
        cached = store.summary_vectors(ids)
        known: dict[str, tuple[list[str], Any]] = {}
        todo: dict[str, str] = {}
        for a in articles:
            texts = [sp.text for sp in spans[a.id]]
            key = sentences_key(texts, self.settings.sentence_tokens)
            hit = cached.get(a.id)
            if hit is not None and hit[0] == key and len(hit[1]) == len(texts):
                known[a.id] = (texts, hit[1])
            else:
                todo[a.id] = key
        by_id = {a.id: a for a in articles}
        leads = store.sentence_vectors(list(todo)) if todo else {}
        for aid, vecs in leads.items():
            known[aid] = (lead_sentences(by_id[aid].text), vecs)
        return known, todo


def fresh_analysis(store: Store, rec: StoryRecord) -> dict[str, Any] | None:
    """The cached comparison and write-up of a story, if its membership has not changed."""
    cached = store.writeup(rec.id)
    if cached is None or cached[0] != members_key(rec.members):
        return None
    return cached[1]


def story_analysis(store: Store, rec: StoryRecord, embedder: Any = None,
                   arts: dict[str, Article] | None = None,
                   analyzer: StoryAnalyzer | None = None) -> dict[str, Any]:
    """`StoryAnalyzer.analyse` for callers that hold no analyzer (the CLI, one story).

    A long-lived caller (the web service) passes its own `analyzer`, so that the members'
    spaCy readings are kept between requests; without one, a fresh analyzer (and cache)
    serves this call only. `embedder` is used when the analyzer has none.
    """
    if analyzer is None:
        cached = fresh_analysis(store, rec)  # analysed by `run`: one read, nothing imported
        if cached is not None:
            return cached
        analyzer = StoryAnalyzer(embedder=embedder)  # cheap: loads no model yet
    return analyzer.analyse(store, rec, arts)


def analyse_stories(store: Store, analyzer: StoryAnalyzer, story_ids: Iterable[str]) -> int:
    """Analyse and cache the given stories (those a pass of `run` changed); returns how many
    were computed. A story that fails is left to be analysed when first shown: one bad story
    must not stop a run, whose articles and stories are already stored."""
    done = 0
    for sid in sorted(story_ids):
        try:
            rec = store.story(sid)
            if fresh_analysis(store, rec) is None:
                analyzer.analyse(store, rec)
                done += 1
        except Exception as exc:  # noqa: BLE001 - reported, and the story is read later
            log.warning("story %s: analysis left for when it is first shown (%s)", sid, exc)
    return done
