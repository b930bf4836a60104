"""The stages of a run, in the order they run: clean → fingerprint → place → consolidate →
provenance → analyze. Each stage writes its results to the store.

Documents arrive from `ingest`; each is cleaned into an article, and articles are taken in
chunks: fingerprinted once (hash, MinHash, embedding, terms, names), then placed one at a
time into the active stories held in memory. After the last chunk, the stories the batch
touched are consolidated (split what holds two events, merge fragments of one), and only
then is the provenance of those stories — roles, links, headline — recomputed, and their
analysis (comparison and write-up, `analyze.service`) computed and cached, so that reading
a story after a run costs one read. These passes run every `place.finish_every` articles
and at the end, so a long run spreads them over its length.

Batch and incremental are the same path, and articles already stored are skipped, so
re-running is idempotent.

Crash safety: placement commits chunk by chunk and marks the stories it grew as pending in
the same transaction; a story leaves the pending set only when its provenance is saved. A
run consolidates and gives provenance to the pending stories as well as its own, so a run
killed at any point is finished by the next one (or by `storyfold repair`), with the
stories a clean run would have made. A run holds the store's writer lease throughout, so
two runs on one store take turns instead of placing the same article twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from storyfold.active_window import ActiveWindow, load_active
from storyfold.analyze.service import StoryAnalyzer, analyse_stories
from storyfold.consolidate import consolidate
from storyfold.errors import IngestError
from storyfold.fingerprint import (
    Embedder,
    MultilingualEncoder,
    fingerprint_batch,
    reuse_vectors,
    signatures,
)
from storyfold.fingerprint.embed import available_cores, encoder_threads
from storyfold.fingerprint.reuse import copies
from storyfold.model import Article, Fingerprint, RawDocument, StoryState
from storyfold.native_memory import give_back, settle
from storyfold.place import StoryIndex, place_batch
from storyfold.place_languages import link_stories
from storyfold.prepare import Prepared, prepare
from storyfold.provenance.stage import reanalyze
from storyfold.settings import DEFAULTS, RESULT_SECTIONS, Settings, digest, to_dict
from storyfold.store.base import Store

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What one run did, for the CLI to print and tests to check."""

    added: int = 0
    already_stored: int = 0
    errors: list[IngestError] = field(default_factory=list)
    new_stories: int = 0
    touched: set[str] = field(default_factory=set)
    assignments: dict[str, str] = field(default_factory=dict)  # article id → story id
    seen_ids: list[str] = field(default_factory=list)  # every input article, new or stored
    inputs: list[tuple[str, str | None, str]] = field(default_factory=list)  # path, record, id
    warnings: list[str] = field(default_factory=list)  # for the user, one line each
    resumed: set[str] = field(default_factory=set)  # stories an earlier run left pending


class Inline(ThreadPoolExecutor):
    """An executor that runs each task at once, in the caller's thread (no spare core)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN202, ANN003, ANN002
        done: Future = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, as a pool would
            done.set_exception(exc)
        return done


@dataclass
class _Queued:
    """A chunk's new articles and their fingerprints, being computed ahead of placement."""

    articles: list[Article]
    fingerprints: Future[list[Fingerprint]] | None


