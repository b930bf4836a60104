"""What is read from each article once: mentions, quotes, numbers, dates, claim sentences.

Reading an article takes spaCy; comparing articles does not. So each article is read once
(one batched NER pass over those not read before) and its reading kept in an
`AnalysisCache`, so that a story's new member costs only itself.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from storyfold.analyze.align import Sentence, sentences_of
from storyfold.analyze.entities import Annotation, Mention, alias_map, annotate, model_for
from storyfold.analyze.facts import Facts, extract_facts
from storyfold.analyze.quotes import Quote, find_quotes
from storyfold.model import Article
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.tokens import content_stems, stem

_WORD_AT = re.compile(r"\w+")
_Key = tuple[str, int, str]


@dataclass
class ArticleAnalysis:
    """Everything read from one article; cached so a story's new member costs only itself."""

    article_id: str
    mentions: list[Mention]
    quotes: list[Quote]
    facts: Facts
    stems: frozenset[str] = frozenset()  # content-word stems of the whole text
    nouns: list[tuple[int, str]] = field(default_factory=list)  # common nouns (offset, stem)
    sentences: list[Sentence] = field(default_factory=list)  # what sentence alignment reads


class AnalysisCache:
    """The readings of the most recently used articles, safe to share between threads.

    Keyed by article id, text and date (an article re-read with other text is read
    again); bounded to `size` entries, least recently used dropped first.
    """

    def __init__(self, size: int = AnalyzeSettings.cache_size) -> None:
        self.size = size
        self._items: OrderedDict[_Key, ArticleAnalysis] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def get(self, key: _Key) -> ArticleAnalysis | None:
        """The cached reading, marked as just used; None when not cached."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: _Key, analysis: ArticleAnalysis) -> None:
        """Keep a reading, dropping the least recently used beyond `size`."""
        with self._lock:
            self._items[key] = analysis
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every reading (benchmarks time cold runs with it)."""
        with self._lock:
            self._items.clear()


def article_key(a: Article) -> _Key:
    """What a reading depends on: the article, its text and its date (relative dates)."""
    return (a.id, hash(a.text), a.published.isoformat() if a.published else "")


def analyze_one(article: Article, ann: Annotation,
                settings: AnalyzeSettings = DEFAULTS.analyze) -> ArticleAnalysis:
    """Quotes and facts of one article from its NLP annotation (pure)."""
    mentions = ann.mentions
    quotes = find_quotes(article, mentions, settings=settings)
    # a speaker the NER missed but the attribution names ("…,” Lind said) is a mention too
    spans = [(m.start, m.end) for m in mentions]
    for q in quotes:
        if q.named_at and q.speaker and not any(a < q.named_at[1] and q.named_at[0] < b
                                                for a, b in spans):
            name = article.text[q.named_at[0] : q.named_at[1]]
            mentions = [*mentions, Mention(name, "PERSON", *q.named_at)]
    mentions = sorted(mentions, key=lambda m: m.start)
    aliases = alias_map([(m.name, m.label) for m in mentions])
    facts = extract_facts(article, mentions, aliases, ann.tags, settings)
    text = article.text
    nouns = [(i, stem(m.group(0))) for i in ann.nouns if (m := _WORD_AT.match(text, i))]
    return ArticleAnalysis(article.id, mentions, quotes, facts,
                           frozenset(content_stems(text)), nouns, sentences_of(article.id, text))


def analyze_articles(articles: Sequence[Article], cache: AnalysisCache | None = None,
                     settings: AnalyzeSettings = DEFAULTS.analyze) -> list[ArticleAnalysis]:
    """Per-article analysis with one batched NER pass over the articles not cached.

    Without a `cache` every article is read afresh (and nothing is kept).
    """
    keys = [article_key(a) for a in articles]
    out: list[ArticleAnalysis | None] = [cache.get(k) if cache is not None else None
                                         for k in keys]
    todo = [i for i, hit in enumerate(out) if hit is None]
    by_model: dict[str, list[int]] = {}  # one batched pass per language's pipeline
    for i in todo:
        by_model.setdefault(model_for(articles[i].lang, settings), []).append(i)
    for model, idx in by_model.items():
        anns = annotate([articles[i].text for i in idx], model=model)
        for i, ann in zip(idx, anns, strict=True):
            fresh = analyze_one(articles[i], ann, settings)
            out[i] = fresh
            if cache is not None:
                cache.put(keys[i], fresh)
    return [an for an in out if an is not None]
