"""Claims: fact-bearing sentences grouped across articles, with who states them.

Two sentences are grouped when they say the same thing *and* the other article covers
the sentence's names, numbers and content words (a sentence adding "uranium" to
"oil-rich" is not supported by the one that only says "oil-rich"). A sentence is also
supported by an article that restates part of it in a sentence of its own (a shared
figure or event day and words beside it, see `paraphrase`): an independent outlet seldom
repeats a wire sentence whole. A claim is single-source when all the articles stating it
derive from one original.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from storyfold.analyze.align import Aligned
from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import dates_overlap
from storyfold.analyze.facts import ClaimSentence
from storyfold.analyze.paraphrase import restates, sentences_said
from storyfold.analyze.restate import figures_agree
from storyfold.analyze.support import reporting_lines, support_label
from storyfold.analyze.unionfind import UnionFind
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.numbers import same_value
from storyfold.text.tokens import content_stems


@dataclass
class Claim:
    text: str
    article: str  # where `text` comes from (the earliest article stating it)
    support: list[str]  # article ids stating it
    single_source: bool  # one reporting line carries it (`support`)
    sources: int  # independent reporting lines among the support
    support_label: str = ""  # "2 independent reports (5 articles)"



def _found(claim: ClaimSentence, other_entities: set[str], other_numbers: list[float],
           aliases: dict[str, str], other_dates: list[str],
           settings: AnalyzeSettings) -> tuple[int, int]:
    """How many of the sentence's names, figures and dates the other article gives, of all
    (`other_numbers` include the figures a restating sentence gives in other terms)."""
    found = sum(aliases.get(e, e) in other_entities or _names_one(e, other_entities)
                for e in claim.entities)
    found += sum(any(same_value(v, w, settings.number_tolerance) for w in other_numbers)
                 for v in claim.numbers)
    found += sum(any(dates_overlap(d, o) for o in other_dates) for d in claim.dates)
    return found, len(claim.entities) + len(claim.numbers) + len(claim.dates)


def _covered(claim: ClaimSentence, unique_nouns: set[str], other_entities: set[str],
             other_numbers: list[float], aliases: dict[str, str], other_dates: list[str],
             settings: AnalyzeSettings, max_novel: int) -> bool:
    """Does another article carry this sentence's names, numbers, dates and facts?

    Names, numbers and dates must all be there. Of the common nouns, only those that no other
    article of the story uses count against support: a noun only this article has
    ("rich in oil and uranium") is a fact only it states, while verbs, adjectives and
    nouns other outlets also use are the wording a rewrite is free to change.
    """
    for e in claim.entities:
        if aliases.get(e, e) not in other_entities and not _names_one(e, other_entities):
            return False
    for v in claim.numbers:
        if not any(same_value(v, w, settings.number_tolerance) for w in other_numbers):
            return False
    for d in claim.dates:
        if not any(dates_overlap(d, o) for o in other_dates):
            return False
    return len(unique_nouns) <= max_novel


_PARTNER_BEFORE = re.compile(r"(\w+)\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}$")
_PARTNER_AFTER = re.compile(r"^\w+\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}?(\w+)")
_BEFORE_CONJ = re.compile(r"\w+\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}$")
_AFTER_CONJ = re.compile(r"^\w+\s*,?\s+(?:and|or|as well as)\s+\w+")


def _in_list(text: str, pos: int) -> bool:
    """The word at `pos` is joined to another by "and"/"or": an item of a list."""
    return bool(_BEFORE_CONJ.search(text[max(0, pos - 60) : pos])
                or _AFTER_CONJ.match(text[pos : pos + 60]))


def _list_partners(text: str, pos: int) -> set[str]:
    """Stems of the words joined by "and"/"or" to the word at `pos` ("oil" for "uranium"
    in "rich in oil and uranium")."""
    before = _PARTNER_BEFORE.search(text[max(0, pos - 60) : pos])
    after = _PARTNER_AFTER.match(text[pos : pos + 60])
    return set().union(*(content_stems(m.group(1)) for m in (before, after) if m))


def _restatements(items: list[ClaimSentence], analyses: list[ArticleAnalysis],
                  unique_at: list[list[int]], art_ents: dict[str, set[str]],
                  art_nums: dict[str, list[float]], art_dates: dict[str, list[str]],
                  aliases: dict[str, str], settings: AnalyzeSettings) -> list[set[str]]:
    """Per claim sentence, the articles with a sentence restating it, even in part.

    The other article must also give at least `restate_specifics` of the claim's names,
    figures and days, and the claim must not list an item beside one the other article has
    ("oil and uranium" against "oil-rich": that item is the claim's own). A partial
    restatement adds support only: it does not make the two sentences one claim.
    """
    said = {an.article_id: sentences_said(an) for an in analyses}
    stems = {an.article_id: an.stems for an in analyses}
    out: list[set[str]] = [set() for _ in items]
    for i, c in enumerate(items):
        s = next((t for t in said[c.article] if t.start <= c.start < t.end), None)
        if s is None:
            continue
        partners = set().union(*(_list_partners(c.text, pos - c.start) for pos in unique_at[i]))
        for art, theirs in said.items():
            if art == c.article or partners & stems[art]:
                continue
            hits = [t for t in theirs if restates(s, t, settings)]
            if not hits:
                continue
            restated = [v.value for t in hits for w in t.figures for v in s.figures
                        if figures_agree(v, w, settings.number_tolerance,
                                         settings.approx_tolerance)]
            found, total = _found(c, art_ents[art], art_nums[art] + restated, aliases,
                                  art_dates[art], settings)
            if found >= settings.restate_specifics * total:
                out[i].add(art)
    return out


def _names_one(name: str, others: set[str]) -> bool:
    """The name, shortened or lengthened, among `others`: "Porto" and "Porto Verde" (the
    recogniser cuts and extends names differently in different articles)."""
    mine = set(name.lower().split())
    return any((mine <= set(o.lower().split()) or set(o.lower().split()) <= mine)
               and mine & set(o.lower().split()) for o in others)


def _restated(items: list[ClaimSentence], aligned: list[Aligned],
              settings: AnalyzeSettings) -> set[tuple[int, int]]:
    """Pairs of claim sentences (i < j) that the sentence alignment pairs: a paraphrase
    states the claim it paraphrases even when it shares fewer words than `claim_link` asks."""
    by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for k, c in enumerate(items):
        by_article[c.article].append((c.start, k))
    out: set[tuple[int, int]] = set()

    def claim_in(art: str, start: int, end: int) -> int | None:
        return next((k for st, k in by_article.get(art, ()) if start <= st < end), None)

    for al in aligned:
        if not al.best or al.score < settings.align_min:
            continue
        i = claim_in(al.a.article, al.a.start, al.a.end)
        j = claim_in(al.b.article, al.b.start, al.b.end) if i is not None else None
        if i is not None and j is not None:
            out.add((min(i, j), max(i, j)))
    return out


def group_claims(analyses: list[ArticleAnalysis], rank: dict[str, int], aliases: dict[str, str],
                 roots: dict[str, str],
                 settings: AnalyzeSettings = DEFAULTS.analyze,
                 aligned: list[Aligned] | None = None,
                 texts_numbers: dict[str, list[float]] | None = None) -> list[Claim]:
    """Claims with the articles that state them; single-source when one original stands behind.

    `aligned`: the story's sentence alignment; sentences it pairs are compared for support
    whatever their word overlap (the names, figures and dates must still be there).
    `texts_numbers`: every figure each article writes in digits (a figure the reader of
    facts could not tie to a noun is still given by the article).
    """
    items: list[ClaimSentence] = [c for an in analyses for c in an.facts.claims]
    stems = [content_stems(c.text) for c in items]
    holders: dict[str, set[str]] = defaultdict(set)
    for an in analyses:
        for st in an.stems:
            holders[st].add(an.article_id)
    unique_nouns: list[set[str]] = []
    listed: list[bool] = []  # a unique noun stands in a list: "oil and uranium"
    unique_at: list[list[int]] = []  # offsets of those nouns
    by_id = {an.article_id: an for an in analyses}
    for c in items:
        mine = [(pos, st) for pos, st in by_id[c.article].nouns if c.start <= pos < c.end]
        unique = [(pos, st) for pos, st in mine if holders.get(st, set()) <= {c.article}]
        unique_nouns.append({st for _, st in unique})
        unique_at.append([pos for pos, _ in unique])
        listed.append(any(_in_list(c.text, pos - c.start) for pos, _ in unique))
    art_ents = {an.article_id: {aliases.get(m.name, m.name) for m in an.mentions}
                for an in analyses}
    art_nums = {an.article_id: [n.value for n in an.facts.numbers]
                + list((texts_numbers or {}).get(an.article_id, [])) for an in analyses}
    art_dates = {an.article_id: [d.value for d in an.facts.dates if d.value] for an in analyses}
    supported_by: list[set[str]] = [{c.article} for c in items]
    links: list[tuple[int, int]] = []
    restated = _restated(items, aligned or [], settings)
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = items[i], items[j]
            if a.article == b.article or not stems[i] or not stems[j]:
                continue
            shared = len(stems[i] & stems[j])
            if (i, j) not in restated and (
                    shared < settings.claim_min_shared
                    or shared / math.sqrt(len(stems[i]) * len(stems[j])) < settings.claim_link):
                continue
            # a restatement may name a thing in its own word ("breach" for "attack"), but
            # not add an item to a list
            novel_i = settings.max_novel + int((i, j) in restated and not listed[i])
            novel_j = settings.max_novel + int((i, j) in restated and not listed[j])
            i_by_j = _covered(a, unique_nouns[i], art_ents[b.article], art_nums[b.article],
                              aliases, art_dates[b.article], settings, novel_i)
            j_by_i = _covered(b, unique_nouns[j], art_ents[a.article], art_nums[a.article],
                              aliases, art_dates[a.article], settings, novel_j)
            if i_by_j:
                supported_by[i].add(b.article)
            if j_by_i:
                supported_by[j].add(a.article)
            if i_by_j and j_by_i:
                links.append((i, j))
    restating = _restatements(items, analyses, unique_at, art_ents, art_nums, art_dates,
                              aliases, settings)
    for i, articles in enumerate(restating):
        supported_by[i] |= articles  # support only: a partial restatement is not the same claim
    uf = UnionFind(len(items))
    for i, j in links:
        uf.union(i, j)
    claims: list[Claim] = []
    for idx in uf.components():
        idx.sort(key=lambda k: (rank.get(items[k].article, 0), items[k].start))
        rep = items[idx[0]]
        support = set().union(*(supported_by[k] for k in idx))
        support_list = sorted(support, key=lambda a: rank.get(a, 0))
        sources = reporting_lines(support, roots)
        claims.append(Claim(rep.text, rep.article, support_list, sources == 1, sources,
                            support_label(sources, len(support_list))))
    claims.sort(key=lambda c: (-len(c.support), rank.get(c.article, 0)))
    return claims

