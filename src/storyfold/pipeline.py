"""Wiring for one machine: ingest → clean → fingerprint → link → cluster → analyze → store.

Batch and incremental are the same path: new articles are fingerprinted once, placed
into the active stories held in memory, and only the stories they touched are
re-analysed. Articles already stored are skipped, so re-running is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from storyfold.clean import clean
from storyfold.consolidate import MAX_MEMBERS, split_groups
from storyfold.errors import IngestError
from storyfold.fingerprint import (
    Embedder,
    fingerprint_batch,
    jaccard,
    lead_sentences,
    lsh_keys,
)
from storyfold.model import Article, Fingerprint, RawDocument
from storyfold.place import (
    DEFAULT_PARAMS,
    ClusterParams,
    StoryIndex,
    combined,
    mean_fingerprint,
    span_gap,
    state_of,
    time_gap,
)
from storyfold.provenance.links import DEFAULT_THRESHOLDS, LinkThresholds, needs_alignment
from storyfold.provenance.roles import MAX_PAIRWISE, provenance
from storyfold.store.base import Store

log = logging.getLogger(__name__)

CHUNK = 256  # articles per transaction and per embedding call (longer runs sort by length better)
MIN_WORDS = 5


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


@dataclass
class Pipeline:
    store: Store
    params: ClusterParams = DEFAULT_PARAMS
    thresholds: LinkThresholds = DEFAULT_THRESHOLDS
    embedder: Embedder = field(default_factory=Embedder)
    on_error: Callable[[IngestError], None] | None = None
    on_progress: Callable[[int], None] | None = None
    analyze: bool = True
    _index: StoryIndex | None = None

    def index(self) -> StoryIndex:
        if self._index is None:
            self._index = StoryIndex(
                self.store.story_states(), self.store.document_frequencies(),
                self.store.article_count(), self.params,
            )
        return self._index

    def reload(self) -> None:
        """Read the active stories from the store again on the next batch: another process
        (a CLI run beside a server) may have written since they were loaded."""
        self._index = None

    # ---- entry points ---------------------------------------------------------------------
    def add(self, docs: Iterable[RawDocument | IngestError]) -> RunReport:
        """Add documents (errors in the stream are reported and skipped)."""
        report = RunReport()
        pending: list[Article] = []
        seen: set[str] = set()
        for item in docs:
            if isinstance(item, IngestError):
                self._error(report, item)
                continue
            try:
                article = clean(item)
            except Exception as exc:  # a hostile document must not end the batch
                where = item.path + (f":{item.record}" if item.record else "")
                self._error(report, IngestError(where, f"could not clean ({exc})"))
                continue
            if len(f"{article.title or ''} {article.text}".split()) < MIN_WORDS:
                where = item.path + (f":{item.record}" if item.record else "")
                self._error(report, IngestError(where, "no article text after cleaning"))
                continue
            report.inputs.append((item.path, item.record, article.id))
            if article.id in seen:
                report.already_stored += 1
                report.seen_ids.append(article.id)
                self._progress(1)
                continue
            seen.add(article.id)
            pending.append(article)
            if len(pending) >= CHUNK:
                self._process(pending, report)
                pending = []
        if pending:
            self._process(pending, report)
        self.consolidate(report)
        if self.analyze:
            self.reanalyze(report.touched)
        return report

    def consolidate(self, report: RunReport) -> None:
        """The second pass over the stories this batch touched: split, then merge."""
        self._split(report)
        self._merge(report)

    def _merge(self, report: RunReport) -> None:
        """Fold a story into a closer one when, seen whole, they are one event.

        Online assignment sees one article against each story; two fragments of one
        story that started apart never meet that way. A story's average (centroid, mean
        term and name weights) is scored against the other stories like an article would
        be, with a higher bar, and the merge is kept only if the split test would not
        take the union straight apart again.
        """
        index = self.index()
        p = self.params
        sizes = {sid: index.states[index.pos[sid]].size for sid in report.touched
                 if index.has(sid)}
        for sid in sorted(sizes, key=lambda s: (sizes[s], s)):
            if not index.has(sid):
                continue
            state = index.states[index.pos[sid]]
            target = next(
                (index.states[i] for i, score in index.score_all(mean_fingerprint(state), None)
                 if index.states[i].id != sid and score >= p.merge_threshold
                 and span_gap(state, index.states[i]) <= p.max_gap_days), None)
            if target is None:
                continue
            moved = self.store.story_member_ids(sid)
            ids = self.store.story_member_ids(target.id) + moved
            if len(ids) > MAX_MEMBERS:
                continue
            fps = self.store.fingerprints(ids)
            if len(split_groups([fps[i] for i in ids], index.idf, p)) > 1:
                continue
            merged = combined(target.id, target, state)
            with self.store.transaction():
                self.store.move_members(moved, target.id)
                self.store.save_story_state(merged)
                self.store.delete_story(sid)
            index.put(merged)
            index.drop(sid)
            report.touched.discard(sid)
            report.touched.add(target.id)
            for m in moved:
                report.assignments[m] = target.id
            log.info("merged story %s into %s", sid, target.id)

    def _split(self, report: RunReport) -> None:
        """Split the stories this batch grew that turn out to hold more than one event."""
        index = self.index()
        for sid in sorted(report.touched):
            ids = self.store.story_member_ids(sid)
            if not self.params.split_min_size <= len(ids) <= MAX_MEMBERS:
                continue
            fps = self.store.fingerprints(ids)
            groups = split_groups([fps[i] for i in ids], index.idf, self.params)
            if len(groups) == 1:
                continue
            arts = self.store.articles(ids)
            # The group holding the article that started the story keeps its id (else the
            # group of the earliest arrival does); the others become new stories.
            keeper = next((k for k, g in enumerate(groups) if sid[1:] in {ids[i] for i in g}), 0)
            with self.store.transaction():
                for k, group in enumerate(groups):
                    members = [ids[i] for i in group]
                    gid = sid
                    if k != keeper:
                        gid = "s" + members[0]
                        while index.has(gid):
                            gid += "x"
                    state = state_of(gid, [fps[m] for m in members],
                                     [arts[m].published for m in members])
                    index.put(state)
                    self.store.save_story_state(state)
                    self.store.move_members(members, gid)
                    if gid != sid:
                        report.new_stories += 1
                    report.touched.add(gid)
                    for m in members:
                        report.assignments[m] = gid
            log.info("split story %s into %d", sid, len(groups))

    def reanalyze(self, story_ids: Iterable[str]) -> None:
        """Recompute roles and links of the given stories only."""
        for sid in sorted(story_ids):
            ids = self.store.story_member_ids(sid)
            arts = self.store.articles(ids)
            fps = self.store.fingerprints(ids)
            need = {x for i, x in enumerate(ids) for y in ids[i + 1 :]
                    if needs_alignment(fps[x], fps[y], self.thresholds) for x in (x, y)} \
                if len(ids) <= MAX_PAIRWISE else set(ids)
            sentences = self._sentence_vectors(arts, sorted(need)) if need else {}
            members, links, headline = provenance(
                [arts[i] for i in ids], fps, sentences, self.thresholds
            )
            with self.store.transaction():
                self.store.save_provenance(sid, headline, members, links)

    def _sentence_vectors(self, arts: dict[str, Article], ids: list[str]) -> dict:
        """Lead-sentence embeddings, computed once per article and kept in the store."""
        have = self.store.sentence_vectors(ids)
        missing = [i for i in ids if i not in have]
        if missing:
            leads = [lead_sentences(arts[aid].text) for aid in missing]
            flat = self.embedder.embed(
                [s for lead in leads for s in lead], max_tokens=64
            ).astype(np.float16)
            with self.store.transaction():
                start = 0
                for aid, lead in zip(missing, leads, strict=True):
                    have[aid] = flat[start : start + len(lead)]
                    start += len(lead)
                    self.store.save_sentence_vectors(aid, have[aid])
        return have

    # ---- internals ------------------------------------------------------------------------------
    def _error(self, report: RunReport, err: IngestError) -> None:
        report.errors.append(err)
        log.warning("%s", err)
        if self.on_error:
            self.on_error(err)
        self._progress(1)

    def _progress(self, n: int) -> None:
        if self.on_progress:
            self.on_progress(n)

    def _process(self, articles: list[Article], report: RunReport) -> None:
        known = self.store.known_ids(a.id for a in articles)
        report.seen_ids.extend(a.id for a in articles)
        fresh = [a for a in articles if a.id not in known]
        report.already_stored += len(articles) - len(fresh)
        self._progress(len(articles) - len(fresh))
        if not fresh:
            return
        fps = fingerprint_batch(fresh, self.embedder)
        index = self.index()
        df_delta: dict[str, int] = {}
        placed: dict[str, tuple[str, float]] = {}  # this chunk's, written at its end
        with self.store.transaction():
            for article, fp in zip(fresh, fps, strict=True):
                index.observe_terms(fp.terms)
                for t in fp.terms:
                    df_delta[t] = df_delta.get(t, 0) + 1
                keys = lsh_keys(fp.minhash)
                story_id, score = self._place(article, fp, keys, index, placed)
                if story_id is None:
                    story_id = "s" + article.id
                    index.start(story_id, fp, article.published)
                    report.new_stories += 1
                    score = 1.0
                else:
                    index.join(story_id, fp, article.published)
                self.store.add_article(article, fp, keys)
                placed[article.id] = (story_id, round(float(score), 4))
                report.touched.add(story_id)
                report.assignments[article.id] = story_id
                report.added += 1
                self._progress(1)
            # A story's state is written once per chunk, not once per article that joins it:
            # the same transaction, so a crash still loses the whole chunk or nothing.
            for sid in sorted({sid for sid, _ in placed.values()}):
                self.store.save_story_state(index.states[index.pos[sid]])
            for aid, (sid, score) in placed.items():
                self.store.set_membership(aid, sid, score)
            self.store.add_document_frequencies(df_delta)

    def _place(
        self, article: Article, fp: Fingerprint, keys: list[tuple[int, int]], index: StoryIndex,
        placed: dict[str, tuple[str, float]],
    ) -> tuple[str | None, float]:
        """Copies join their original's story; everything else is scored against stories."""
        copies = self.store.by_content_hash(fp.content_hash)
        near: list[tuple[float, str]] = []
        if not copies:
            cand = self.store.lsh_candidates(keys)
            if cand:
                for aid, other in self.store.fingerprints(cand).items():
                    j = jaccard(fp.minhash, other.minhash)
                    if j >= self.thresholds.near_jaccard:
                        near.append((j, aid))
        linked = [(1.0, a) for a in copies] + sorted(near, reverse=True)
        if linked:
            stories = self.store.story_of(a for _, a in linked if a not in placed)
            stories.update((a, placed[a][0]) for _, a in linked if a in placed)
            for score, aid in linked:
                sid = stories.get(aid)
                if sid and index.has(sid) and self._in_time(article.published, index, sid):
                    return sid, score
        return index.best(fp, article.published)

    def _in_time(self, published: datetime | None, index: StoryIndex, sid: str) -> bool:
        state = index.states[index.pos[sid]]
        return time_gap(published, state, self.params.grace_days) <= self.params.max_gap_days
