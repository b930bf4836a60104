"""The timeline (members in publication order, with what each added) and the dated events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storyfold.analyze.compare import Comparison
from storyfold.analyze.dates import date_range
from storyfold.analyze.evidence import Doc
from storyfold.clean.dateline import find_dateline
from storyfold.model import Article, Membership
from storyfold.settings import DEFAULTS
from storyfold.text.tokens import content_stems


@dataclass
class TimelineEntry:
    """One member in publication order, with what it brought that earlier members had not."""

    article: str
    published: str | None
    source: str | None
    role: str
    added: dict[str, list[Any]]  # quotes [{speaker, text}], claims [str], differs [{slot, value}]


@dataclass
class Event:
    """Something the articles date ("the quake struck on Tuesday"), resolved to a day."""

    date: str
    text: str
    articles: list[str]


def timeline_order(articles: Sequence[Article], members: Sequence[Membership]) -> list[Article]:
    """Publication order: dated before undated; on one date the original first."""
    role = {m.article_id: m.role for m in members}
    far = datetime.max

    def key(ia: tuple[int, Article]) -> tuple:
        i, a = ia
        when = a.published.replace(tzinfo=None) if a.published else far
        return (when, role.get(a.id) != "original", i)

    return [a for _, a in sorted(enumerate(articles), key=key)]


def timeline_entries(docs: list[Doc], comparison: Comparison | None) -> list[TimelineEntry]:
    order = {d.article.id: d.order for d in docs}
    added: dict[str, dict[str, list[Any]]] = {d.article.id: {"quotes": [], "claims": [],
                                                             "differs": []} for d in docs}
    if comparison is not None:
        for g in comparison.quotes:
            first = min(g.variants, key=lambda v: (order.get(v.article, 1 << 30), v.start))
            if first.article in added:
                added[first.article]["quotes"].append({"speaker": first.speaker or g.speaker,
                                                       "text": first.text})
        for cl in comparison.claims:
            firsts = [a for a in cl.support if a in order]
            if firsts:
                first_art = min(firsts, key=lambda a: order[a])
                added[first_art]["claims"].append(cl.text)
        for conflict in comparison.conflicts:
            first_value = min(conflict.values, key=lambda v: min(order.get(a, 1 << 30)
                                                                  for a in v.articles))
            for v in conflict.values:
                if v is first_value:
                    continue
                who = [a for a in v.articles if a in order]
                if who:
                    added[min(who, key=lambda a: order[a])]["differs"].append(
                        {"slot": conflict.slot, "value": v.value})
    return [TimelineEntry(d.article.id,
                          d.article.published.isoformat() if d.article.published else None,
                          d.article.source, d.role, added[d.article.id]) for d in docs]


def dated_events(docs: list[Doc],
                 similarity: float = DEFAULTS.analyze.event_similarity) -> list[Event]:
    """Dated happenings across the members, one line per (day, event), in date order."""
    groups: dict[tuple[str, str], Event] = {}
    stems: dict[tuple[str, str], set[str]] = {}
    first_seen: dict[tuple[str, str], tuple[int, int]] = {}
    for d in docs:
        if d.analysis is None:
            continue
        for f in d.analysis.facts.dates:
            if not f.value or f.quoted or not f.event or f.event == "say":
                continue
            key = (f.value, f.event)
            text = " ".join(f.sentence.split())
            dl = find_dateline(text)
            if dl is not None and dl.start == 0:
                text = text[dl.end :]
            st = content_stems(text)
            for k in groups:  # the same day and much the same sentence: one event
                if k[0] == f.value and k != key and stems[k] and st and (
                        len(stems[k] & st) / (len(stems[k] | st) or 1) >= similarity):
                    key = k
                    break
            if key not in groups:
                groups[key] = Event(f.value, text, [])
                stems[key] = st
                first_seen[key] = (d.order, f.start)
            if d.article.id not in groups[key].articles:
                groups[key].articles.append(d.article.id)

    def when(k: tuple[str, str]) -> tuple:
        try:
            start = date_range(k[0])[0]
        except ValueError:
            start = datetime.max.date()
        return (start, first_seen[k])

    return [groups[k] for k in sorted(groups, key=when)]
