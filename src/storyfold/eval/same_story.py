"""`storyfold eval PAIRS.jsonl --mode same-story`: graded article pairs through the pipeline.

Each line holds two articles and a graded label (SemEval-2022 Task 8 style: `label` is the
"Overall" rating, 1 = same story … 4 = unrelated). Every article goes through the stages of
`run` — clean (with language identification), fingerprint — and the collection's document
frequencies are those of all the file's articles, as a store holding them would have. Then,
per pair, the first article is a story of its own and the second is placed as `run` would
place it: a copy joins, otherwise it is scored against that story (`StoryIndex`), and
across languages the story link decides (`place_languages`).

`pearson` correlates the score the pipeline writes on the link between the two articles
(`pair_decision`) with 5 − label, so higher is better on both sides; `pearson_placement`
does the same for the placement score. `f1` is of the pipeline's decision (joined, or linked
across languages) against "same story" = label ≤ `SAME_STORY_AT_MOST`. `non_english` pools
every pair but en-en, and gives the per-language-pair figures averaged by pair count too.
With `languages.multilingual = false` every pair goes the English path (the figures of
storyfold before it read other languages).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from storyfold.clean import clean
from storyfold.errors import StoryfoldError
from storyfold.fingerprint import (
    Embedder,
    MultilingualEncoder,
    embedding_text,
    fingerprint_batch,
    jaccard,
)
from storyfold.fingerprint.multilingual import LANGUAGES
from storyfold.model import Article, Fingerprint, RawDocument
from storyfold.place import StoryIndex, state_of, time_gap
from storyfold.place_languages import canonical_names, link_evidence, same_language
from storyfold.settings import DEFAULTS, Settings

# The definition of the F1's positive class (the data's README: "Overall <= 2.0"), not a knob.
SAME_STORY_AT_MOST = 2.0


@dataclass(frozen=True)
class GradedPair:
    a: str  # article key (the file's id) of the first article
    b: str
    label: float  # 1 = same story … 4 = unrelated
    langs: str  # "de-en": the file's languages, for the per-language figures


def read_graded_pairs(path: Path) -> tuple[list[GradedPair], dict[str, RawDocument]]:
    """The pairs of a file and each distinct article once, as raw documents.

    An article's language is deliberately not passed on from the file: identification at
    ingest is part of what is measured.
    """
    pairs: list[GradedPair] = []
    docs: dict[str, RawDocument] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                keys = []
                for side in ("1", "2"):
                    key = str(rec.get(f"id{side}") or f"{n}:{side}")
                    if key not in docs:
                        docs[key] = RawDocument(str(path), "json", str(rec[f"text{side}"]),
                                                {}, key)
                    keys.append(key)
                label = float(rec["label"])
                langs = f"{rec.get('lang1') or '?'}-{rec.get('lang2') or '?'}"
            except (ValueError, KeyError, TypeError) as exc:
                raise StoryfoldError(
                    f"{path}:{n}: not a graded pair (needs text1, text2, label): {exc}"
                ) from exc
            pairs.append(GradedPair(keys[0], keys[1], label, langs))
    return pairs, docs


def _pearson(x: list[float], y: list[float]) -> float | None:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return round(float(np.corrcoef(x, y)[0, 1]), 4)


def _f1(pred: list[bool], gold: list[bool]) -> dict[str, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    p = tp / max(1, sum(pred))
    r = tp / max(1, sum(gold))
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _figures(rows: list[tuple[PairOutcome, GradedPair]], cut: float) -> dict[str, Any]:
    target = [5.0 - p.label for _, p in rows]
    prf = _f1([o.same for o, _ in rows], [p.label <= cut for _, p in rows])
    return {"pairs": len(rows), "pearson": _pearson([o.score for o, _ in rows], target),
            "f1": prf["f1"], "precision": prf["precision"], "recall": prf["recall"],
            "pearson_placement": _pearson([o.placement for o, _ in rows], target)}


def _pair_weighted(by_lang: dict[str, dict[str, Any]]) -> float | None:
    """Per-language-pair Pearson averaged with each pair's count as its weight."""
    parts = [(v["pearson"], v["pairs"]) for v in by_lang.values() if v["pearson"] is not None]
    total = sum(n for _, n in parts)
    return round(sum(r * n for r, n in parts) / total, 4) if total else None


@dataclass(frozen=True)
class PairOutcome:
    score: float  # what the pipeline writes on the link between the two articles
    placement: float  # the placement score of the second against the first's story
    same: bool  # joined the first's story, or linked to it across languages


