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

An article *states* a sentence when one of its own sentences is close to it in embedding
space and nothing contradicts it: the sentence's names and figures appear in the
article; an event date it gives is not another date in the article's matching sentences
(a rewrite that moved "Tuesday" to "Wednesday" does not state it) and, where those give
no date, is named there or is the day the article came out; and it lists no item the
other article lacks next to one it has ("rich in oil and uranium" is not stated by "oil
-rich"). Citations are all those articles, not only the one the words were taken from.

Sentences come from the quote-aware splitter (`text.py`), so a quotation is never cut
in half; photo captions are not in `Article.text` (and sentences resembling one are
dropped anyway), nor are aggregator trailers; boilerplate and credit lines are filtered.
The headline is the members' most representative title (closest to the other titles
and to the story), or, for untitled members, the main clause of the best lead sentence.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from storyfold.analyze.compare import ArticleAnalysis, Comparison, analyze_articles
from storyfold.analyze.facts import date_range
from storyfold.analyze.text import (
    OPEN_QUOTES,
    content_stems,
    fold,
    quoted_spans,
    sentence_spans,
    words,
)
from storyfold.clean.dateline import find_dateline, looks_like_caption
from storyfold.fingerprint.features import tokens
from storyfold.model import Article, Membership

log = logging.getLogger(__name__)

WRITEUP_VERSION = 2  # bump when the algorithm changes: cached write-ups are then recomputed
CITE_SIMILARITY = 0.6  # sentence cosine at which another article may state a sentence
REDUNDANT = 0.72  # a candidate this close to a chosen sentence adds nothing
MMR_LAMBDA = 0.7
# score = centrality + these × (share of articles stating it, share of independent sources,
# 1/(1 + position in its article)) − these × (share quoted, opens with a dangling word);
# weights set on examples/ (bench/bench_summary.py), where ROUGE moved little between
# nearby values
W_SUPPORT, W_SOURCES, W_LEAD, W_QUOTED, W_DANGLING = 1.0, 0.2, 0.1, 0.15, 0.15
W_LEDE = 0.2  # the original's first sentence: the event as the first report put it
SUPPORT_POWER = 8.0  # a citing article adds cosine**8: near-verbatim ~1, a paraphrase ~0.1
SAME_RENDERING = 0.95  # two sentences this close are one rendering: the original's is kept
MIN_WORDS, MAX_WORDS = 6, 70
MAX_QUOTED = 0.8  # a summary sentence is the reporter's, with at most this much quotation
MAX_PER_ARTICLE = 40  # candidate sentences read per article (long articles: the first ones)
HEADLINE_WORDS = 18  # a headline built from a sentence keeps at most its first clause of this
NUMBER_TOLERANCE = 0.01
SENTENCE_TOKENS = 64  # the lead-sentence vectors the store keeps use the same limit

_BOILERPLATE = re.compile(
    r"all rights reserved|subscribe|newsletter|follow (?:us|\w+ for)|read more|click here|"
    r"sign up|log in|share this|advertisement|copyright|©|cookies?|terms of (?:use|service)|"
    r"first (?:reported|published) by|(?:reporting|writing|editing) by|contributed to this|"
    r"this (?:story|article) (?:was|has been)|related (?:articles?|stories|news)",
    re.I,
)
_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_RELATIVE_WHEN = re.compile(
    r",?\s*\b(?:(?:early|late)\s+)?(?:on\s+)?(?:today|tonight|yesterday|overnight|"
    r"(?:this|last)\s+(?:morning|afternoon|evening|night|week)|"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?)\b",
    re.I,
)
_DAY_WORD = re.compile(
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday|"
    r"tomorrow|\d+|jan\w*|feb\w*|mar\w*|apr\w*|may|june?|july?|aug\w*|sep\w*|oct\w*|"
    r"nov\w*|dec\w*")
_ATTRIBUTION_TAIL = re.compile(
    r",\s+(?:[^,]{0,60}\s)?(?:said|says|reported|announced|according to)\b[^,]*$", re.I
)
# Openers that lean on the sentence before: out of context they dangle.
_DANGLING = re.compile(
    r"^(?:they|them|their|it|its|he|she|his|her|this|these|those|that|such|there|also|"
    r"however|but|and|or|so|yet|still|meanwhile|additionally|furthermore|moreover|"
    r"simultaneously|similarly|instead|otherwise|likewise|besides|then|thus|hence|"
    r"in addition|in response|as a result|at the same time)\b", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—:]\s+([^-|–—:]{2,40})$")
