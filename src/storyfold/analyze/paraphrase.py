"""Does a sentence of another article restate a claim, even in part or in other words?

Why: an independent outlet seldom repeats a wire sentence whole. It restates the part it
cares about ("the measles vaccination campaign, which begins on Monday"; "Some 800
households have now left their homes") inside a sentence of its own. That is support for
the claim: two reporting lines say it. Asking the other article to carry *all* of the
sentence's names, figures and nouns calls such claims single-source.

A restatement needs more than a shared topic word. The two sentences must share a
specific that agrees — a figure (within tolerance, or restated: "4% had bank details" /
"96% had none") or the day of an event — *and* content words beside it, and must not
contradict each other (another figure for the same unit, another day for an event).
Reworded sentences without such a specific are the sentence alignment's business
(`claims._restated`).
"""

from __future__ import annotations

from dataclasses import dataclass

from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.dates import dates_overlap, reporting_date
from storyfold.analyze.numbers import NumberFact
from storyfold.analyze.restate import figures_agree, unit_key
from storyfold.settings import DEFAULTS, AnalyzeSettings

_DAY = len("2025-01-31")  # a resolved date naming one day (not a week, month or year)


@dataclass(frozen=True)
class Said:
    """What one sentence states, as a restatement is checked against it."""

    article: str
    start: int
    end: int
    stems: frozenset[str]  # alignment stems, figures left out
    figures: tuple[NumberFact, ...]  # quantities outside quotations
    dates: tuple[str, ...]  # resolved event dates (not the day something was said)


def sentences_said(an: ArticleAnalysis) -> list[Said]:
    """Each sentence of the article with its figures and event dates."""
    nums = [n for n in an.facts.numbers if not n.quoted]
    dates = [d for d in an.facts.dates
             if d.value and not d.quoted and not reporting_date(d)]
    out = []
    for s in an.sentences:
        out.append(Said(
            an.article_id, s.start, s.end,
            frozenset(st for st in s.stems if not st[:1].isdigit()),
            tuple(n for n in nums if s.start <= n.start < s.end),
            tuple(d.value for d in dates if s.start <= d.start < s.end and d.value)))
    return out


def _agree(a: NumberFact, b: NumberFact, settings: AnalyzeSettings) -> bool:
    return figures_agree(a, b, settings.number_tolerance, settings.approx_tolerance)


def _shared_figure(s: Said, t: Said, settings: AnalyzeSettings) -> bool:
    """A figure both give, agreeing (in other terms too: "4% had" / "96% had not")."""
    return any(_agree(a, b, settings) for a in s.figures for b in t.figures)


def _shared_day(s: Said, t: Said) -> bool:
    """An event day both give ("next week" is too loose to tie two sentences together)."""
    return any(a == b and len(a) == _DAY for a in s.dates for b in t.dates)


def _contradicts(s: Said, t: Said, settings: AnalyzeSettings) -> bool:
    """Another value for a unit both give, or another day where both date an event."""
    for unit in {unit_key(n) for n in s.figures} & {unit_key(n) for n in t.figures}:
        mine = [n for n in s.figures if unit_key(n) == unit]
        theirs = [n for n in t.figures if unit_key(n) == unit]
        if not any(_agree(a, b, settings) for a in mine for b in theirs):
            return True
    return bool(s.dates and t.dates) and not any(
        dates_overlap(a, b) for a in s.dates for b in t.dates)


def restates(s: Said, t: Said, settings: AnalyzeSettings = DEFAULTS.analyze) -> bool:
    """Does `t` restate (part of) what `s` says: a shared figure or event day, content words
    beside it, and nothing contradicting? A day needs more words than a figure: a story's
    events fall on a handful of days, while a figure is seldom repeated by chance."""
    if _contradicts(s, t, settings):
        return False
    shared = len(s.stems & t.stems)
    if shared >= settings.restate_figure_shared and _shared_figure(s, t, settings):
        return True
    return shared >= settings.restate_day_shared and _shared_day(s, t)
