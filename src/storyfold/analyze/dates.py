"""Dates of one article, as written and resolved, each with the event it dates.

Relative dates are resolved against the article's own `published` date: "today" is that
day, "yesterday" the day before, "last week" the previous Monday–Sunday, and a weekday
name the most recent such day on or before it (the next one when the clause speaks of
the future: "will meet on Monday", "letters would go out by Friday", "the bridge closes on
Monday", "is expected to begin on Monday").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from storyfold.analyze.entities import Mention
from storyfold.analyze.numbers import NUMWORDS
from storyfold.analyze.slots import clause, subject, verb_near
from storyfold.clean.dateline import find_dateline
from storyfold.model import Article
from storyfold.text.calendar import WEEKDAYS, month_number, month_pattern, weekday_pattern
from storyfold.text.sentences import sentence_spans

_MON = month_pattern()
_MON_NOT_MAY = month_pattern(frozenset({"may"}))  # "May 2024" yes, "may 2024" is a verb
_WD = weekday_pattern()
REPORTING_EVENTS = frozenset({"say", "announce"})  # the event keys of reporting verbs
_FUTURE = re.compile(r"\b(?:will|shall|would|is due|are due|due to|is to|are to|to be held|"
                     r"scheduled|plans? to|expected to|set to|going to|next|begins|starts|"
                     r"opens|closes|ends|resumes|reopens|runs|takes effect|goes ahead)\b", re.I)
# a past tense in the clause keeps "by Friday" / "until Friday" in the past
_PAST = re.compile(r"\b(?:was|were|had|did|\w+ed)\b", re.I)


@dataclass
class DateFact:
    """A date as written and as resolved: ISO day, "YYYY-MM", "YYYY", or "start/end"."""

    article: str
    text: str
    value: str | None  # None when relative and the article has no date
    start: int
    end: int
    relative: bool
    sentence: str
    slot: str | None  # "arrive: Emmanuel Macron" — the event it dates
    event: str | None = None  # the slot's parts: event key ("arrive") and subject
    subject: str | None = None
    quoted: bool = False  # said inside a quotation ("Tonight the people chose")
    names: list[str] = field(default_factory=list)  # names in the date's clause



DATE_RE = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    rf"|\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MON})(?:,?\s+(?P<y1>\d{{4}}))?\b"
    rf"|\b(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}})\b)?"
    rf"|\b(?P<m3>{_MON_NOT_MAY})\s+(?P<y3>\d{{4}})\b"
    rf"|\b(?P<rel>(?:(?P<rmod>on|last|next|this|late on|early on|until|by|from)\s+)?"
    rf"(?P<wd>{_WD})(?:['’]s)?(?:\s+(?:morning|afternoon|evening|night))?)\b"
    r"|\b(?P<word>today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening)|"
    r"last night|(?:last|this|next) (?:week|month|year)|earlier this (?:week|month|year)|"
    r"(?P<agon>\d+|a|one|two|three|four|five|six|seven) "
    r"(?P<agou>days?|weeks?|months?|years?) ago)\b"
    r"|\bin (?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)




def _pick_year(month: int, day: int, ref: date | None) -> int | None:
    """The year that puts day/month closest to the article date (news reports the recent)."""
    if ref is None:
        return None
    best = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        delta = (d - ref).days
        score = abs(delta) if delta <= 45 else abs(delta) * 3  # prefer the past
        if best is None or score < best[0]:
            best = (score, y)
    return best[1] if best else None


def _week(ref: date, offset: int) -> str:
    monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=offset)
    return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}"


def _month(ref: date, offset: int) -> str:
    m = ref.month - 1 + offset
    return f"{ref.year + m // 12:04d}-{m % 12 + 1:02d}"


def resolve_date(m: re.Match[str], ref: date | None, clause: str) -> tuple[str | None, bool]:
    """Resolve one DATE_RE match against the article date; returns (value, relative)."""
    g = m.groupdict()
    try:
        if g["iso"]:
            return date.fromisoformat(g["iso"]).isoformat(), False
        if g["m1"] or g["m2"]:
            month = month_number(g["m1"] or g["m2"])
            day = int(g["d1"] or g["d2"])
            year = g["y1"] or g["y2"]
            if year:
                return date(int(year), month, day).isoformat(), False
            y = _pick_year(month, day, ref)
            return (date(y, month, day).isoformat() if y else None), False
        if g["m3"]:
            return f"{int(g['y3']):04d}-{month_number(g['m3']):02d}", False
    except (ValueError, KeyError):
        return None, False
    if g["year"]:
        return g["year"], False
    if ref is None:
        return None, True
    if g["wd"]:
        target = WEEKDAYS.index(g["wd"].lower())
        mod = (g["rmod"] or "").lower()
        back = (ref.weekday() - target) % 7
        if mod == "last" and back == 0:
            back = 7
        future = mod == "next" or (mod != "last" and bool(_FUTURE.search(clause))) or (
            mod in {"by", "until"} and not _PAST.search(clause))
        if future:
            fwd = (target - ref.weekday()) % 7 or 7
            return (ref + timedelta(days=fwd)).isoformat(), True
        return (ref - timedelta(days=back)).isoformat(), True
    word = (g["word"] or "").lower()
    if word in {"today", "tonight"} or word.startswith("this ") and word.split()[1] in {
            "morning", "afternoon", "evening"}:
        return ref.isoformat(), True
    if word in {"yesterday", "last night"}:
        return (ref - timedelta(days=1)).isoformat(), True
    if word == "tomorrow":
        return (ref + timedelta(days=1)).isoformat(), True
    if g["agon"]:
        n = 1 if g["agon"].lower() in {"a", "one"} else NUMWORDS.get(g["agon"].lower()) or int(
            g["agon"])
        unit = g["agou"].lower().rstrip("s")
        if unit == "day":
            return (ref - timedelta(days=n)).isoformat(), True
        if unit == "week":
            return (ref - timedelta(weeks=n)).isoformat(), True
        if unit == "month":
            return _month(ref, -n), True
        return str(ref.year - n), True
    scope = word.split()[-1]
    offset = -1 if word.startswith("last") else (1 if word.startswith("next") else 0)
    if scope == "week":
        return _week(ref, offset), True
    if scope == "month":
        return _month(ref, offset), True
    if scope == "year":
        return str(ref.year + offset), True
    return None, True


_SAID_BEFORE = re.compile(r"\b(?:said|says|say|announced|told|confirmed|reported|added)"
                          r"(?:\s+\w+)?\s+(?:on\s+|late\s+on\s+|early\s+on\s+)?$", re.I)


def reporting_date(d: DateFact) -> bool:
    """The day something was said ("the union said on Thursday"), not the day it happened.

    Only the date right after a reporting verb: in "will walk out from Monday, their union
    said on Thursday" Monday is the event's date even though "said" is its nearest verb."""
    if d.event not in REPORTING_EVENTS:
        return False
    pos = d.sentence.find(d.text)
    return pos < 0 or bool(_SAID_BEFORE.search(d.sentence[:pos]))


