"""Candidate summary sentences of one article, and their embeddings.

Sentences come from the quote-aware splitter (`storyfold.text.sentences`), so a quotation
is never cut in half; photo captions are not in `Article.text` (and sentences resembling
one are dropped anyway), nor are aggregator trailers; boilerplate and credit lines are
filtered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from storyfold.clean.dateline import find_dateline, looks_like_caption
from storyfold.model import Article
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, AnalyzeSettings
from storyfold.text.quotes import balanced, quoted_spans
from storyfold.text.sentences import sentence_spans
from storyfold.text.tokens import tokens

log = logging.getLogger(__name__)

_BOILERPLATE = re.compile(
    r"all rights reserved|subscribe|newsletter|follow (?:us|\w+ for)|read more|click here|"
    r"sign up|log in|share this|advertisement|copyright|©|cookies?|terms of (?:use|service)|"
    r"first (?:reported|published) by|(?:reporting|writing|editing) by|contributed to this|"
    r"this (?:story|article) (?:was|has been)|related (?:articles?|stories|news)",
    re.I,
)


class SentenceEmbedder(Protocol):
    """What the write-up needs of `storyfold.fingerprint.Embedder` (tests pass a fake)."""

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray: ...


@dataclass(frozen=True)
class Span:
    """A candidate sentence of one article: its offsets in `Article.text` and its words."""

    start: int
    end: int
    text: str
    quoted: float  # share of its characters inside quotation marks



def candidate_spans(article: Article,
                    settings: AnalyzeSettings = DEFAULTS.analyze) -> list[Span]:
    """Sentences of the body fit to stand alone in a summary, in article order.

    Left out: the dateline ("ASTANA, Nov 1 —" is cut off the first sentence), fragments and
    run-ons, boilerplate and credit lines, half quotations, and anything that reads like,
    or repeats, a photo caption.
    """
    text = article.text
    quotes = quoted_spans(text)
    dl = find_dateline(text)
    caps = [set(tokens(c)) for c in article.captions]
    out: list[Span] = []
    for s, e in sentence_spans(text, quotes):
        if dl is not None and s <= dl.start < e:
            s = dl.end
        raw = text[s:e]
        sent = " ".join(raw.split())
        n = len(sent.split())
        if not settings.min_words <= n <= settings.max_words or (
                not sent[:1].isupper() and sent[:1] not in "“\"‘'"):
            continue
        if _BOILERPLATE.search(sent) or not balanced(sent) or looks_like_caption(sent):
            continue
        w = set(tokens(sent))
        if any(len(w & c) / max(1, len(w | c)) >= settings.caption_similarity for c in caps):
            continue
        qchars = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in quotes)
        out.append(Span(s, e, sent, qchars / max(1, e - s)))
        if len(out) >= settings.max_per_article:
            break
    return out


def norm(text: str) -> str:
    return " ".join(text.split()).strip().lower()



def sentence_vectors(
    articles: Sequence[Article], embedder: SentenceEmbedder,
    known: dict[str, tuple[Sequence[str], np.ndarray]] | None = None,
    settings: AnalyzeSettings = DEFAULTS.analyze,
    spans: Mapping[str, list[Span]] | None = None,
) -> dict[str, np.ndarray]:
    """Embeddings of every article's candidate sentences (rows in `candidate_spans` order).

    `known` maps an article id to sentences already embedded with their vectors (a cached
    write-up's, or the lead-sentence vectors the store keeps for rewrite detection): a
    candidate equal to one of them, or its tail once the dateline is cut, reuses the
    vector. The rest are embedded in one batch, each distinct sentence once (copies repeat
    their source's sentences). `spans`: each article's `candidate_spans`, when the caller
    has them already.
    """
    out: dict[str, np.ndarray] = {}
    todo: dict[str, list[tuple[str, int]]] = {}
    texts: dict[str, str] = {}  # normalised → as written, for the ones to embed
    lookups = {aid: [(norm(t), v) for t, v in zip(ts, vs, strict=False)]
               for aid, (ts, vs) in (known or {}).items()}
    exact = {t: v for pairs in lookups.values() for t, v in pairs}  # a copy's are its source's
    for a in articles:
        found = spans[a.id] if spans is not None else candidate_spans(a, settings)
        mine = lookups.get(a.id, [])
        rows = np.zeros((len(found), EMBEDDING_DIM), dtype=np.float32)
        for i, sp in enumerate(found):
            want = norm(sp.text)
            hit = exact.get(want)
            if hit is None:
                hit = next((v for t, v in mine if t.endswith(want) and len(want) > 0.7 * len(t)),
                           None)
            if hit is not None and hit.shape[0] == rows.shape[1]:
                rows[i] = hit.astype(np.float32)
            else:
                todo.setdefault(want, []).append((a.id, i))
                texts.setdefault(want, sp.text)
        out[a.id] = rows
    if todo:
        keys = list(todo)
        vecs = embedder.embed([texts[k] for k in keys], max_tokens=settings.sentence_tokens)
        for k, v in zip(keys, vecs, strict=True):
            for aid, i in todo[k]:
                out[aid][i] = v
    for aid, rows in out.items():
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        out[aid] = rows / np.where(norms == 0, 1.0, norms)
    log.debug("sentence vectors: %d embedded, %d rows in all", len(todo),
              sum(len(v) for v in out.values()))
    return out

