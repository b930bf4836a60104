"""Conflicts: one slot, different values across the articles of a story.

Event dates once relative dates are resolved, counts of one thing, a person's title, a
name's spelling, a quote's speaker. Two articles conflict on a slot when each gives a
value the other never gives and they share none.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyfold.analyze.align import Aligned
from storyfold.analyze.aligned import date_pairs, merge_pairs, number_pairs
from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import DateFact, dates_overlap
from storyfold.analyze.entities import TITLE_WORDS, Entity
from storyfold.analyze.numbers import NumberFact
from storyfold.analyze.quote_groups import QuoteGroup, same_person
from storyfold.analyze.restate import figures_agree
from storyfold.analyze.unionfind import UnionFind
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.tokens import FUNCTION_WORDS, content_stems, stem, words

_REPORTING = {"say", "announce"}  # statements recur; their dates are not one event's date
_TITLE_CANON = {"spokesman": "spokesperson", "spokeswoman": "spokesperson",
                "ceo": "chief executive", "chairman": "chair", "chairwoman": "chair",
                "chairperson": "chair"}



@dataclass
class ConflictValue:
    value: str
    articles: list[str]
    # where each article gives it: {"article", "sentence", "marks": [[start, end], ...]}
    # (character offsets of the value's words inside the sentence), so a reader can check it
    sentences: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Conflict:
    slot: str  # what differs, as the method keys it (stable; tests and caches read it)
    kind: str  # date, number, title, name, speaker
    values: list[ConflictValue]
    label: str = ""  # what differs, in words a reader can follow (the slot when not given)

    def __post_init__(self) -> None:
        self.label = self.label or self.slot


def evidence(article: str, sentence: str, written: str) -> dict[str, Any]:
    """One value's sentence with the value's words marked (every place they occur)."""
    marks = []
    start = sentence.find(written) if written else -1
    while start >= 0:
        marks.append([start, start + len(written)])
        start = sentence.find(written, start + len(written))
    return {"article": article, "sentence": sentence, "marks": marks}


def _attach(values: list[ConflictValue], seen: dict[tuple[str, str], dict[str, Any]],
            key: Callable[[str], str] = str) -> list[ConflictValue]:
    """Each value's sentences, from (article, shown value) → evidence gathered by the caller."""
    for v in values:
        v.sentences = [seen[(a, key(v.value))] for a in v.articles if (a, key(v.value)) in seen]
    return values



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

    def sim(i: int, j: int) -> float:
        si, sj = facts[i][4], facts[j][4]
        return len(si & sj) / math.sqrt(len(si) * len(sj)) if si and sj else 0.0

    # a sentence is linked by similarity to its closest dated sentence of the other article
    # only: "restored services on Saturday" is not "cancelled services on Thursday" when the
    # same article also says "cancelled all services on Wednesday"
    closest: dict[tuple[int, str], float] = {}
    alone = [i for i in range(len(facts)) if facts[i][3] and facts[i][4]]
    for x, i in enumerate(alone):
        for j in alone[x + 1 :]:
            if facts[i][0] != facts[j][0]:
                v = sim(i, j)
                for a, b in ((i, j), (j, i)):
                    near = (a, facts[b][0])
                    closest[near] = max(closest.get(near, 0.0), v)
    for i in range(len(facts)):
        for j in range(i + 1, len(facts)):
            ai, di, _, only_i, _ = facts[i]
            aj, dj, _, only_j, _ = facts[j]
            if ai == aj:
                continue
            shared = {aliases.get(n, n) for n in di.names} & {aliases.get(n, n) for n in dj.names}
            same_event = di.event == dj.event and len(shared) >= 2
            s_ij = sim(i, j) if only_i and only_j else 0.0
            similar = s_ij >= settings.date_sentence_link and s_ij >= closest[(i, aj)] and (
                s_ij >= closest[(j, ai)])
            if same_event or similar:
                uf.union(i, j)
    out = []
    for members in uf.components():
        per: dict[str, list[str]] = defaultdict(list)
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for k in members:
            art, d = facts[k][0], facts[k][1]
            if d.value is not None and d.value not in per[art]:  # all are resolved here
                per[art].append(d.value)
                seen[(art, d.value)] = evidence(art, d.sentence, d.text)
        if len(per) >= 2 and _disagree(per, dates_overlap):
            d0 = facts[min(members, key=lambda k: rank.get(facts[k][0], 0))][1]
            subject = aliases.get(d0.subject or "", d0.subject or "")
            out.append(Conflict(f"date: {subject} {d0.event}", "date",
                                _attach(_values(per, dates_overlap, str, rank), seen),
                                date_label(d0)))
    return out


