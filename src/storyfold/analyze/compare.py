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
"""

from __future__ import annotations

import logging
import math
import re
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from storyfold.analyze.entities import (
    TITLE_WORDS,
    Annotation,
    Entity,
    Mention,
    alias_map,
    annotate,
)
from storyfold.analyze.entities import merge_entities as _merge_entities
from storyfold.analyze.facts import ClaimSentence, Facts, date_range, extract_facts
from storyfold.analyze.quotes import Quote, find_quotes
from storyfold.analyze.text import FUNCTION_WORDS, content_stems, stem, words
from storyfold.analyze.variants import QuoteSig, align_score, classify, signature, word_diff
from storyfold.model import Article

log = logging.getLogger(__name__)

QUOTE_LINK = 0.5  # align_score at which two quotes are taken as one utterance
OTHER_SPEAKER_LINK = 0.9  # ... when the two outlets name different speakers
CLAIM_LINK = 0.45  # content-stem cosine at which two sentences may state one claim
DATE_SENTENCE_LINK = 0.5  # ... at which two single-date sentences date one event
MAX_NOVEL = 0  # nouns a sentence may have that no other article of the story uses
NUMBER_TOLERANCE = 0.005
NAME_SPELLING = 0.8  # character similarity of two spellings of one name
CACHE_SIZE = 4096
_REPORTING = {"say", "announce"}  # statements recur; their dates are not one event's date
_TITLE_CANON = {"spokesman": "spokesperson", "spokeswoman": "spokesperson",
                "ceo": "chief executive", "chairman": "chair", "chairwoman": "chair",
                "chairperson": "chair"}


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


@dataclass
class Claim:
    text: str
    article: str  # where `text` comes from (the earliest article stating it)
    support: list[str]  # article ids stating it
    single_source: bool
    sources: int  # independent sources among the support


@dataclass
class ConflictValue:
    value: str
    articles: list[str]


@dataclass
class Conflict:
    slot: str
    kind: str  # date, number, title, name, speaker
    values: list[ConflictValue]


@dataclass
class Comparison:
    quotes: list[QuoteGroup] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for `json.dumps` (field names are the API: quotes, claims, ...)."""
        return asdict(self)


@dataclass
class ArticleAnalysis:
    """Everything read from one article; cached so a story's new member costs only itself."""

    article_id: str
    mentions: list[Mention]
    quotes: list[Quote]
    facts: Facts
    stems: frozenset[str] = frozenset()  # content-word stems of the whole text
    nouns: list[tuple[int, str]] = field(default_factory=list)  # common nouns (offset, stem)


_WORD_AT = re.compile(r"\w+")
_CACHE: OrderedDict[tuple[str, int, str], ArticleAnalysis] = OrderedDict()


def _key(a: Article) -> tuple[str, int, str]:
    return (a.id, hash(a.text), a.published.isoformat() if a.published else "")


def analyze_one(article: Article, ann: Annotation) -> ArticleAnalysis:
    """Quotes and facts of one article from its NLP annotation (pure)."""
    mentions = ann.mentions
    quotes = find_quotes(article, mentions)
    # a speaker the NER missed but the attribution names ("…,” Lind said) is a mention too
    spans = [(m.start, m.end) for m in mentions]
    for q in quotes:
        if q.named_at and q.speaker and not any(a < q.named_at[1] and q.named_at[0] < b
                                                for a, b in spans):
            name = article.text[q.named_at[0] : q.named_at[1]]
            mentions = [*mentions, Mention(name, "PERSON", *q.named_at)]
    mentions = sorted(mentions, key=lambda m: m.start)
    aliases = alias_map([(m.name, m.label) for m in mentions])
    facts = extract_facts(article, mentions, aliases, ann.tags)
    text = article.text
    nouns = [(i, stem(m.group(0))) for i in ann.nouns if (m := _WORD_AT.match(text, i))]
    return ArticleAnalysis(article.id, mentions, quotes, facts,
                           frozenset(content_stems(text)), nouns)