class Pipeline:
    """One store, one settings object, one embedder: what a run needs, held across batches
    (the active stories stay in memory between calls to `add`)."""

    def __init__(
        self, store: Store, settings: Settings = DEFAULTS, embedder: Embedder | None = None,
        on_error: Callable[[IngestError], None] | None = None,
        on_progress: Callable[[int], None] | None = None, provenance: bool = True,
        on_wait: Callable[[], None] | None = None, analyze: bool = True,
        analyzer: StoryAnalyzer | None = None,
    ) -> None:
        fs = settings.fingerprint
        # a pipeline runs long (a run, `watch`, the server's writes): its native memory must
        # follow its work, not the number of batches it has seen (native_memory.py)
        settle(settings.memory)
        self.store = store
        self.settings = settings
        # "auto" leaves the choice to the effective settings at model load, so that
        # $STORYFOLD_EMBED_PRECISION still counts for a pipeline built on the defaults
        self.embedder = embedder or Embedder(fs.embed_max_tokens, fs.embed_batch,
                                             None if fs.precision == "auto" else fs.precision,
                                             fs.threads or None)
        self.multilingual = (MultilingualEncoder(lead_chars=settings.languages.lead_chars)
                             if settings.languages.multilingual else None)
        self.on_error = on_error
        self.on_progress = on_progress
        self.provenance = provenance  # False: stories only (evaluation of clustering)
        # True: each pass also computes the comparison and write-up of the stories it changed,
        # so the first read of a story after `run` is a cache hit (`run --no-analyze`: not)
        self.analyze = analyze and provenance
        self._analyzer = analyzer
        self.on_wait = on_wait  # called when another run holds the store's writer lease
        self._index: StoryIndex | None = None
        self._window: ActiveWindow | None = None
        self._settings_recorded = False
        self._unfinished: set[str] = set()  # placed into since the last consolidation pass
        self._since_finish = 0  # articles placed since then
        self._mixed = False  # the store holds articles in two languages (`_languages_meet`)
        self.reused = 0  # articles that took a copy source's vector instead of being encoded
        # the stories a cross-language link is looked for among (default: this placer's
        # index); a language shard's placer holds only its own, so `scale.shards` gives all
        self.link_pool: Callable[[], Iterable[StoryState]] | None = None

    def index(self) -> StoryIndex:
        """The active stories (`active_window`): those an arriving article can join."""
        if self._index is None:
            self._index, self._window = load_active(self.store, self.settings.place)
        return self._index

    def window(self) -> ActiveWindow:
        self.index()
        assert self._window is not None
        return self._window

    def reload(self) -> None:
        """Read the active stories from the store again on the next batch: another process
        (a CLI run beside a server) may have written since they were loaded."""
        self._index = None
        self._window = None

    def add(self, docs: Iterable[RawDocument | IngestError]) -> RunReport:
        """Add documents (errors in the stream are reported and skipped), and finish what an
        interrupted run left pending."""
        return self.add_prepared(prepare(docs, self.settings))

    def add_prepared(self, items: Iterable[Prepared]) -> RunReport:
        """Add documents whose per-article work (`prepare`) is done, in the order given:
        cleaned here by `add`, or cleaned and fingerprinted on workers (`scale`). Only
        placement and what follows it happen here, the same way for both."""
        report = RunReport()
        with self._writer_lease():
            self._add(items, report)
        return report

    def repair(self) -> RunReport:
        """Finish the work interrupted runs left pending (`storyfold repair`), adding nothing."""
        report = RunReport()
        with self._writer_lease():
            report.resumed = self.store.pending()
            self._unfinished = set(report.resumed)
            self._finish(report)
        return report

    @contextmanager
    def _writer_lease(self) -> Iterator[None]:
        """The store's writer lease for one run; a run that had to wait for another reads
        the stories again, since that one changed them."""
        waited = False

        def wait() -> None:
            nonlocal waited
            waited = True
            log.info("another run holds the store; waiting")
            if self.on_wait:
                self.on_wait()

        with self.store.writer_lock(on_wait=wait):
            if waited:
                self.reload()
            yield

    def _add(self, items: Iterable[Prepared], report: RunReport) -> None:
        self._begin(report)
        # With a core the encoder does not use (`fingerprint.threads` below the cores), one
        # chunk is encoded ahead while the one before it is placed: the encoder releases the
        # GIL, so its work overlaps placement's. Without one they would fight for the cores
        # (torch's threads spin while they wait), which measured slower than taking turns.
        spare = available_cores() > encoder_threads(self.settings.fingerprint.threads)
        with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyfold-encode")
              if spare else Inline()) as ahead:
            feed = Feed(self, report, ahead)
            for item in items:
                feed.push(item)
            feed.end()
        self._finish(report)

    def _begin(self, report: RunReport) -> None:
        """Start a run: record the settings, and take up what an interrupted run left
        pending (added to `report.resumed`, which several placers may share)."""
        self._record_settings(report)
        resumed = self.store.pending()  # what an interrupted run left undone
        report.resumed |= resumed
        self._unfinished = set(resumed)
        self._since_finish = 0

    def _finish(self, report: RunReport) -> None:
        """Consolidate and give provenance to the stories placed into since the last pass
        (and, on the first, those an interrupted run left pending).

        A pass runs every `place.finish_every` articles and once at the end, so a long run
        spreads this work over its length instead of piling it at the end; a story that
        keeps growing is consolidated and given provenance once per pass it grew in.
        A crashed run's pending stories are the first pass's work of the next run, so a
        crashed run plus its re-run ends where one clean run would.
        """
        work, self._unfinished, self._since_finish = self._unfinished, set(), 0
        if not work:
            return  # nothing to do: don't load the story index for it
        if report.resumed & work:
            log.info("finishing %d story(ies) an interrupted run left pending",
                     len(report.resumed & work))
        self.window().hold_for_consolidation(work)
        changes = consolidate(self.store, self.index(), work,
                              self.settings.consolidate, self.settings.place)
        report.touched -= changes.merged_away
        report.touched |= changes.touched
        report.new_stories += changes.created
        report.assignments.update(changes.assignments)
        if self.provenance:
            reanalyze(self.store, self.embedder, changes.touched, self.settings.provenance,
                      self.settings.fingerprint)
            if self.multilingual is not None and self._languages_meet():
                with self.store.transaction():  # stories in other languages about one event
                    link_stories(self.store, changes.touched,
                                 self.link_pool() if self.link_pool else self.index(),
                                 self.settings.languages, self.multilingual)
        if self.analyze:
            analyse_stories(self.store, self.analyzer(), changes.touched)
        self.window().shed()
        give_back()  # a pass frees much (alignments, readings): hand it back (native_memory.py)

    def _languages_meet(self) -> bool:
        """Whether the store holds articles in two languages, so stories could be linked
        across them: until it does, the link pass (and the multilingual encoding of English
        articles it asks for) is skipped, and an English-only store never pays for it. Once
        true it stays true (articles are never deleted)."""
        if not self._mixed:
            self._mixed = len(self.store.article_languages(2)) >= 2
        return self._mixed

    def analyzer(self) -> StoryAnalyzer:
        """The analyzer of this pipeline's stories (its spaCy readings kept between passes)."""
        if self._analyzer is None:
            self._analyzer = StoryAnalyzer(self.settings.analyze, embedder=self.embedder)
        return self._analyzer

    # ---- the stages of one chunk ------------------------------------------------------------
    def _queue(self, ahead: ThreadPoolExecutor, items: list[Prepared], report: RunReport,
               before: _Queued | None) -> _Queued:
        """Start fingerprinting a chunk's new articles, then place the chunk queued before.
        Articles fingerprinted already (on a worker) take only the store's copy vectors."""
        known = self.store.known_ids(p.article.id for p in items if p.article is not None)
        report.seen_ids.extend(p.article.id for p in items if p.article is not None)
        new = [p for p in items if p.article is not None and p.article.id not in known]
        fresh = [p.article for p in new if p.article is not None]
        report.already_stored += len(items) - len(fresh)
        self._progress(len(items) - len(fresh))
        future: Future[list[Fingerprint]] | None = None
        if fresh:
            done = [p.fingerprint for p in new if p.fingerprint is not None]
            signed = ([(fp.content_hash, fp.minhash) for fp in done] if len(done) == len(fresh)
                      else signatures(fresh, self.settings.fingerprint))
            # exact copies take their source's vector: only the rest is encoded
            reuse = copies(self.store, fresh, signed)
            self.reused += len(reuse)
            if len(done) == len(fresh):
                future = Future()
                future.set_result(reuse_vectors(fresh, done, reuse.known, reuse.same_as))
            else:
                future = ahead.submit(fingerprint_batch, fresh, self.embedder,
                                      self.settings.fingerprint, signed, reuse.known,
                                      reuse.same_as, self.multilingual)
        queued = _Queued(fresh, future)
        if before is not None:
            self._place(before, report)
        return queued

    def _place(self, queued: _Queued, report: RunReport) -> None:
        """Place a fingerprinted chunk; every `place.finish_every` articles, finish them."""
        if queued.fingerprints is None:
            return
        fresh, fps = queued.articles, queued.fingerprints.result()
        placements = place_batch(
            self.store, self.index(), fresh, fps, self.settings.provenance.near_jaccard,
            self.settings.fingerprint.lsh_bands, on_placed=lambda: self._progress(1),
            window=self.window())
        for p in placements:
            report.new_stories += p.new_story
            report.touched.add(p.story_id)
            self._unfinished.add(p.story_id)
            report.assignments[p.article_id] = p.story_id
            report.added += 1
        self._since_finish += len(placements)
        if self._since_finish >= self.settings.place.finish_every:
            self._finish(report)
        else:
            self.window().shed()

    def _record_settings(self, report: RunReport) -> None:
        """Keep the digest of the settings that shape stored results with the store, and say so
        when this run's differ from the ones it was built with: stories placed under other
        thresholds stay as they were, so the store then mixes two behaviours."""
        if self._settings_recorded:
            return
        mine = digest(self.settings)
        before = self.store.settings_digest()
        if before is not None and before != mine:
            msg = (f"this store was built with other settings (digest {before[:12]}, now "
                   f"{mine[:12]}); stories already stored keep the old ones "
                   "(`storyfold settings` shows the effective settings)")
            report.warnings.append(msg)
            log.info("%s", msg)  # the caller shows report.warnings
        self.store.record_settings(mine, to_dict(self.settings, RESULT_SECTIONS))
        self._settings_recorded = True

    # ---- reporting ----------------------------------------------------------------------------
    def _error(self, report: RunReport, err: IngestError) -> None:
        report.errors.append(err)
        if self.on_error:  # the caller shows it: logging it too would print every skip twice
            log.debug("%s", err)
            self.on_error(err)
        else:
            log.warning("%s", err)
        self._progress(1)

    def _progress(self, n: int) -> None:
        if self.on_progress:
            self.on_progress(n)