def date_label(d: DateFact) -> str:
    """"date of: <the sentence's words before the date>", cut: what the date is the date of."""
    head = d.sentence[: max(0, d.sentence.find(d.text))].split() or d.sentence.split()
    words_ = [w for w in head if w.lower() not in {"on", "at", "by", "until", "in"}][-10:]
    return "date: " + " ".join(words_).strip(" ,")


def _person_of(n: NumberFact, an: ArticleAnalysis, aliases: dict[str, str]) -> str | None:
    """Who a figure is about: the person or organisation named last before it in its
    sentence, else first after it (None when the sentence names none)."""
    near = [m for m in an.mentions if m.label in {"PERSON", "ORG"} and m.name in n.sentence
            and abs(m.start - n.start) <= 150]
    before = [m for m in near if m.end <= n.start]
    after = [m for m in near if m.start >= n.end]
    if before:
        m = max(before, key=lambda m: m.end)
    elif after:
        m = min(after, key=lambda m: m.start)
    else:
        return None
    return aliases.get(m.name, m.name)


def _number_conflicts(analyses: list[ArticleAnalysis], rank: dict[str, int],
                      aliases: dict[str, str], settings: AnalyzeSettings) -> list[Conflict]:
    """Counts and measures of one slot that differ between articles."""
    slots: dict[str, dict[str, list[NumberFact]]] = defaultdict(lambda: defaultdict(list))
    about: dict[str, str] = {}
    whose: dict[int, str | None] = {}  # id(fact) -> the person it is about
    for an in sorted(analyses, key=lambda x: rank.get(x.article_id, 0)):
        for n in an.facts.numbers:
            if not n.qualified or n.quoted:
                continue
            slots[n.slot][an.article_id].append(n)
            about.setdefault(n.slot, n.about or n.unit)
            whose[id(n)] = _person_of(n, an, aliases)
    out = []
    for slot, per in slots.items():
        def other_person(a: NumberFact, b: NumberFact) -> bool:
            """"Wren won 27 votes" says nothing against "Lomax won 34 votes"."""
            pa, pb = whose[id(a)], whose[id(b)]
            return (pa is not None and pb is not None
                    and not set(pa.lower().split()) & set(pb.lower().split()))

        same: Callable[[NumberFact, NumberFact], bool] = (
            (lambda a, b: a.value == b.value) if slot.startswith("score|")
            else (lambda a, b: other_person(a, b) or figures_agree(
                a, b, settings.number_tolerance, settings.approx_tolerance)))
        if len(per) >= 2 and _disagree(per, same):
            agree = (lambda a, b: a.value == b.value) if slot.startswith("score|") else (
                lambda a, b: figures_agree(a, b, settings.number_tolerance,
                                           settings.approx_tolerance))
            out.append(number_conflict(per, agree, about[slot], rank))
    return out


def show_number(n: NumberFact) -> str:
    return n.display or f"{n.value:g}"


def number_conflict(per: dict[str, list[NumberFact]], same: Callable[..., bool], about: str,
                    rank: dict[str, int]) -> Conflict:
    """A figure conflict from each article's figures, with their sentences."""
    seen = {(a, show_number(n)): evidence(a, n.sentence, n.text) for a, ns in per.items()
            for n in ns}
    values = _attach(_values(per, same, show_number, rank), seen)
    return Conflict(about, "number", values, f"figure: {about}")


_GENERIC_MODIFIERS = {"former", "acting", "interim", "then", "ex", "current", "new", "outgoing",
                      "incoming", "longtime", "veteran", "senior"}


# forms of address, not positions: "Dr Imani Sato" is not a title that "health minister" contradicts
_HONORIFICS = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "sir", "dame", "lord", "rev"}

_FINITE = re.compile(r"\b(?:have|has|had|is|are|was|were|will|would|signed|said)\b", re.I)

_GENERIC_TITLES = {"leader", "head", "boss", "official", "officer", "representative"}