def analyze_articles(articles: Sequence[Article], use_cache: bool = True) -> list[ArticleAnalysis]:
    """Per-article analysis with one batched NER pass over the articles not seen before."""
    keys = [_key(a) for a in articles]
    todo = [i for i, k in enumerate(keys) if not (use_cache and k in _CACHE)]
    fresh: dict[int, ArticleAnalysis] = {}
    if todo:
        anns = annotate([articles[i].text for i in todo])
        for i, ann in zip(todo, anns, strict=True):
            fresh[i] = analyze_one(articles[i], ann)
            if use_cache:
                _CACHE[keys[i]] = fresh[i]
                while len(_CACHE) > CACHE_SIZE:
                    _CACHE.popitem(last=False)
    out = []
    for i, k in enumerate(keys):
        if i in fresh:
            out.append(fresh[i])
        else:
            _CACHE.move_to_end(k)
            out.append(_CACHE[k])
    return out


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


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[rj] = ri

    def components(self) -> list[list[int]]:
        """Members of each set, sets in order of their first member."""
        comps: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            comps[self.find(i)].append(i)
        return list(comps.values())


# ---- quotes ----------------------------------------------------------------------------
def group_quotes(quotes: list[Quote], rank: dict[str, int],
                 aliases: dict[str, str]) -> list[QuoteGroup]:
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
            differ = bool(si and sj and not same_person(si, sj))
            if s >= (OTHER_SPEAKER_LINK if differ else QUOTE_LINK):
                pairs.append((s, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    uf = _UnionFind(len(quotes))
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


# ---- claims ----------------------------------------------------------------------------
def _num_close(a: float, b: float) -> bool:
    return abs(a - b) <= NUMBER_TOLERANCE * max(abs(a), abs(b), 1e-9)


def _dates_overlap(a: str, b: str) -> bool:
    (a1, a2), (b1, b2) = date_range(a), date_range(b)
    return a1 <= b2 and b1 <= a2


def _covered(claim: ClaimSentence, unique_nouns: set[str], other_entities: set[str],
             other_numbers: list[float], aliases: dict[str, str], other_dates: list[str]) -> bool:
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
        if not any(_num_close(v, w) for w in other_numbers):
            return False
    for d in claim.dates:
        if not any(_dates_overlap(d, o) for o in other_dates):
            return False
    return len(unique_nouns) <= MAX_NOVEL


def group_claims(analyses: list[ArticleAnalysis], rank: dict[str, int], aliases: dict[str, str],
                 roots: dict[str, str]) -> list[Claim]:
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
            if shared < 3:
                continue
            if shared / math.sqrt(len(stems[i]) * len(stems[j])) < CLAIM_LINK:
                continue
            i_by_j = _covered(a, unique_nouns[i], art_ents[b.article], art_nums[b.article],
                              aliases, art_dates[b.article])
            j_by_i = _covered(b, unique_nouns[j], art_ents[a.article], art_nums[a.article],
                              aliases, art_dates[a.article])
            if i_by_j:
                supported_by[i].add(b.article)
            if j_by_i:
                supported_by[j].add(a.article)
            if i_by_j and j_by_i:
                links.append((i, j))
    uf = _UnionFind(len(items))
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


# ---- conflicts -------------------------------------------------------------------------
def _disagree(per_article: dict[str, list[Any]], same: Any) -> bool:
    """Two articles each give a value the other never gives, and share none."""
    arts = list(per_article)
    for x in range(len(arts)):
        for y in range(x + 1, len(arts)):
            va, vb = per_article[arts[x]], per_article[arts[y]]
            if not any(same(p, q) for p in va for q in vb):
                return True
    return False


def _values(per_article: dict[str, list[Any]], same: Any, show: Any,
            rank: dict[str, int]) -> list[ConflictValue]:
    reps: list[tuple[Any, list[str]]] = []
    for art in sorted(per_article, key=lambda a: rank.get(a, 0)):
        for v in per_article[art]:
            for rep, arts in reps:
                if same(rep, v):
                    if art not in arts:
                        arts.append(art)
                    break
            else:
                reps.append((v, [art]))
    return [ConflictValue(show(v), arts) for v, arts in reps]


def _date_conflicts(analyses: list[ArticleAnalysis], aliases: dict[str, str],
                    rank: dict[str, int]) -> list[Conflict]:
    """Event dates that disagree once relative dates are resolved.

    Two dates are of one event when they share a slot — the same event verb and named
    subject, or the same common-noun subject ("the fire", "the earthquake": outlets
    vary the verb, not the event) — or the same event verb with two names in common
    ("Tarsel and Meridia signed" / "signed by Meridia and Tarsel"), or when each is the
    only date of two sentences that say much the same thing ("A court found X guilty on
    Thursday" / "A court convicted X on Wednesday").
    """
    facts = []
    for an in analyses:
        per_sentence: dict[str, int] = defaultdict(int)
        for d in an.facts.dates:
            per_sentence[d.sentence] += 1
        for d in an.facts.dates:
            if d.value and d.event and d.subject and d.event not in _REPORTING and not d.quoted:
                subject = aliases.get(d.subject, d.subject)
                key = ("noun", subject) if subject.islower() else ("named", d.event, subject)
                facts.append((an.article_id, d, key, per_sentence[d.sentence] == 1,
                              content_stems(d.sentence)))
    uf = _UnionFind(len(facts))
    first: dict[tuple[str, ...], int] = {}
    for i, (_, _, key, _, _) in enumerate(facts):
        if key in first:
            uf.union(first[key], i)
        else:
            first[key] = i
    for i in range(len(facts)):
        for j in range(i + 1, len(facts)):
            ai, di, _, only_i, si = facts[i]
            aj, dj, _, only_j, sj = facts[j]
            if ai == aj:
                continue
            shared = {aliases.get(n, n) for n in di.names} & {aliases.get(n, n) for n in dj.names}
            same_event = di.event == dj.event and len(shared) >= 2
            similar = only_i and only_j and si and sj and (
                len(si & sj) / math.sqrt(len(si) * len(sj)) >= DATE_SENTENCE_LINK)
            if same_event or similar:
                uf.union(i, j)
    out = []
    for members in uf.components():
        per: dict[str, list[str]] = defaultdict(list)
        for k in members:
            art, d = facts[k][0], facts[k][1]
            if d.value not in per[art]:
                per[art].append(d.value)
        if len(per) >= 2 and _disagree(per, _dates_overlap):
            d0 = facts[min(members, key=lambda k: rank.get(facts[k][0], 0))][1]
            subject = aliases.get(d0.subject or "", d0.subject or "")
            out.append(Conflict(f"date: {subject} {d0.event}", "date",
                                _values(per, _dates_overlap, str, rank)))
    return out


def _number_conflicts(analyses: list[ArticleAnalysis], rank: dict[str, int]) -> list[Conflict]:
    """Counts and measures of one slot that differ between articles."""
    slots: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    about: dict[str, str] = {}
    shown: dict[tuple[str, float], str] = {}
    for an in sorted(analyses, key=lambda x: rank.get(x.article_id, 0)):
        for n in an.facts.numbers:
            if not n.qualified or n.quoted:
                continue
            slots[n.slot][an.article_id].append(n.value)
            about.setdefault(n.slot, n.about or n.unit)
            shown.setdefault((n.slot, n.value), n.display or f"{n.value:g}")
    out = []
    for slot, per in slots.items():
        same = (lambda a, b: a == b) if slot.startswith("score|") else _num_close
        if len(per) >= 2 and _disagree(per, same):
            out.append(Conflict(about[slot], "number",
                                _values(per, same, lambda v, s=slot: shown[(s, v)], rank)))
    return out


_GENERIC_MODIFIERS = {"former", "acting", "interim", "then", "ex", "current", "new", "outgoing",
                      "incoming", "longtime", "veteran", "senior"}


_GENERIC_TITLES = {"leader", "head", "boss", "official", "officer", "representative"}


def _title_parts(title: str, names: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Head title words ("director") and what qualifies them ("finance"), names left out.

    Generic role words ("leader", "head") have no head: they fit any specific title.
    """
    ws = [w for w in words(title) if w not in FUNCTION_WORDS and w not in _GENERIC_MODIFIERS]
    heads = frozenset(_TITLE_CANON.get(w, w) for w in ws
                      if w in TITLE_WORDS and w not in _GENERIC_TITLES)
    quals = frozenset(stem(w) for w in ws if w not in TITLE_WORDS and w not in names)
    return heads, quals


def _title_conflicts(analyses: list[ArticleAnalysis], aliases: dict[str, str],
                     rank: dict[str, int]) -> list[Conflict]:
    norp = {w for an in analyses for m in an.mentions if m.label != "PERSON"
            for w in words(m.name)}
    norp |= {w.rstrip("s") for w in norp} | {"city", "town", "country", "state", "region"}
    parts: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # each title parsed once
    per_person: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for an in analyses:
        for m in an.mentions:
            if m.label != "PERSON" or not m.title:
                continue
            for t in m.title.split("; "):
                if t not in parts:
                    parts[t] = _title_parts(t, norp)
                if not parts[t][0]:
                    continue
                held = per_person[aliases.get(m.name, m.name)][an.article_id]
                if t not in held:
                    held.append(t)

    def same(a: str, b: str) -> bool:
        (ha, qa), (hb, qb) = parts[a], parts[b]
        if not ha & hb:
            return False
        return not (qa and qb and not qa & qb)

    out = []
    for person, per in per_person.items():
        if len(per) >= 2 and _disagree(per, same):
            out.append(Conflict(f"title of {person}", "title", _values(per, same, str, rank)))
    return out


def _name_conflicts(entities: list[Entity], rank: dict[str, int]) -> list[Conflict]:
    persons = [e for e in entities if e.label == "PERSON" and len(e.name.split()) >= 2]
    out = []
    for i, a in enumerate(persons):
        for b in persons[i + 1 :]:
            if set(a.articles) & set(b.articles):
                continue
            if same_person(a.name, b.name):
                first, second = sorted((a, b), key=lambda e: min(rank.get(x, 0)
                                                                for x in e.articles))
                out.append(Conflict(f"spelling of {first.name}", "name", [
                    ConflictValue(first.name, sorted(first.articles, key=lambda x: rank.get(x, 0))),
                    ConflictValue(second.name, sorted(second.articles,
                                                      key=lambda x: rank.get(x, 0)))]))
    return out


def same_person(a: str, b: str) -> bool:
    """One name, or two spellings of it (those are reported as a name conflict instead)."""
    return a == b or SequenceMatcher(None, a.lower(), b.lower()).ratio() >= NAME_SPELLING


def _speaker_conflicts(groups: list[QuoteGroup], rank: dict[str, int]) -> list[Conflict]:
    out = []
    for g in groups:
        per: dict[str, list[str]] = defaultdict(list)
        for v in g.variants:
            if v.speaker and v.speaker not in per[v.article]:
                per[v.article].append(v.speaker)
        if len(per) >= 2 and _disagree(per, same_person):
            head = " ".join(g.variants[0].text.split()[:8])
            out.append(Conflict(f"speaker of “{head}…”", "speaker",
                                _values(per, same_person, str, rank)))
    return out


# ---- the story ---------------------------------------------------------------------------
def compare_story(articles: list[Article],
                  derived_from: dict[str, str | None] | None = None) -> Comparison:
    """Compare the articles of one story: quote variants, claims, conflicts, entities.

    `derived_from` maps an article id to the id it was copied or rewritten from (None for
    originals and independent reports), as provenance computes it; without it every
    article counts as an independent source.
    """
    if not articles:
        return Comparison()
    analyses = analyze_articles(articles)
    rank = _order(articles)
    mentions = {an.article_id: an.mentions for an in analyses}
    extra = {(q.speaker, "PERSON") for an in analyses for q in an.quotes if q.speaker}
    entities, _ = _merge_entities(mentions)
    aliases = alias_map({(m.name, m.label) for ms in mentions.values() for m in ms} | extra)
    roots = _roots([a.id for a in articles], derived_from)
    quotes = [q for an in analyses for q in an.quotes]
    groups = group_quotes(quotes, rank, aliases)
    claims = group_claims(analyses, rank, aliases, roots)
    conflicts = (_date_conflicts(analyses, aliases, rank) + _number_conflicts(analyses, rank)
                 + _title_conflicts(analyses, aliases, rank) + _name_conflicts(entities, rank)
                 + _speaker_conflicts(groups, rank))
    log.debug("compared %d articles: %d quote groups, %d claims, %d conflicts", len(articles),
              len(groups), len(claims), len(conflicts))
    return Comparison(groups, claims, conflicts, entities)
