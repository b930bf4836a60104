"""Conflicts: one slot, different values across the articles of a story.

Event dates once relative dates are resolved, counts of one thing, a person's title, a
name's spelling, a quote's speaker. Two articles conflict on a slot when each gives a
value the other never gives and they share none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import dates_overlap
from storyfold.analyze.entities import TITLE_WORDS, Entity
from storyfold.analyze.quote_groups import QuoteGroup, same_person
from storyfold.analyze.unionfind import UnionFind
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.numbers import same_value
from storyfold.text.tokens import FUNCTION_WORDS, content_stems, stem, words

_REPORTING = {"say", "announce"}  # statements recur; their dates are not one event's date
_TITLE_CANON = {"spokesman": "spokesperson", "spokeswoman": "spokesperson",
                "ceo": "chief executive", "chairman": "chair", "chairwoman": "chair",
                "chairperson": "chair"}



@dataclass
class ConflictValue:
    value: str
    articles: list[str]


@dataclass
class Conflict:
    slot: str
    kind: str  # date, number, title, name, speaker
    values: list[ConflictValue]



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
                    rank: dict[str, int], settings: AnalyzeSettings) -> list[Conflict]:
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
    uf = UnionFind(len(facts))
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
                len(si & sj) / math.sqrt(len(si) * len(sj)) >= settings.date_sentence_link)
            if same_event or similar:
                uf.union(i, j)
    out = []
    for members in uf.components():
        per: dict[str, list[str]] = defaultdict(list)
        for k in members:
            art, d = facts[k][0], facts[k][1]
            if d.value is not None and d.value not in per[art]:  # all are resolved here
                per[art].append(d.value)
        if len(per) >= 2 and _disagree(per, dates_overlap):
            d0 = facts[min(members, key=lambda k: rank.get(facts[k][0], 0))][1]
            subject = aliases.get(d0.subject or "", d0.subject or "")
            out.append(Conflict(f"date: {subject} {d0.event}", "date",
                                _values(per, dates_overlap, str, rank)))
    return out


def _number_conflicts(analyses: list[ArticleAnalysis], rank: dict[str, int],
                      settings: AnalyzeSettings) -> list[Conflict]:
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
        same: Callable[[float, float], bool] = (
            (lambda a, b: a == b) if slot.startswith("score|")
            else (lambda a, b: same_value(a, b, settings.number_tolerance)))
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


def _name_conflicts(entities: list[Entity], rank: dict[str, int],
                    settings: AnalyzeSettings) -> list[Conflict]:
    persons = [e for e in entities if e.label == "PERSON" and len(e.name.split()) >= 2]
    out = []
    for i, a in enumerate(persons):
        for b in persons[i + 1 :]:
            if set(a.articles) & set(b.articles):
                continue
            if same_person(a.name, b.name, settings.name_spelling):
                first, second = sorted((a, b), key=lambda e: min(rank.get(x, 0)
                                                                for x in e.articles))
                out.append(Conflict(f"spelling of {first.name}", "name", [
                    ConflictValue(first.name, sorted(first.articles, key=lambda x: rank.get(x, 0))),
                    ConflictValue(second.name, sorted(second.articles,
                                                      key=lambda x: rank.get(x, 0)))]))
    return out



def _speaker_conflicts(groups: list[QuoteGroup], rank: dict[str, int],
                       settings: AnalyzeSettings) -> list[Conflict]:
    def same(a: str, b: str) -> bool:
        return same_person(a, b, settings.name_spelling)

    out = []
    for g in groups:
        per: dict[str, list[str]] = defaultdict(list)
        for v in g.variants:
            if v.speaker and v.speaker not in per[v.article]:
                per[v.article].append(v.speaker)
        if len(per) >= 2 and _disagree(per, same):
            head = " ".join(g.variants[0].text.split()[:8])
            out.append(Conflict(f"speaker of “{head}…”", "speaker",
                                _values(per, same, str, rank)))
    return out



def find_conflicts(analyses: list[ArticleAnalysis], entities: list[Entity],
                   groups: list[QuoteGroup], aliases: dict[str, str], rank: dict[str, int],
                   settings: AnalyzeSettings = DEFAULTS.analyze) -> list[Conflict]:
    """Every conflict of a story: dates, numbers, titles, name spellings, speakers."""
    return (_date_conflicts(analyses, aliases, rank, settings)
            + _number_conflicts(analyses, rank, settings)
            + _title_conflicts(analyses, aliases, rank)
            + _name_conflicts(entities, rank, settings)
            + _speaker_conflicts(groups, rank, settings))
