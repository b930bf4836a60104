"""A story's write-up: headline, a short summary whose sentences cite their sources, a timeline.

Why extractive: every summary sentence is a sentence some outlet published, so a reader
can check it against the articles it cites, and nothing is invented. The sentences are
chosen across all members (multi-document): each candidate is scored by how central it
is to the story (cosine to the centroid of the members' sentence embeddings, one vote per
article), how widely it is carried (each citing article counts by how closely it words
the sentence, so the wire copy that everyone republished outweighs one outlet's extra
detail) and by how many *independent* sources, and whether it leads its article;
redundancy is removed with maximal marginal relevance (MMR), and the chosen sentences
are put back in the order they were first reported.
The parts, each its own module: `candidates` (sentences fit to stand alone, and their
vectors), `evidence` (does another article state a sentence?), `selection` (citations,
scores, MMR), `headline`, `timeline` (members in order, dated events), `keys` (what a
cached write-up depends on); this one puts them together.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from storyfold.analyze.analysis import AnalysisCache, ArticleAnalysis, analyze_articles
from storyfold.analyze.candidates import (
    SentenceEmbedder,
    Span,
    candidate_spans,
    sentence_vectors,
)
from storyfold.analyze.compare import Comparison
from storyfold.analyze.evidence import Doc, mark_unique_nouns, span_dates
from storyfold.analyze.headline import choose_headline
from storyfold.analyze.selection import (
    Candidate,
    centroid_of,
    citations,
    mmr,
    renderings,
    score,
    summary_length,
)
from storyfold.analyze.support import reporting_lines, support_label
from storyfold.analyze.timeline import (
    Event,
    TimelineEntry,
    dated_events,
    timeline_entries,
    timeline_order,
)
from storyfold.model import Article, Membership
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, AnalyzeSettings

log = logging.getLogger(__name__)


@dataclass
class SummarySentence:
    """One summary sentence, verbatim from `article`, with every article that states it."""

    text: str
    article: str
    citations: list[str]  # article ids, in timeline order
    single_source: bool  # every citing article derives from one original
    sources: int  # independent sources among the citations
    dates: list[dict[str, str]] = field(default_factory=list)  # {"text": "today", "value": ISO}
    support_label: str = ""  # "2 independent reports (5 articles)" (`support`)


@dataclass
class WriteUp:
    headline: str | None
    summary: list[SummarySentence] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict; its keys are the story JSON's `headline`, `summary`, `timeline`, `events`."""
        return asdict(self)


def _prepare(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    vectors: dict[str, np.ndarray] | None, analyses: Sequence[ArticleAnalysis] | None,
    cite_threshold: float | None, cache: AnalysisCache | None, settings: AnalyzeSettings,
    spans: Mapping[str, list[Span]] | None = None,
) -> tuple[list[Doc], list[Candidate]]:
    """The members as the summariser sees them, and their candidates with citations."""
    ordered = timeline_order(articles, members)
    by_member = {m.article_id: m for m in members}
    derived = {m.article_id: m.derived_from for m in members}
    if analyses is None:
        analyses = analyze_articles(ordered, cache, settings)
    by_analysis = {an.article_id: an for an in analyses}
    if spans is None:
        spans = {a.id: candidate_spans(a, settings) for a in ordered}
    if vectors is None:
        vectors = sentence_vectors(ordered, embedder, settings=settings, spans=spans)
    docs: list[Doc] = []
    for i, a in enumerate(ordered):
        root, seen = a.id, {a.id}
        while derived.get(root) and derived[root] not in seen:
            root = derived[root]  # type: ignore[assignment]
            seen.add(root)
        m = by_member.get(a.id)
        mine = spans[a.id]
        vecs = vectors.get(a.id, np.zeros((0, EMBEDDING_DIM), np.float32))
        if len(vecs) != len(mine):  # stale cache: never pair a vector with the wrong sentence
            log.warning("sentence vectors of %s do not match its sentences; ignoring them", a.id)
            mine, vecs = [], np.zeros((0, EMBEDDING_DIM), np.float32)
        role = m.role if m else "independent"
        doc = Doc(a, i, 0 if role == "original" else i + 1, role, root, mine,
                  vecs.astype(np.float32), by_analysis.get(a.id))
        doc.lower = a.text.lower()
        docs.append(doc)
    mark_unique_nouns(docs)
    cands = renderings(docs, settings)
    threshold = settings.cite_similarity if cite_threshold is None else cite_threshold
    citations(cands, docs, threshold, settings)
    return docs, cands