_CLAUSE_BREAK = re.compile(r",\s|\s[—–]\s|;\s|:\s")


class SentenceEmbedder(Protocol):
    """What the write-up needs of `storyfold.fingerprint.Embedder` (tests pass a fake)."""

    def embed(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray: ...


# ---- the write-up ----------------------------------------------------------------------
@dataclass
class SummarySentence:
    """One summary sentence, verbatim from `article`, with every article that states it."""

    text: str
    article: str
    citations: list[str]  # article ids, in timeline order
    single_source: bool  # every citing article derives from one original
    sources: int  # independent sources among the citations
    dates: list[dict[str, str]] = field(default_factory=list)  # {"text": "today", "value": ISO}


@dataclass
class TimelineEntry:
    """One member in publication order, with what it brought that earlier members had not."""

    article: str
    published: str | None
    source: str | None
    role: str
    added: dict[str, list[Any]]  # quotes [{speaker, text}], claims [str], differs [{slot, value}]


@dataclass
class Event:
    """Something the articles date ("the quake struck on Tuesday"), resolved to a day."""

    date: str
    text: str
    articles: list[str]


@dataclass
class WriteUp:
    headline: str | None
    summary: list[SummarySentence] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict; its keys are the story JSON's `headline`, `summary`, `timeline`, `events`."""
        return asdict(self)


def members_key(members: Iterable[Membership]) -> str:
    """What a cached write-up depends on: the member ids (and their sources), and the version."""
    parts = sorted(f"{m.article_id}<{m.derived_from or ''}" for m in members)
    raw = f"v{WRITEUP_VERSION}|" + "|".join(parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


# ---- candidate sentences ---------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """A candidate sentence of one article: its offsets in `Article.text` and its words."""

    start: int
    end: int
    text: str
    quoted: float  # share of its characters inside quotation marks


def _balanced(text: str) -> bool:
    """A sentence that opens a quotation closes it (else it is half a quote)."""
    opens = sum(text.count(c) for c in OPEN_QUOTES)
    closes = sum(text.count(c) for c in "”»")
    return opens == closes and text.count('"') % 2 == 0


def candidate_spans(article: Article) -> list[Span]:
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
        if not MIN_WORDS <= n <= MAX_WORDS or not sent[:1].isupper() and sent[:1] not in "“\"‘'":
            continue
        if _BOILERPLATE.search(sent) or not _balanced(sent) or looks_like_caption(sent):
            continue
        w = set(tokens(sent))
        if any(len(w & c) / max(1, len(w | c)) >= 0.5 for c in caps):
            continue
        qchars = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in quotes)
        out.append(Span(s, e, sent, qchars / max(1, e - s)))
        if len(out) >= MAX_PER_ARTICLE:
            break
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).strip().lower()


