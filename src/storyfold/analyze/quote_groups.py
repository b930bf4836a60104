"""Renderings of one utterance across the articles of a story, grouped and classified.

Renderings are grouped by fuzzy word alignment, one per article, best pairs first; each is
classified against the earliest article's rendering (verbatim / trimmed / punctuation /
altered) with a similarity and a word diff. Two quotes of one article never share a group,
so two different things one person said stay apart; the same words attributed to two
different people are grouped only when nearly identical (then reported as a conflict).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from storyfold.analyze.quotes import Quote
from storyfold.analyze.unionfind import UnionFind
from storyfold.analyze.variants import QuoteSig, align_score, classify, signature, word_diff
from storyfold.settings import DEFAULTS, AnalyzeSettings


@dataclass
class Variant:
    """One article's rendering of a quote, compared with the reference (earliest) one."""

    article: str
    text: str
    kind: str  # verbatim, trimmed, punctuation, altered
    score: float
    diff: list[dict[str, str]]
    speaker: str | None = None
    start: int = 0
    end: int = 0
    partial: bool = False
    reference: bool = False


@dataclass
class QuoteGroup:
    speaker: str | None
    variants: list[Variant]



def same_person(a: str, b: str, spelling: float = DEFAULTS.analyze.name_spelling) -> bool:
    """One name, or two spellings of it (those are reported as a name conflict instead).

    `spelling`: `AnalyzeSettings.name_spelling`.
    """
    return a == b or SequenceMatcher(None, a.lower(), b.lower()).ratio() >= spelling


def group_quotes(quotes: list[Quote], rank: dict[str, int], aliases: dict[str, str],
                 settings: AnalyzeSettings = DEFAULTS.analyze) -> list[QuoteGroup]:
    """Group renderings of one utterance across articles and classify each variant."""
    sigs: list[QuoteSig] = [signature(q.text) for q in quotes]
    speakers = [aliases.get(q.speaker, q.speaker) if q.speaker else None for q in quotes]
    pairs: list[tuple[float, int, int]] = []
    for i in range(len(quotes)):
        for j in range(i + 1, len(quotes)):
            if quotes[i].article == quotes[j].article:
                continue
            if not (sigs[i].stems & sigs[j].stems) and not set(sigs[i].words) & set(sigs[j].words):
                continue
            s = align_score(sigs[i], sigs[j])
            si, sj = speakers[i], speakers[j]
            differ = bool(si and sj and not same_person(si, sj, settings.name_spelling))
            if s >= (settings.other_speaker_link if differ else settings.quote_link):
                pairs.append((s, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    uf = UnionFind(len(quotes))
    members: dict[int, set[int]] = {i: {i} for i in range(len(quotes))}
    arts: dict[int, set[str]] = {i: {q.article} for i, q in enumerate(quotes)}
    for _, i, j in pairs:
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or arts[ri] & arts[rj]:
            continue  # one rendering per article: two quotes of one article are two utterances
        uf.parent[rj] = ri
        members[ri] |= members.pop(rj)
        arts[ri] |= arts.pop(rj)
    groups: list[QuoteGroup] = []
    for root in sorted(members, key=lambda r: min((rank.get(quotes[k].article, 0), quotes[k].start)
                                                 for k in members[r])):
        idx = sorted(members[root], key=lambda k: (rank.get(quotes[k].article, 0), quotes[k].start))
        ref = quotes[idx[0]]
        variants = []
        for n, k in enumerate(idx):
            q = quotes[k]
            if n == 0:
                kind, score, diff = "verbatim", 1.0, [{"op": "equal", "ref": ref.text}]
            else:
                kind, score = classify(ref.text, q.text)
                diff = word_diff(ref.text, q.text)
            variants.append(Variant(q.article, q.text, kind, score, diff, speakers[k], q.start,
                                    q.end, q.partial, n == 0))
        named = [v.speaker for v in variants if v.speaker]
        speaker = max(named, key=lambda s: (named.count(s), -named.index(s))) if named else None
        groups.append(QuoteGroup(speaker, variants))
    return groups

