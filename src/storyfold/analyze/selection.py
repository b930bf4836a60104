"""Choosing the summary sentences: citations, renderings, scores, redundancy.

Each candidate is scored by how central it is to the story (cosine to the centroid of
the members' sentence embeddings, one vote per article), how widely it is carried (each
citing article counts by how closely it words the sentence, so the wire copy that
everyone republished outweighs one outlet's extra detail) and by how many *independent*
sources, and whether it leads its article; redundancy is removed with maximal marginal
relevance (MMR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from storyfold.analyze.candidates import Span, norm
from storyfold.analyze.evidence import Doc, states
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, AnalyzeSettings

# Openers that lean on the sentence before: out of context they dangle.
_DANGLING = re.compile(
    r"^(?:they|them|their|it|its|he|she|his|her|this|these|those|that|such|there|also|"
    r"however|but|and|or|so|yet|still|meanwhile|additionally|furthermore|moreover|"
    r"simultaneously|similarly|instead|otherwise|likewise|besides|then|thus|hence|"
    r"in addition|in response|as a result|at the same time)\b", re.I)


@dataclass
class Candidate:
    doc: Doc
    pos: int
    span: Span
    vec: np.ndarray
    citations: list[Doc] = field(default_factory=list)
    where: dict[int, int] = field(default_factory=dict)  # citing doc order → its sentence
    strength: float = 1.0  # its own article, plus each citing one by how closely it words it
    score: float = 0.0


def citations(cands: list[Candidate], docs: list[Doc], threshold: float,
              settings: AnalyzeSettings) -> None:
    """Fill each candidate's citing articles (itself included), in timeline order."""
    for c in cands:
        cited = [c.doc]
        c.where = {c.doc.order: c.pos}
        for d in docs:
            if d is c.doc or not len(d.vecs):
                continue
            sims = d.vecs @ c.vec
            j = int(np.argmax(sims))
            if float(sims[j]) >= threshold and states(
                    c.doc, c.span, d, j, settings.number_tolerance):
                cited.append(d)
                c.where[d.order] = j
                c.strength += float(sims[j]) ** settings.support_power
        c.citations = sorted(cited, key=lambda d: d.order)


def renderings(docs: list[Doc], settings: AnalyzeSettings) -> list[Candidate]:
    """Candidates with copies folded: of one sentence's renderings only the preferred stays.

    A copy's sentence is its source's, and a light edit ("early on Tuesday" → "early
    Tuesday") is the same sentence: the original's words are kept (then the earliest).
    """
    cands = [Candidate(d, p, sp, d.vecs[p]) for d in sorted(docs, key=lambda d: d.rank)
             for p, sp in enumerate(d.spans)]
    kept: list[Candidate] = []
    seen: set[str] = set()
    for c in cands:
        key = norm(c.span.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(c)
    if len(kept) < 2:
        return kept
    mat = np.stack([c.vec for c in kept])
    sims = mat @ mat.T
    keep = np.ones(len(kept), dtype=bool)
    for i in range(1, len(kept)):
        earlier = np.nonzero(keep[:i] & (sims[i, :i] >= settings.same_rendering))[0]
        if any(kept[j].doc is not kept[i].doc for j in earlier):
            keep[i] = False
    return [c for c, k in zip(kept, keep, strict=True) if k]


def centroid_of(docs: list[Doc]) -> np.ndarray:
    """One vote per article: the mean of the members' mean sentence vectors."""
    means = [d.vecs.mean(axis=0) for d in docs if len(d.vecs)]
    if not means:
        return np.zeros(EMBEDDING_DIM, dtype=np.float32)
    c = np.mean(means, axis=0)
    return c / (np.linalg.norm(c) or 1.0)


def score(c: Candidate, centroid: np.ndarray, n_docs: int, n_roots: int,
          s: AnalyzeSettings) -> float:
    """Centrality plus the weighted evidence (`AnalyzeSettings.w_*`)."""
    support = c.strength / n_docs
    sources = len({d.root for d in c.citations}) / n_roots
    lead = 1.0 / (1 + c.pos)
    dangling = 1.0 if _DANGLING.match(c.span.text) else 0.0
    lede = 1.0 if c.pos == 0 and c.doc.role == "original" else 0.0
    return (float(c.vec @ centroid) + s.w_support * support + s.w_sources * sources
            + s.w_lead * lead + s.w_lede * lede - s.w_quoted * c.span.quoted
            - s.w_dangling * dangling - 0.001 * c.doc.rank)


def mmr(cands: list[Candidate], k: int, settings: AnalyzeSettings) -> list[Candidate]:
    """Maximal marginal relevance: high score, low similarity to what is already chosen."""
    chosen: list[Candidate] = []
    pool = list(cands)
    while pool and len(chosen) < k:
        best, best_val = None, -1e9
        for c in pool:
            sim = max((float(c.vec @ s.vec) for s in chosen), default=0.0)
            if sim >= settings.redundant:
                continue
            val = settings.mmr_lambda * c.score - (1 - settings.mmr_lambda) * sim
            if val > best_val:
                best, best_val = c, val
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
    return chosen


def summary_length(n_roots: int, n_candidates: int,
                   max_summary: int = DEFAULTS.analyze.max_summary) -> int:
    """3 sentences for one source, one more per further independent source, at most 5."""
    return max(1, min(max_summary, 2 + n_roots, n_candidates))

