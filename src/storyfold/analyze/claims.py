"""Claims: fact-bearing sentences grouped across articles, with who states them.

Two sentences are grouped when they say the same thing *and* the other article covers
the sentence's names, numbers and content words (a sentence adding "uranium" to
"oil-rich" is not supported by the one that only says "oil-rich"). A claim is
single-source when all the articles stating it derive from one original.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import dates_overlap
from storyfold.analyze.facts import ClaimSentence
from storyfold.analyze.unionfind import UnionFind
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.numbers import same_value
from storyfold.text.tokens import content_stems


@dataclass
class Claim:
    text: str
    article: str  # where `text` comes from (the earliest article stating it)
    support: list[str]  # article ids stating it
    single_source: bool
    sources: int  # independent sources among the support



def _covered(claim: ClaimSentence, unique_nouns: set[str], other_entities: set[str],
             other_numbers: list[float], aliases: dict[str, str], other_dates: list[str],
             settings: AnalyzeSettings) -> bool:
    """Does another article carry this sentence's names, numbers, dates and facts?

    Names, numbers and dates must all be there. Of the common nouns, only those that no other
    article of the story uses count against support: a noun only this article has
    ("rich in oil and uranium") is a fact only it states, while verbs, adjectives and
    nouns other outlets also use are the wording a rewrite is free to change.
    """
    for e in claim.entities:
        if aliases.get(e, e) not in other_entities:
            return False
    for v in claim.numbers:
        if not any(same_value(v, w, settings.number_tolerance) for w in other_numbers):
            return False
    for d in claim.dates:
        if not any(dates_overlap(d, o) for o in other_dates):
            return False
    return len(unique_nouns) <= settings.max_novel


def group_claims(analyses: list[ArticleAnalysis], rank: dict[str, int], aliases: dict[str, str],
                 roots: dict[str, str],
                 settings: AnalyzeSettings = DEFAULTS.analyze) -> list[Claim]:
    """Claims with the articles that state them; single-source when one original stands behind."""
    items: list[ClaimSentence] = [c for an in analyses for c in an.facts.claims]
    stems = [content_stems(c.text) for c in items]
    holders: dict[str, set[str]] = defaultdict(set)
    for an in analyses:
        for st in an.stems:
            holders[st].add(an.article_id)
    unique_nouns: list[set[str]] = []
    by_id = {an.article_id: an for an in analyses}
    for c in items:
        nouns = {st for pos, st in by_id[c.article].nouns if c.start <= pos < c.end}
        unique_nouns.append({st for st in nouns if holders.get(st, set()) <= {c.article}})
    art_ents = {an.article_id: {aliases.get(m.name, m.name) for m in an.mentions}
                for an in analyses}
    art_nums = {an.article_id: [n.value for n in an.facts.numbers] for an in analyses}
    art_dates = {an.article_id: [d.value for d in an.facts.dates if d.value] for an in analyses}
    supported_by: list[set[str]] = [{c.article} for c in items]
    links: list[tuple[int, int]] = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = items[i], items[j]
            if a.article == b.article or not stems[i] or not stems[j]:
                continue
            shared = len(stems[i] & stems[j])
            if shared < settings.claim_min_shared:
                continue
            if shared / math.sqrt(len(stems[i]) * len(stems[j])) < settings.claim_link:
                continue
            i_by_j = _covered(a, unique_nouns[i], art_ents[b.article], art_nums[b.article],
                              aliases, art_dates[b.article], settings)
            j_by_i = _covered(b, unique_nouns[j], art_ents[a.article], art_nums[a.article],
                              aliases, art_dates[a.article], settings)
            if i_by_j:
                supported_by[i].add(b.article)
            if j_by_i:
                supported_by[j].add(a.article)
            if i_by_j and j_by_i:
                links.append((i, j))
    uf = UnionFind(len(items))
    for i, j in links:
        uf.union(i, j)
    claims: list[Claim] = []
    for idx in uf.components():
        idx.sort(key=lambda k: (rank.get(items[k].article, 0), items[k].start))
        rep = items[idx[0]]
        support = set().union(*(supported_by[k] for k in idx))
        support_list = sorted(support, key=lambda a: rank.get(a, 0))
        sources = len({roots.get(a, a) for a in support})
        claims.append(Claim(rep.text, rep.article, support_list, sources == 1, sources))
    claims.sort(key=lambda c: (-len(c.support), rank.get(c.article, 0)))
    return claims

