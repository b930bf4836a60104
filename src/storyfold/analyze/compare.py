"""What the articles of one story agree on and where they differ.

`compare_story` reads each article once (entities, quotes, numbers, dates, claim
sentences; see the sibling modules) and then works across articles only:

* **quotes** — renderings of one utterance are grouped by fuzzy word alignment, one per
  article, best pairs first; each is classified against the earliest article's rendering
  (verbatim / trimmed / punctuation / altered) with a similarity and a word diff. Two
  quotes of one article never share a group, so two different things one person said stay
  apart; the same words attributed to two different people are grouped only when nearly
  identical, and then reported as a conflict.
* **claims** — fact-bearing sentences are grouped when they say the same thing *and* the
  other article covers the sentence's names, numbers and content words (a sentence adding
  "uranium" to "oil-rich" is not supported by the one that only says "oil-rich").
  A claim is single-source when all the articles stating it derive from one original.
* **conflicts** — one slot, different values: event dates after relative dates are
  resolved, counts of one thing, a person's title, a name's spelling, a quote's speaker.
* **entities** — merged across the story ("Macron" joins "Emmanuel Macron").

Each concept is its own module: `analysis` (per article, cached), `quote_groups`,
`claims`, `conflicts`; this one puts them together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from storyfold.analyze.align import align
from storyfold.analyze.analysis import AnalysisCache, analyze_articles
from storyfold.analyze.claims import Claim, group_claims
from storyfold.analyze.conflicts import Conflict, find_conflicts
from storyfold.analyze.entities import Entity, alias_map
from storyfold.analyze.entities import merge_entities as _merge_entities
from storyfold.analyze.evidence import numbers_in
from storyfold.analyze.quote_groups import QuoteGroup, group_quotes
from storyfold.model import Article
from storyfold.settings import DEFAULTS, AnalyzeSettings

log = logging.getLogger(__name__)


@dataclass
class Comparison:
    quotes: list[QuoteGroup] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for `json.dumps` (field names are the API: quotes, claims, ...)."""
        return asdict(self)


def _order(articles: Sequence[Article]) -> dict[str, int]:
    """Rank of each article: earliest published first, ties (and undated last) by input order."""
    far = datetime.max.replace(tzinfo=None)

    def when(a: Article) -> datetime:
        return a.published.replace(tzinfo=None) if a.published else far

    ranked = sorted(range(len(articles)), key=lambda i: (when(articles[i]), i))
    return {articles[i].id: r for r, i in enumerate(ranked)}


def _roots(ids: Sequence[str], derived_from: dict[str, str | None] | None) -> dict[str, str]:
    """The original each article derives from (itself when independent)."""
    out: dict[str, str] = {}
    for a in ids:
        cur, seen = a, {a}
        while derived_from and derived_from.get(cur) and derived_from[cur] not in seen:
            cur = derived_from[cur]  # type: ignore[assignment]
            seen.add(cur)
        out[a] = cur
    return out



# ---- the story ---------------------------------------------------------------------------
def compare_story(articles: list[Article],
                  derived_from: dict[str, str | None] | None = None,
                  cache: AnalysisCache | None = None,
                  settings: AnalyzeSettings = DEFAULTS.analyze) -> Comparison:
    """Compare the articles of one story: quote variants, claims, conflicts, entities.

    `derived_from` maps an article id to the id it was copied or rewritten from (None for
    originals and independent reports), as provenance computes it; without it every
    article counts as an independent source. `cache`: where the articles' readings are
    kept between calls (none: read afresh).
    """
    if not articles:
        return Comparison()
    analyses = analyze_articles(articles, cache, settings)
    rank = _order(articles)
    mentions = {an.article_id: an.mentions for an in analyses}
    extra = {(q.speaker, "PERSON") for an in analyses for q in an.quotes if q.speaker}
    entities, _ = _merge_entities(mentions)
    aliases = alias_map({(m.name, m.label) for ms in mentions.values() for m in ms} | extra)
    roots = _roots([a.id for a in articles], derived_from)
    quotes = [q for an in analyses for q in an.quotes]
    groups = group_quotes(quotes, rank, aliases, settings)
    sents = {an.article_id: an.sentences for an in analyses}
    aligned = align(sents, rank, settings.align_min, settings.align_min_shared,
                    settings.align_figure_min)
    digits = {a.id: numbers_in(a.text) for a in articles}
    claims = group_claims(analyses, rank, aliases, roots, settings, aligned, digits)
    conflicts = find_conflicts(analyses, entities, groups, aliases, rank, settings, aligned,
                               digits)
    log.debug("compared %d articles: %d quote groups, %d claims, %d conflicts", len(articles),
              len(groups), len(claims), len(conflicts))
    return Comparison(groups, claims, conflicts, entities)