def date_range(value: str) -> tuple[date, date]:
    """The first and last day a resolved value covers (for overlap tests)."""
    if "/" in value:
        a, b = value.split("/")
        return date.fromisoformat(a), date.fromisoformat(b)
    if len(value) == 4:
        return date(int(value), 1, 1), date(int(value), 12, 31)
    if len(value) == 7:
        y, m = int(value[:4]), int(value[5:])
        nxt = date(y + m // 12, m % 12 + 1, 1)
        return date(y, m, 1), nxt - timedelta(days=1)
    d = date.fromisoformat(value)
    return d, d



def dates_overlap(a: str, b: str) -> bool:
    """Two resolved values share a day ("2024-03" and "2024-03-05" do)."""
    (a1, a2), (b1, b2) = date_range(a), date_range(b)
    return a1 <= b2 and b1 <= a2


def find_dates(article: Article, mentions: list[Mention] | None = None,
               sents: list[tuple[int, int]] | None = None,
               aliases: dict[str, str] | None = None,
               tags: dict[int, str] | None = None) -> list[DateFact]:
    """Every date in the body, resolved, with the event it dates (dateline date skipped).

    The event is the nearest event verb in the date's clause (a known event verb or past
    form first, any other verb the tagger finds second) and its subject; the names in
    the clause are kept too, so that "Tarsel and Meridia signed" and "signed by Meridia
    and Tarsel" can be recognised as one event.
    """
    text = article.text
    ref = article.published.date() if article.published else None
    sents = sents if sents is not None else sentence_spans(text)
    mentions = mentions or []
    aliases = aliases or {}
    dl = find_dateline(text)
    out: list[DateFact] = []
    for sent in sents:
        s, e = sent
        for m in DATE_RE.finditer(text, s, e):
            if dl is not None and dl.start <= m.start() < dl.end:
                continue
            lo, hi = clause(text, sent, m.start(), m.end())
            if dl is not None and lo < dl.end <= m.start():
                lo = dl.end
            value, relative = resolve_date(m, ref, text[lo:m.start()])  # cues before the date
            verb = verb_near(text, m.start(), m.end(), lo, hi, max_words=14) or verb_near(
                text, m.start(), m.end(), lo, hi, max_words=14, tags=tags)
            slot, event, subj = None, None, None
            if verb is not None:
                subj = subject(text, lo, verb[2], mentions, aliases)
                if subj:
                    event = verb[0]
                    slot = f"{event}: {subj}"
            names = sorted({aliases.get(x.name, x.name) for x in mentions
                            if lo <= x.start and x.end <= hi and x.label != "NORP"})
            out.append(DateFact(article.id, m.group(0).strip(), value, m.start(), m.end(),
                                relative, text[s:e], slot, event, subj, names=names))
    return out