def pair_decision(a: tuple[Article, Fingerprint], b: tuple[Article, Fingerprint],
                  df: dict[str, int], n_docs: int, settings: Settings = DEFAULTS
                  ) -> PairOutcome:
    """What the pipeline makes of b arriving after a.

    The graded score is the one the pipeline writes on the link between two articles: the
    cosine of their embeddings inside one language (`provenance.links.link_kind`), the link
    evidence score across languages (`place_languages`), 1 for a copy. The placement score
    (names gate opened, so every pair gets a value) is reported beside it.
    """
    (art_a, fp_a), (art_b, fp_b) = a, b
    if fp_a.content_hash == fp_b.content_hash or jaccard(
            fp_a.minhash, fp_b.minhash) >= settings.provenance.near_jaccard:
        return PairOutcome(1.0, 1.0, True)  # a copy joins its original (`place._place`)
    if (not same_language(art_a.lang, art_b.lang) and fp_a.multilingual is not None
            and fp_b.multilingual is not None):
        ev = link_evidence(fp_a.multilingual, canonical_names(fp_a.names, art_a.lang),
                           (art_a.published, art_a.published),
                           fp_b.multilingual, canonical_names(fp_b.names, art_b.lang),
                           (art_b.published, art_b.published), settings.languages)
        return PairOutcome(ev.score, ev.score, ev.linked)
    cosine = float(fp_a.embedding @ fp_b.embedding)
    state = state_of("s" + art_a.id, [fp_a], [art_a.published])
    if time_gap(art_b.published, state, settings.place.grace_days) > settings.place.max_gap_days:
        return PairOutcome(cosine, 0.0, False)
    story, placement = StoryIndex([state], df, n_docs, settings.place).best(
        fp_b, art_b.published)
    open_gate = StoryIndex([state], df, n_docs, replace(settings.place, names_floor=0.0))
    scored = open_gate.score_all(fp_b, art_b.published)
    return PairOutcome(cosine, scored[0][1] if scored else placement, story is not None)


def eval_same_story(path: Path, embedder: Embedder | None = None,
                    settings: Settings = DEFAULTS,
                    on_progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Score the pipeline's same-story decision and score on a file of graded pairs."""
    pairs, docs = read_graded_pairs(path)
    embedder = embedder or Embedder()
    multilingual = (MultilingualEncoder(lead_chars=settings.languages.lead_chars)
                    if settings.languages.multilingual else None)
    t0 = time.perf_counter()
    articles = {k: clean(raw, settings.clean) for k, raw in docs.items()}
    keys = list(articles)
    fps = dict(zip(keys, fingerprint_batch([articles[k] for k in keys], embedder,
                                           settings.fingerprint, multilingual=multilingual),
                        strict=True))
    # as in `run`, an English article gets its multilingual vector only when it is compared
    # with an article in another language (`place_languages.ensure_vectors`)
    lazy = sorted({k for p in pairs if not same_language(articles[p.a].lang, articles[p.b].lang)
                   for k in (p.a, p.b)
                   if fps[k].multilingual is None and articles[k].lang in LANGUAGES})
    if multilingual is not None and lazy:
        vecs = multilingual.embed_articles(
            [embedding_text(articles[k], settings.fingerprint.embed_chars) for k in lazy])
        for k, v in zip(lazy, vecs, strict=True):
            fps[k] = replace(fps[k], multilingual=v)
    secs = time.perf_counter() - t0
    df: dict[str, int] = defaultdict(int)
    for fp in fps.values():
        for t in fp.terms:
            df[t] += 1
    rows: list[tuple[PairOutcome, GradedPair]] = []
    for p in pairs:
        rows.append((pair_decision((articles[p.a], fps[p.a]), (articles[p.b], fps[p.b]),
                                   df, len(fps), settings), p))
        if on_progress:
            on_progress(1)
    cut = SAME_STORY_AT_MOST
    by_lang: dict[str, list[tuple[PairOutcome, GradedPair]]] = defaultdict(list)
    for r in rows:
        by_lang[r[1].langs].append(r)
    figures = {k: _figures(v, cut) for k, v in sorted(by_lang.items())}
    other = {k: v for k, v in figures.items() if k != "en-en"}
    found: dict[str, int] = defaultdict(int)
    for a in articles.values():
        found[a.lang or "unknown"] += 1
    return {
        "mode": "same-story", "file": str(path), **_figures(rows, cut),
        "non_english": {**_figures([r for r in rows if r[1].langs != "en-en"], cut),
                        "pearson_pair_weighted": _pair_weighted(other)},
        "by_lang": figures,
        "articles": len(articles), "languages_found": dict(sorted(found.items())),
        "seconds": round(secs, 1), "docs_per_s": round(len(articles) / secs, 1),
    }