def sentences_key(texts: Sequence[str]) -> str:
    """Identifies an article's candidate sentences, so cached vectors are never misapplied."""
    raw = f"v{WRITEUP_VERSION}|{SENTENCE_TOKENS}|" + "\n".join(texts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def sentence_vectors(
    articles: Sequence[Article], embedder: SentenceEmbedder,
    known: dict[str, tuple[Sequence[str], np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """Embeddings of every article's candidate sentences (rows in `candidate_spans` order).

    `known` maps an article id to sentences already embedded with their vectors (a cached
    write-up's, or the lead-sentence vectors the store keeps for rewrite detection): a
    candidate equal to one of them, or its tail once the dateline is cut, reuses the
    vector. The rest are embedded in one batch, each distinct sentence once (copies repeat
    their source's sentences).
    """
    out: dict[str, np.ndarray] = {}
    todo: dict[str, list[tuple[str, int]]] = {}
    texts: dict[str, str] = {}  # normalised → as written, for the ones to embed
    lookups = {aid: [(_norm(t), v) for t, v in zip(ts, vs, strict=False)]
               for aid, (ts, vs) in (known or {}).items()}
    exact = {t: v for pairs in lookups.values() for t, v in pairs}  # a copy's are its source's
    for a in articles:
        spans = candidate_spans(a)
        mine = lookups.get(a.id, [])
        rows = np.zeros((len(spans), 384), dtype=np.float32)
        for i, sp in enumerate(spans):
            want = _norm(sp.text)
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
        vecs = embedder.embed([texts[k] for k in keys], max_tokens=SENTENCE_TOKENS)
        for k, v in zip(keys, vecs, strict=True):
            for aid, i in todo[k]:
                out[aid][i] = v
    for aid, rows in out.items():
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        out[aid] = rows / np.where(norms == 0, 1.0, norms)
    log.debug("sentence vectors: %d embedded, %d rows in all", len(todo),
              sum(len(v) for v in out.values()))
    return out


# ---- evidence inside one article -------------------------------------------------------
@dataclass
class _Doc:
    """One member as the summariser sees it."""

    article: Article
    order: int  # timeline position
    rank: int  # preference among renderings: the original first, then timeline order
    role: str
    root: str  # the original it derives from (itself when independent)
    spans: list[Span]
    vecs: np.ndarray
    analysis: ArticleAnalysis | None
    lower: str = ""
    words: str = ""  # its words, folded and space-joined (filled when first needed)
    numbers: list[float] | None = None  # every quantity it gives (filled when first needed)
    unique_nouns: list[int] = field(default_factory=list)  # offsets of nouns no other uses
    said: dict[Span, tuple] = field(default_factory=dict)  # _said() per sentence, once each


def _numbers_in(text: str) -> list[float]:
    out = []
    for m in _NUM.finditer(text):
        whole = m.group(1).replace(",", "")
        v = float(f"{whole}.{m.group(2)}" if m.group(2) else whole)
        if 1900 <= v <= 2100 and not m.group(2) and "," not in m.group(1):
            continue  # a year: dates are checked separately
        out.append(v)
    return out


def _doc_numbers(doc: _Doc) -> list[float]:
    """All quantities an article gives: digits, and number words the fact finder read."""
    if doc.numbers is None:
        doc.numbers = _numbers_in(doc.article.text)
        if doc.analysis is not None:
            doc.numbers += [n.value for n in doc.analysis.facts.numbers]
    return doc.numbers


def _span_numbers(doc: _Doc, sp: Span) -> list[float]:
    """The quantities a sentence gives; the day of a date ("March 5") is the date's business."""
    text = sp.text
    if doc.analysis is not None:
        raw = doc.article.text
        for d in doc.analysis.facts.dates:
            if sp.start <= d.start < sp.end:
                text = text.replace(" ".join(raw[d.start : d.end].split()), " ")
    vals = _numbers_in(text)
    if doc.analysis is not None:
        vals += [n.value for n in doc.analysis.facts.numbers if sp.start <= n.start < sp.end]
    return vals


def _span_dates(doc: _Doc, sp: Span) -> list[tuple[str, str]]:
    """Event dates a sentence gives: (as written, resolved), reporting verbs left out."""
    if doc.analysis is None:
        return []
    return [(d.text, d.value) for d in doc.analysis.facts.dates
            if sp.start <= d.start < sp.end and d.value and not d.quoted and d.event != "say"]


def _span_names(doc: _Doc, sp: Span) -> set[str]:
    """Surnames / last words of the people, organisations and places a sentence names."""
    if doc.analysis is None:
        return set()
    return {m.name.split()[-1].lower() for m in doc.analysis.mentions
            if sp.start <= m.start < sp.end and m.label in {"PERSON", "ORG", "GPE", "LOC", "FAC"}
            and m.name.split()}


def _said(doc: _Doc, sp: Span) -> tuple[list[float], set[str], list[tuple[str, str]]]:
    """A sentence's figures, names and event dates, read once however often it is checked."""
    if sp not in doc.said:
        doc.said[sp] = (_span_numbers(doc, sp), _span_names(doc, sp), _span_dates(doc, sp))
    return doc.said[sp]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= NUMBER_TOLERANCE * max(abs(a), abs(b), 1e-9)


def _overlap(a: str, b: str) -> bool:
    try:
        (a1, a2), (b1, b2) = date_range(a), date_range(b)
    except ValueError:
        return True
    return a1 <= b2 and b1 <= a2


def _states(src: _Doc, sp: Span, other: _Doc, j: int) -> bool:
    """Does `other`, whose sentence j is closest to `sp`, state what `sp` says?

    Besides names, figures and dates, a common noun that only the source article uses
    ("rich in oil and uranium") is a fact the other article does not state.
    """
    if _adds_to_a_list(src, sp, other) or not _quotes_kept(src, sp, other):
        return False
    nums, names, mine = _said(src, sp)
    if nums:
        theirs = _doc_numbers(other)
        if not all(any(_close(v, w) for w in theirs) for v in nums):
            return False
    for name in names:
        if not re.search(rf"\b{re.escape(name)}\b", other.lower):
            return False
    if mine:
        window = other.spans[max(0, j - 1) : j + 2]
        theirs = [v for w in window for _, v in _said(other, w)[2]]
        if theirs and not any(_overlap(v, t) for _, v in mine for t in theirs):
            return False  # another day for the same thing: a conflict, not support
        if not theirs:  # no date there: the day must be named, or be the day it came out
            said = " ".join(w.text for w in window).lower()
            pub = other.article.published.date().isoformat() if other.article.published else None
            for text, value in mine:
                key = _DAY_WORD.findall(text.lower())
                named = bool(key) and all(k in said for k in key)
                if not named and not (pub and _overlap(value, pub)):
                    return False
    return True


def _quotes_kept(src: _Doc, sp: Span, other: _Doc) -> bool:
    """Every passage the sentence quotes is in the other article word for word (a cut is
    fine): a rewrite that rewords a quote does not state the quote."""
    if not sp.quoted:
        return True
    if not other.words:
        other.words = " " + " ".join(words(fold(other.article.text))) + " "
    text = src.article.text
    for qs, qe in quoted_spans(text[sp.start : sp.end]):
        quoted = words(fold(text[sp.start + qs : sp.start + qe]))
        if len(quoted) >= 3 and f" {' '.join(quoted)} " not in other.words:
            return False
    return True


_BEFORE_CONJ = re.compile(r"(\w+)\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}$")
_AFTER_CONJ = re.compile(r"^\w+\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}?(\w+)")


def _adds_to_a_list(src: _Doc, sp: Span, other: _Doc) -> bool:
    """A noun only `src` uses, listed next to one `other` has: "rich in oil and uranium".

    Rewording changes words in place ("first leg" → "first stop") and is no new fact; a
    noun joined to a shared one by "and"/"or" adds an item the other article does not give.
    """
    if other.analysis is None:
        return False
    text = src.article.text
    theirs = other.analysis.stems
    for pos in src.unique_nouns:
        if not sp.start <= pos < sp.end:
            continue
        before = _BEFORE_CONJ.search(text[max(sp.start, pos - 60) : pos])
        after = _AFTER_CONJ.match(text[pos : min(sp.end, pos + 60)])
        for m in (before, after):
            if m and content_stems(m.group(1)) & theirs:
                return True
    return False


def _mark_unique_nouns(docs: list[_Doc]) -> None:
    """Offsets of the common nouns whose stem no other member's text contains."""
    holders: dict[str, int] = {}
    for d in docs:
        if d.analysis is not None:
            for st in d.analysis.stems:
                holders[st] = holders.get(st, 0) + 1
    for d in docs:
        if d.analysis is not None:
            d.unique_nouns = [pos for pos, st in d.analysis.nouns if holders.get(st, 0) <= 1]


# ---- selection ---------------------------------------------------------------------------
@dataclass
class _Cand:
    doc: _Doc
    pos: int
    span: Span
    vec: np.ndarray
    citations: list[_Doc] = field(default_factory=list)
    where: dict[int, int] = field(default_factory=dict)  # citing doc order → its sentence
    strength: float = 1.0  # its own article, plus each citing one by how closely it words it
    score: float = 0.0


def _citations(cands: list[_Cand], docs: list[_Doc], threshold: float) -> None:
    """Fill each candidate's citing articles (itself included), in timeline order."""
    for c in cands:
        cited = [c.doc]
        c.where = {c.doc.order: c.pos}
        for d in docs:
            if d is c.doc or not len(d.vecs):
                continue
            sims = d.vecs @ c.vec
            j = int(np.argmax(sims))
            if float(sims[j]) >= threshold and _states(c.doc, c.span, d, j):
                cited.append(d)
                c.where[d.order] = j
                c.strength += float(sims[j]) ** SUPPORT_POWER
        c.citations = sorted(cited, key=lambda d: d.order)


def _renderings(docs: list[_Doc]) -> list[_Cand]:
    """Candidates with copies folded: of one sentence's renderings only the preferred stays.

    A copy's sentence is its source's, and a light edit ("early on Tuesday" → "early
    Tuesday") is the same sentence: the original's words are kept (then the earliest).
    """
    cands = [_Cand(d, p, sp, d.vecs[p]) for d in sorted(docs, key=lambda d: d.rank)
             for p, sp in enumerate(d.spans)]
    kept: list[_Cand] = []
    seen: set[str] = set()
    for c in cands:
        key = _norm(c.span.text)
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
        earlier = np.nonzero(keep[:i] & (sims[i, :i] >= SAME_RENDERING))[0]
        if any(kept[j].doc is not kept[i].doc for j in earlier):
            keep[i] = False
    return [c for c, k in zip(kept, keep, strict=True) if k]


def _centroid(docs: list[_Doc]) -> np.ndarray:
    """One vote per article: the mean of the members' mean sentence vectors."""
    means = [d.vecs.mean(axis=0) for d in docs if len(d.vecs)]
    if not means:
        return np.zeros(384, dtype=np.float32)
    c = np.mean(means, axis=0)
    return c / (np.linalg.norm(c) or 1.0)


def _score(c: _Cand, centroid: np.ndarray, n_docs: int, n_roots: int) -> float:
    support = c.strength / n_docs
    sources = len({d.root for d in c.citations}) / n_roots
    lead = 1.0 / (1 + c.pos)
    dangling = 1.0 if _DANGLING.match(c.span.text) else 0.0
    lede = 1.0 if c.pos == 0 and c.doc.role == "original" else 0.0
    return (float(c.vec @ centroid) + W_SUPPORT * support + W_SOURCES * sources + W_LEAD * lead
            + W_LEDE * lede - W_QUOTED * c.span.quoted - W_DANGLING * dangling
            - 0.001 * c.doc.rank)


def _mmr(cands: list[_Cand], k: int) -> list[_Cand]:
    """Maximal marginal relevance: high score, low similarity to what is already chosen."""
    chosen: list[_Cand] = []
    pool = list(cands)
    while pool and len(chosen) < k:
        best, best_val = None, -1e9
        for c in pool:
            sim = max((float(c.vec @ s.vec) for s in chosen), default=0.0)
            if sim >= REDUNDANT:
                continue
            val = MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * sim
            if val > best_val:
                best, best_val = c, val
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
    return chosen


def summary_length(n_roots: int, n_candidates: int) -> int:
    """3 sentences for one source, one more per further independent source, at most 5."""
    return max(1, min(5, 2 + n_roots, n_candidates))


# ---- headline ----------------------------------------------------------------------------
def clean_title(title: str, source: str | None) -> str:
    """A title without the outlet's name tacked on ("… - Daily Meridian")."""
    t = " ".join(title.split())
    m = _TITLE_SUFFIX.search(t)
    if m and (source and m.group(1).strip().lower() == source.lower()
              or len(m.group(1).split()) <= 3 and len(t.split()) > 6):
        t = t[: m.start()]
    return t.strip()


def headline_from_sentence(sentence: str) -> str:
    """A short headline from a sentence: its main clause, no attribution, no relative day."""
    s = " ".join(sentence.split()).rstrip(".")
    s = _ATTRIBUTION_TAIL.sub("", s)
    s = _RELATIVE_WHEN.sub("", s).strip(" ,")
    s = re.sub(r"\s{2,}", " ", s)
    words = s.split()
    if len(words) > HEADLINE_WORDS:
        for m in _CLAUSE_BREAK.finditer(s):
            head = s[: m.start()]
            if 6 <= len(head.split()) <= HEADLINE_WORDS and _balanced(head):
                return head.strip(" ,;:")
        cut = words[:14]
        while cut and cut[-1].lower() in {"a", "an", "the", "of", "to", "in", "on", "and", "for",
                                           "with", "at", "by", "from", "as"}:
            cut.pop()
        return " ".join(cut).rstrip(",;:") + "…"
    return s


def _headline(docs: list[_Doc], cands: list[_Cand], centroid: np.ndarray,
              embedder: SentenceEmbedder) -> str | None:
    """The title closest to the others and to the story, else one built from its best lead."""
    titled = [(d, clean_title(d.article.title, d.article.source)) for d in docs
              if d.article.title and d.article.title.strip()]
    titled = [(d, t) for d, t in titled if len(t.split()) >= 3]
    if titled:
        distinct = sorted({t for _, t in titled}, key=lambda t: min(d.order for d, x in titled
                                                                     if x == t))
        if len(distinct) == 1:
            return distinct[0]
        vecs = embedder.embed(distinct, max_tokens=SENTENCE_TOKENS)
        row = {t: i for i, t in enumerate(distinct)}
        per_article = np.stack([vecs[row[t]] for _, t in titled])
        t_centroid = per_article.mean(axis=0)
        t_centroid /= np.linalg.norm(t_centroid) or 1.0
        original = {t for d, t in titled if d.role == "original"}
        share = {t: sum(1 for _, x in titled if x == t) / len(titled) for t in distinct}
        scores = vecs @ t_centroid + vecs @ centroid
        best = max(distinct, key=lambda t: (float(scores[row[t]]) + 0.1 * share[t]
                                            + 0.02 * (t in original), -distinct.index(t)))
        return best
    leads = [c for c in cands if c.pos == 0 and c.span.quoted < 0.3] or cands
    if not leads:
        return None
    return headline_from_sentence(max(leads, key=lambda c: c.score).span.text)


# ---- timeline and events -------------------------------------------------------------------
def _timeline(docs: list[_Doc], comparison: Comparison | None) -> list[TimelineEntry]:
    order = {d.article.id: d.order for d in docs}
    added: dict[str, dict[str, list[Any]]] = {d.article.id: {"quotes": [], "claims": [],
                                                             "differs": []} for d in docs}
    if comparison is not None:
        for g in comparison.quotes:
            first = min(g.variants, key=lambda v: (order.get(v.article, 1 << 30), v.start))
            if first.article in added:
                added[first.article]["quotes"].append({"speaker": first.speaker or g.speaker,
                                                       "text": first.text})
        for cl in comparison.claims:
            firsts = [a for a in cl.support if a in order]
            if firsts:
                first = min(firsts, key=lambda a: order[a])
                added[first]["claims"].append(cl.text)
        for conflict in comparison.conflicts:
            first_value = min(conflict.values, key=lambda v: min(order.get(a, 1 << 30)
                                                                  for a in v.articles))
            for v in conflict.values:
                if v is first_value:
                    continue
                who = [a for a in v.articles if a in order]
                if who:
                    added[min(who, key=lambda a: order[a])]["differs"].append(
                        {"slot": conflict.slot, "value": v.value})
    return [TimelineEntry(d.article.id,
                          d.article.published.isoformat() if d.article.published else None,
                          d.article.source, d.role, added[d.article.id]) for d in docs]


def _events(docs: list[_Doc]) -> list[Event]:
    """Dated happenings across the members, one line per (day, event), in date order."""
    groups: dict[tuple[str, str], Event] = {}
    stems: dict[tuple[str, str], set[str]] = {}
    first_seen: dict[tuple[str, str], tuple[int, int]] = {}
    for d in docs:
        if d.analysis is None:
            continue
        for f in d.analysis.facts.dates:
            if not f.value or f.quoted or not f.event or f.event == "say":
                continue
            key = (f.value, f.event)
            text = " ".join(f.sentence.split())
            dl = find_dateline(text)
            if dl is not None and dl.start == 0:
                text = text[dl.end :]
            st = content_stems(text)
            for k in groups:  # the same day and much the same sentence: one event
                if k[0] == f.value and k != key and stems[k] and st and (
                        len(stems[k] & st) / (len(stems[k] | st) or 1) >= 0.35):
                    key = k
                    break
            if key not in groups:
                groups[key] = Event(f.value, text, [])
                stems[key] = st
                first_seen[key] = (d.order, f.start)
            if d.article.id not in groups[key].articles:
                groups[key].articles.append(d.article.id)

    def when(k: tuple[str, str]) -> tuple:
        try:
            start = date_range(k[0])[0]
        except ValueError:
            start = datetime.max.date()
        return (start, first_seen[k])

    return [groups[k] for k in sorted(groups, key=when)]


# ---- entry point -----------------------------------------------------------------------------
def timeline_order(articles: Sequence[Article], members: Sequence[Membership]) -> list[Article]:
    """Publication order: dated before undated; on one date the original first."""
    role = {m.article_id: m.role for m in members}
    far = datetime.max

    def key(ia: tuple[int, Article]) -> tuple:
        i, a = ia
        when = a.published.replace(tzinfo=None) if a.published else far
        return (when, role.get(a.id) != "original", i)

    return [a for _, a in sorted(enumerate(articles), key=key)]


def _prepare(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    vectors: dict[str, np.ndarray] | None, analyses: Sequence[ArticleAnalysis] | None,
    cite_threshold: float,
) -> tuple[list[_Doc], list[_Cand]]:
    """The members as the summariser sees them, and their candidates with citations."""
    ordered = timeline_order(articles, members)
    by_member = {m.article_id: m for m in members}
    derived = {m.article_id: m.derived_from for m in members}
    if analyses is None:
        analyses = analyze_articles(ordered)
    by_analysis = {an.article_id: an for an in analyses}
    if vectors is None:
        vectors = sentence_vectors(ordered, embedder)
    docs: list[_Doc] = []
    for i, a in enumerate(ordered):
        root, seen = a.id, {a.id}
        while derived.get(root) and derived[root] not in seen:
            root = derived[root]  # type: ignore[assignment]
            seen.add(root)
        m = by_member.get(a.id)
        spans = candidate_spans(a)
        vecs = vectors.get(a.id, np.zeros((0, 384), np.float32))
        if len(vecs) != len(spans):  # stale cache: never pair a vector with the wrong sentence
            log.warning("sentence vectors of %s do not match its sentences; ignoring them", a.id)
            spans, vecs = [], np.zeros((0, 384), np.float32)
        role = m.role if m else "independent"
        doc = _Doc(a, i, 0 if role == "original" else i + 1, role, root, spans,
                   vecs.astype(np.float32), by_analysis.get(a.id))
        doc.lower = a.text.lower()
        docs.append(doc)
    _mark_unique_nouns(docs)
    cands = _renderings(docs)
    _citations(cands, docs, cite_threshold)
    return docs, cands


def _sentence(c: _Cand) -> SummarySentence:
    roots = {d.root for d in c.citations}
    return SummarySentence(
        c.span.text, c.doc.article.id, [d.article.id for d in c.citations], len(roots) == 1,
        len(roots), [{"text": t, "value": v} for t, v in _span_dates(c.doc, c.span)])


def cited_sentences(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    vectors: dict[str, np.ndarray] | None = None,
    analyses: Sequence[ArticleAnalysis] | None = None,
    cite_threshold: float = CITE_SIMILARITY,
) -> list[SummarySentence]:
    """Every candidate sentence of the story with the articles that state it (not only the
    chosen few): what "who else says this?" needs, and what citation quality is measured on."""
    if not articles:
        return []
    _, cands = _prepare(articles, members, embedder, vectors, analyses, cite_threshold)
    return [_sentence(c) for c in cands]


def write_up(
    articles: Sequence[Article], members: Sequence[Membership], embedder: SentenceEmbedder,
    comparison: Comparison | None = None,
    vectors: dict[str, np.ndarray] | None = None,
    analyses: Sequence[ArticleAnalysis] | None = None,
    cite_threshold: float = CITE_SIMILARITY,
) -> WriteUp:
    """Headline, cited summary, timeline and events of one story's members.

    `members` gives roles and `derived_from` (provenance). `vectors` are the candidate
    sentence embeddings (`sentence_vectors`), computed here when not given; `analyses`
    the per-article reading `compare` already did (recomputed, from its cache, otherwise).
    """
    if not articles:
        return WriteUp(None)
    docs, cands = _prepare(articles, members, embedder, vectors, analyses, cite_threshold)
    centroid = _centroid(docs)
    n_roots = len({d.root for d in docs})
    for c in cands:
        c.score = _score(c, centroid, len(docs), n_roots)
    cands.sort(key=lambda c: -c.score)
    pool = [c for c in cands if c.span.quoted <= MAX_QUOTED]  # a bare quote needs context
    chosen = _mmr(pool, summary_length(n_roots, len(pool)))
    # in the order first reported: the earliest citing article, and where it says it
    chosen.sort(key=lambda c: (c.citations[0].order, c.where[c.citations[0].order], c.doc.rank))
    return WriteUp(_headline(docs, cands, centroid, embedder), [_sentence(c) for c in chosen],
                   _timeline(docs, comparison), _events(docs))