def _sentence(c: Candidate, docs: Sequence[Doc] = (),
              claims: Mapping[str, list[str]] | None = None) -> SummarySentence:
    """A chosen sentence with its citations; with `claims` (claim text → supporting article
    ids, from the comparison), the articles that state it as a claim are cited too, so that
    the summary badge and the claims list follow one rule (`support`)."""
    by_id = {d.article.id: d for d in docs}
    cited_docs = list(c.citations)
    for aid in (claims or {}).get(" ".join(c.span.text.split()), []):
        if aid in by_id and by_id[aid] not in cited_docs:
            cited_docs.append(by_id[aid])
    cited_docs.sort(key=lambda d: d.order)
    cited = [d.article.id for d in cited_docs]
    lines = reporting_lines(cited, {d.article.id: d.root for d in cited_docs})
    return SummarySentence(
        c.span.text, c.doc.article.id, cited, lines == 1, lines,
        [{"text": t, "value": v} for t, v in span_dates(c.doc, c.span)],
        support_label(lines, len(cited)))


def cited_sentences(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    vectors: dict[str, np.ndarray] | None = None,
    analyses: Sequence[ArticleAnalysis] | None = None,
    cite_threshold: float | None = None,
    cache: AnalysisCache | None = None,
    settings: AnalyzeSettings = DEFAULTS.analyze,
) -> list[SummarySentence]:
    """Every candidate sentence of the story with the articles that state it (not only the
    chosen few): what "who else says this?" needs, and what citation quality is measured on."""
    if not articles:
        return []
    _, cands = _prepare(articles, members, embedder, vectors, analyses, cite_threshold, cache,
                        settings)
    return [_sentence(c) for c in cands]


def write_up(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    comparison: Comparison | None = None,
    vectors: dict[str, np.ndarray] | None = None,
    analyses: Sequence[ArticleAnalysis] | None = None,
    cite_threshold: float | None = None,
    cache: AnalysisCache | None = None,
    settings: AnalyzeSettings = DEFAULTS.analyze,
    spans: Mapping[str, list[Span]] | None = None,
) -> WriteUp:
    """Headline, cited summary, timeline and events of one story's members.

    `members` gives roles and `derived_from` (provenance). `vectors` are the candidate
    sentence embeddings (`sentence_vectors`), computed here when not given; `analyses`
    the per-article reading `compare` already did (read again otherwise, through `cache`
    when given). `cite_threshold`: `settings.cite_similarity` unless given (benchmarks sweep it).
    """
    if not articles:
        return WriteUp(None)
    docs, cands = _prepare(articles, members, embedder, vectors, analyses, cite_threshold, cache,
                           settings, spans)
    centroid = centroid_of(docs)
    n_roots = len({d.root for d in docs})
    for c in cands:
        c.score = score(c, centroid, len(docs), n_roots, settings)
    cands.sort(key=lambda c: -c.score)
    pool = [c for c in cands if c.span.quoted <= settings.max_quoted]  # a bare quote needs context
    chosen = mmr(pool, summary_length(n_roots, len(pool), settings.max_summary), settings)
    # in the order first reported: the earliest citing article, and where it says it
    chosen.sort(key=lambda c: (c.citations[0].order, c.where[c.citations[0].order], c.doc.rank))
    headline = choose_headline(docs, cands, centroid, embedder, settings)
    claims = {" ".join(cl.text.split()): cl.support for cl in comparison.claims} \
        if comparison is not None else None
    return WriteUp(headline, [_sentence(c, docs, claims) for c in chosen],
                   timeline_entries(docs, comparison),
                   dated_events(docs, settings.event_similarity))
