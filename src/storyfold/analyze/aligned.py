"""Figures and dates that differ between aligned sentences (see `align`).

Two sentences that restate each other and give different values of one quantity — a
count of the same noun, an amount of one currency, a duration, a percentage — or
different dates for their one event contradict each other, whatever verbs and nouns they
use around the value. A count in different nouns ("4,500 workers" / "5,400 employees") is
compared when it is the only count of each sentence. Restatements that agree (72 hours /
three days, a share and its complement, a value inside a stated range, an approximation)
are no conflict (`restate`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from storyfold.analyze.align import Aligned
from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import DateFact, dates_overlap, reporting_date
from storyfold.analyze.numbers import NumberFact
from storyfold.analyze.restate import MEASURES, figures_agree, unit_key
from storyfold.analyze.unionfind import UnionFind
from storyfold.settings import AnalyzeSettings
from storyfold.text.numbers import same_value

# units specific enough that two loosely aligned sentences giving them speak of one thing
# (a detour in km, a bill in dollars); shares, counts and durations are too common
_SPECIFIC = frozenset({"USD", "EUR", "GBP", "JPY", "INR", "CNY", "km", "km/h", "mph", "miles",
                       "mm", "cm", "m", "kg", "tonnes", "degrees", "magnitude"})
Pair = tuple[str, list, str, list]  # (article a, its facts, article b, its facts)


def _in(facts: list, a: Aligned) -> tuple[list, list]:
    return ([f for f in facts[0] if a.a.start <= f.start < a.a.end],
            [f for f in facts[1] if a.b.start <= f.start < a.b.end])


def _gives(values: list[float], n: NumberFact, settings: AnalyzeSettings) -> bool:
    return any(same_value(n.value, v, settings.number_tolerance) for v in values)


def number_pairs(analyses: list[ArticleAnalysis], aligned: list[Aligned],
                 settings: AnalyzeSettings,
                 texts_numbers: dict[str, list[float]]) -> dict[str, list[Pair]]:
    """Per quantity, the aligned sentence pairs whose figures of it disagree.

    `texts_numbers`: every figure written in digits in each article, read or not as a fact
    ("down from 52,000 at the height of the storm" gives 52,000 though it counts no noun).
    """
    nums = {an.article_id: [n for n in an.facts.numbers if not n.quoted and n.unit != "score"]
            for an in analyses}
    raw = {an.article_id: [n.value for n in an.facts.numbers] for an in analyses}
    for an in analyses:
        raw[an.article_id] += texts_numbers.get(an.article_id, [])
    out: dict[str, list[Pair]] = defaultdict(list)

    def agree(x: NumberFact, y: NumberFact) -> bool:
        return figures_agree(x, y, settings.number_tolerance, settings.approx_tolerance)

    for al in aligned:
        na, nb = _in([nums[al.a.article], nums[al.b.article]], al)
        if not na or not nb:
            continue
        # a weaker pair, or one paired by place, compares only figures of one specific unit
        weak = not al.best or al.gap
        by_a: dict[str, list[NumberFact]] = defaultdict(list)
        by_b: dict[str, list[NumberFact]] = defaultdict(list)
        for n in na:
            by_a[unit_key(n)].append(n)
        for n in nb:
            by_b[unit_key(n)].append(n)
        units = set(by_a) & set(by_b)
        if weak:
            units = {u for u in units if u in _SPECIFIC}
            if (al.score < settings.align_figure_min and not al.gap) or not units:
                continue
        counts_a = [k for k in by_a if k not in MEASURES]
        counts_b = [k for k in by_b if k not in MEASURES]
        if (not weak and not set(counts_a) & set(counts_b) and len(counts_a) == len(counts_b) == 1
                and len(by_a[counts_a[0]]) == len(by_b[counts_b[0]]) == 1):
            by_a["count"], by_b["count"] = by_a[counts_a[0]], by_b[counts_b[0]]
            units.add("count")
        for u in units:
            fa, fb = by_a[u], by_b[u]
            if any(agree(x, y) for x in fa for y in fb):
                continue
            # a figure the other article also gives is no contradiction: the two sentences
            # speak of different things, or one reports an update next to the first figure
            if any(_gives(raw[al.b.article], x, settings) for x in fa) or any(
                    _gives(raw[al.a.article], y, settings) for y in fb):
                continue
            out[u].append((al.a.article, fa, al.b.article, fb))
    return out


def date_pairs(analyses: list[ArticleAnalysis], aligned: list[Aligned],
               date_min: float) -> list[Pair]:
    """Aligned sentence pairs that date one event differently.

    Two dates are compared when their events are one, or when each is its sentence's only
    date and the sentences restate each other closely (stem cosine `date_min`): "restored
    services on Saturday" is not a date of "cancelled services on Thursday".
    """
    dates = {an.article_id: [d for d in an.facts.dates if d.value and not d.quoted
                             and not reporting_date(d)] for an in analyses}
    # each sentence compared with its best match only, both ways: "LundRail restored services
    # on Saturday" does not restate "cancelled services on Thursday" when the same article
    # also says "cancelled all services on Wednesday"
    top: dict[tuple[str, int, str], float] = {}
    for al in aligned:
        key = (al.a.article, al.a.index, al.b.article)
        top[key] = max(top.get(key, 0.0), al.score)
    out: list[Pair] = []
    for al in aligned:
        if al.score < top[(al.a.article, al.a.index, al.b.article)]:
            continue
        da, db = _in([dates[al.a.article], dates[al.b.article]], al)
        if not da or not db:
            continue
        pairs = [(x, y) for x in da for y in db if x.event and x.event == y.event]
        if not pairs and len(da) == 1 and len(db) == 1 and (
                al.score >= date_min or al.gap or not da[0].event or not db[0].event):
            pairs = [(da[0], db[0])]  # one date each, in sentences that say the same
        for x, y in pairs:
            try:
                if dates_overlap(x.value or "", y.value or ""):
                    continue
            except ValueError:
                continue
            out.append((al.a.article, [x], al.b.article, [y]))
    return out


def merge_pairs(pairs: list[Pair], same: Callable[[object, object], bool]
                ) -> list[dict[str, list]]:
    """Pairs that share a value of one article are one conflict: per article, its values."""
    uf = UnionFind(len(pairs))
    owner: dict[tuple[str, int], int] = {}
    for i, (a, fa, b, fb) in enumerate(pairs):
        for art, facts in ((a, fa), (b, fb)):
            for f in facts:
                key = (art, id(f))
                if key in owner:
                    uf.union(owner[key], i)
                else:
                    owner[key] = i
    out = []
    for members in uf.components():
        per: dict[str, list] = defaultdict(list)
        for i in members:
            a, fa, b, fb = pairs[i]
            for art, facts in ((a, fa), (b, fb)):
                for f in facts:
                    if not any(same(f, g) for g in per[art]):
                        per[art].append(f)
        out.append(dict(per))
    return out


__all__ = ["DateFact", "date_pairs", "merge_pairs", "number_pairs"]