def _title_parts(title: str, names: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Head title words ("director") and what qualifies them ("finance"), names left out.

    Generic role words ("leader", "head") have no head: they fit any specific title.
    """
    ws = [w for w in words(title) if w not in FUNCTION_WORDS and w not in _GENERIC_MODIFIERS
          and w not in _HONORIFICS]
    heads = frozenset(h for w in ws if w in TITLE_WORDS and w not in _GENERIC_TITLES
                      for h in _TITLE_CANON.get(w, w).split())
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
                if not parts[t][0] or _FINITE.search(t):
                    continue  # no position named, or a clause read as one ("X have signed")
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



def _speaker_conflicts(groups: list[QuoteGroup], rank: dict[str, int], aliases: dict[str, str],
                       settings: AnalyzeSettings) -> list[Conflict]:
    def same(a: str, b: str) -> bool:
        a, b = aliases.get(a, a), aliases.get(b, b)
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



def _aligned_conflicts(analyses: list[ArticleAnalysis], aligned: list[Aligned],
                       rank: dict[str, int], settings: AnalyzeSettings,
                       texts_numbers: dict[str, list[float]]) -> list[Conflict]:
    """Figures and dates that differ between sentences that restate each other."""
    out: list[Conflict] = []

    def agree(x: Any, y: Any) -> bool:
        return figures_agree(x, y, settings.number_tolerance, settings.approx_tolerance)

    for _, pairs in sorted(number_pairs(analyses, aligned, settings, texts_numbers).items()):
        for per in merge_pairs(pairs, agree):
            if len(per) >= 2 and _disagree(per, agree):
                first = min(per, key=lambda a: rank.get(a, 0))
                n0 = per[first][0]
                out.append(number_conflict(per, agree, n0.about or n0.unit, rank))
    by_value: dict[tuple[str, str], DateFact] = {}
    for per in merge_pairs(date_pairs(analyses, [a for a in aligned if a.best],
                                      settings.align_date_min),
                           lambda x, y: x.value == y.value):  # type: ignore[attr-defined]
        values = {a: [d.value for d in ds] for a, ds in per.items()}
        if len(values) < 2 or not _disagree(values, dates_overlap):
            continue
        seen = {(a, d.value): evidence(a, d.sentence, d.text) for a, ds in per.items()
                for d in ds}
        for a, ds in per.items():
            for d in ds:
                by_value.setdefault((a, d.value), d)
        first = min(per, key=lambda a: rank.get(a, 0))
        d0 = per[first][0]
        out.append(Conflict(f"date: {d0.subject or ''} {d0.event or ''}".rstrip(), "date",
                            _attach(_values(values, dates_overlap, str, rank), seen),
                            date_label(d0)))
    return out


def _value_set(c: Conflict) -> frozenset[str]:
    return frozenset(v.value for v in c.values)


def _merge(conflicts: list[Conflict]) -> list[Conflict]:
    """One difference, one conflict: the same values found by two routes (a shared slot and
    aligned sentences), or one shifted weekday in several sentences, are merged."""
    out: list[Conflict] = []
    for c in conflicts:
        home = next((o for o in out if o.kind == c.kind and c.kind in {"number", "date"}
                     and _value_set(o) == _value_set(c)), None)
        if home is None:
            out.append(c)
            continue
        for v in c.values:
            target = next(w for w in home.values if w.value == v.value)
            for a in v.articles:
                if a not in target.articles:
                    target.articles.append(a)
            have = {(e["article"], e["sentence"]) for e in target.sentences}
            target.sentences += [e for e in v.sentences
                                 if (e["article"], e["sentence"]) not in have]
    return out


def find_conflicts(analyses: list[ArticleAnalysis], entities: list[Entity],
                   groups: list[QuoteGroup], aliases: dict[str, str], rank: dict[str, int],
                   settings: AnalyzeSettings = DEFAULTS.analyze,
                   aligned: list[Aligned] | None = None,
                   texts_numbers: dict[str, list[float]] | None = None) -> list[Conflict]:
    """Every conflict of a story: dates, numbers, titles, name spellings, speakers.

    `aligned`: the story's sentence alignment (`align`); figures and dates are then also
    compared across sentences that restate each other. `texts_numbers`: every figure each
    article writes in digits (a figure the other article gives is no contradiction).
    """
    found = (_date_conflicts(analyses, aliases, rank, settings)
             + _number_conflicts(analyses, rank, aliases, settings)
             + (_aligned_conflicts(analyses, aligned, rank, settings, texts_numbers or {})
                if aligned else []))
    return (_merge(found)
            + _title_conflicts(analyses, aliases, rank)
            + _name_conflicts(entities, rank, settings)
            + _speaker_conflicts(groups, rank, aliases, settings))