class Feed:
    """A run's intake: prepared items pushed one at a time in arrival order, gathered into
    chunks, fingerprinted (or given the store's copy vectors) and placed. `Pipeline.add`
    pushes its whole stream; a sharded run (`scale.shards`) pushes each item to its own
    language shard's placer."""

    def __init__(self, pipe: Pipeline, report: RunReport, ahead: ThreadPoolExecutor) -> None:
        self.pipe = pipe
        self.report = report
        self.ahead = ahead
        self.pending: list[Prepared] = []
        self.seen: set[str] = set()
        self.queued: _Queued | None = None

    def push(self, item: Prepared) -> None:
        pipe, report = self.pipe, self.report
        if item.error is not None or item.article is None:
            pipe._error(report, item.error or IngestError(item.path, "no article"))
            return
        if item.warning:
            report.warnings.append(item.warning)
        article = item.article
        report.inputs.append((item.path, item.record, article.id))
        if article.id in self.seen:
            report.already_stored += 1
            report.seen_ids.append(article.id)
            pipe._progress(1)
            return
        self.seen.add(article.id)
        self.pending.append(item)
        if len(self.pending) >= pipe.settings.place.chunk:
            self.queued = pipe._queue(self.ahead, self.pending, report, self.queued)
            self.pending = []

    def end(self) -> None:
        """Place what is still gathered (the caller then finishes the run)."""
        if self.pending:
            self.queued = self.pipe._queue(self.ahead, self.pending, self.report, self.queued)
            self.pending = []
        if self.queued is not None:
            self.pipe._place(self.queued, self.report)
            self.queued = None
