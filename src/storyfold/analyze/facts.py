"""Numbers, dates and fact-bearing sentences of one article, each tied to the slot it fills.

Why slots: two outlets disagree only when they give different values for the *same*
thing ("14 people killed" vs "12 people killed"; "arrived on Wednesday" read against a
Friday dateline vs "arrived today" on 1 November). A slot is the event verb and its
subject (dates) or the counted noun and its verb (numbers), both reduced to crude stems
and a small table of event synonyms, so that a rewrite's "hit" and "struck" still meet.

Relative dates are resolved against the article's own `published` date: "today" is that
day, "yesterday" the day before, "last week" the previous Monday–Sunday, and a weekday
name the most recent such day on or before it (the next one when the clause speaks of
the future: "will meet on Monday").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from storyfold.analyze.entities import Mention
from storyfold.analyze.text import FUNCTION_WORDS, quoted_spans, sentence_spans, stem
from storyfold.clean.dateline import find_dateline
from storyfold.clean.dates import MONTHS as _MON
from storyfold.model import Article

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMWORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9,
          "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_CURRENCY = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "dollars": "USD",
             "euros": "EUR", "pounds": "GBP", "yen": "JPY", "rupees": "INR", "yuan": "CNY"}
_UNITS = {
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "km/h": "km/h", "kph": "km/h", "mph": "mph", "miles": "miles", "mile": "miles",
    "mm": "mm", "millimetres": "mm", "millimeters": "mm", "cm": "cm", "centimetres": "cm",
    "metres": "m", "meters": "m", "kg": "kg", "kilograms": "kg", "tonnes": "tonnes",
    "tons": "tonnes", "hours": "hours", "hour": "hours", "days": "days", "day": "days",
    "weeks": "weeks", "months": "months", "years": "years", "year": "years",
    "minutes": "minutes", "seconds": "seconds", "degrees": "degrees", "votes": "votes",
}
_APPROX = r"(?:at least|no fewer than|a minimum of|more than|over|upwards of|about|around|" \
          r"roughly|some|nearly|almost|up to|fewer than|less than|an estimated|approximately)"
NUMBER = re.compile(
    rf"(?:(?P<approx>{_APPROX})\s+)?"
    r"(?P<cur>US\$|\$|€|£|¥)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_NUMWORDS, key=len, reverse=True)) + r")\b"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|mln|bn|tn|m|k)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
# Event verbs grouped by meaning, so a rewrite's synonym fills the same slot.
_SYNONYMS = """
strike: struck strike strikes hit hits rock rocked shook shake jolt jolted rattle rattled
  batter battered lash lashed swept sweep tore tear pound pounded
arrive: arrive arrived arrives arriving land landed reach reached
kill: kill killed killing die died dead deaths death killed lose lost
injure: injure injured injuring hurt hurting wound wounded
rise: rise rose risen climb climbed increase increased jump jumped surge surged soar soared
  gain gained grew grow
fall: fall fell drop dropped decline declined slip slipped plunge plunged slide slid
  shrank shrink
buy: buy bought acquire acquired takeover
win: win won wins claim claimed secure secured clinch clinched
say: say said says tell told state stated note noted add added report reported
announce: announce announced unveil unveiled reveal revealed introduce introduced present
  presented launch launched
approve: approve approved pass passed adopt adopted
arrest: arrest arrested detain detained
cut: cut cuts reduce reduced slash slashed
open: open opened begin began start started
meet: meet met
visit: visit visited tour toured
sign: sign signed
march: march marched rally rallied protest protested
beat: beat defeat defeated
sentence: sentence sentenced jail jailed
evacuate: evacuate evacuated
resign: resign resigned quit step stepped
"""
_VERB_GROUP: dict[str, str] = {}
for _line in " ".join(_SYNONYMS.split("\n  ")).strip().splitlines():
    _head, _, _rest = _line.partition(":")
    for _w in _rest.split():
        _VERB_GROUP[_w] = _head.strip()
_IRREGULAR = frozenset(
    """broke began begun fell rose hit struck met left won lost held took gave came went ran
    drew found sent spent brought sold bought shut put set led fought flew kept paid made
    built wrote spoke chose caught threw sank swept tore shook""".split()
)
_NOT_VERBS = frozenset(
    """need speed hundred united red bed seed feed breed indeed shed sacred wed naked wicked
    limited based related alleged armed skilled detailed""".split()
)
_FUTURE = re.compile(r"\b(?:will|shall|is due|are due|to be held|scheduled|plans? to|next)\b", re.I)
_BOILERPLATE = re.compile(
    r"all rights reserved|subscribe|newsletter|follow (?:us|\w+ for)|read more|click here|"
    r"sign up|log in|share this|advertisement|copyright|©|cookies?|terms of (?:use|service)",
    re.I,
)
_CLAIM_VERBS = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|did|does)\b",
                          re.I)


@dataclass
class NumberFact:
    """A quantity with what it counts ("14 people", "$2.5 billion", "magnitude 7.1")."""

    article: str
    value: float
    unit: str  # what is counted or measured: "people", "USD", "percent", "magnitude"
    text: str
    start: int
    end: int
    sentence: str
    slot: str  # key of what the number is the value of: "peopl|kill", "km|depth"
    approx: str | None = None
    qualified: bool = False  # slot names an event, an "X of", or a measure, not a bare noun
    quoted: bool = False  # said inside a quotation (the quote comparison covers it)
    display: str | None = None  # how to show the value ("3-2" for a score)
    about: str | None = None  # readable slot: "people (killed)"


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


@dataclass
class ClaimSentence:
    """A fact-bearing sentence: a number, a date or a name, and a verb that asserts."""

    article: str
    text: str
    start: int
    end: int
    entities: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """Everything fact-like in one article."""

    numbers: list[NumberFact]
    dates: list[DateFact]
    claims: list[ClaimSentence]


# ---- dates ---------------------------------------------------------------------------
DATE_RE = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    rf"|\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MON})(?:,?\s+(?P<y1>\d{{4}}))?\b"
    rf"|\b(?P<m2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}})\b)?"
    rf"|\b(?P<m3>{_MON.replace('May|', '')})\s+(?P<y3>\d{{4}})\b"
    rf"|\b(?P<rel>(?:(?P<rmod>on|last|next|this|late on|early on|until|by|from)\s+)?"
    rf"(?P<wd>{_WD})(?:['’]s)?(?:\s+(?:morning|afternoon|evening|night))?)\b"
    r"|\b(?P<word>today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening)|"
    r"last night|(?:last|this|next) (?:week|month|year)|earlier this (?:week|month|year)|"
    r"(?P<agon>\d+|a|one|two|three|four|five|six|seven) "
    r"(?P<agou>days?|weeks?|months?|years?) ago)\b"
    r"|\bin (?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)


def _month_num(token: str) -> int:
    t = token.lower().rstrip(".")
    return MONTHS[t] if t in MONTHS else MONTHS[t[:3]]


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
            month = _month_num(g["m1"] or g["m2"])
            day = int(g["d1"] or g["d2"])
            year = g["y1"] or g["y2"]
            if year:
                return date(int(year), month, day).isoformat(), False
            y = _pick_year(month, day, ref)
            return (date(y, month, day).isoformat() if y else None), False
        if g["m3"]:
            return f"{int(g['y3']):04d}-{_month_num(g['m3']):02d}", False
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
        future = mod == "next" or (mod != "last" and bool(_FUTURE.search(clause)))
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
        n = 1 if g["agon"].lower() in {"a", "one"} else _NUMWORDS.get(g["agon"].lower()) or int(
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


# ---- slots ---------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")


def verb_key(word: str) -> str | None:
    """The event a word names, if it is an event verb ("hit" and "struck" → "strike")."""
    w = word.lower().strip("'’")
    if w in _VERB_GROUP:
        return _VERB_GROUP[w]
    if w in _IRREGULAR:
        return w
    if len(w) > 4 and w.endswith("ed") and w not in _NOT_VERBS:
        return stem(w)
    return None


def _verb_near(text: str, a: int, b: int, lo: int, hi: int, max_words: int = 8,
               tags: dict[int, str] | None = None,
               max_after: int | None = None) -> tuple[str, str, int] | None:
    """Nearest event verb to text[a:b] within the clause text[lo:hi]: (key, surface, pos).

    A verb is one the tagger calls a verb (auxiliaries excluded), a known event verb or
    past form, or a plain word after "to" ("to freeze").
    """
    toks = [(m.group(0), lo + m.start()) for m in _TOKEN.finditer(text[lo:hi])]
    keyed: list[tuple[str, str, int]] = []
    for k, (w, p) in enumerate(toks):
        key = verb_key(w)
        if key is None and tags is not None and tags.get(p) == "V" and w.isalpha():
            key = stem(w)
        if key is None and k > 0 and toks[k - 1][0].lower() == "to" and w.isalpha() and (
                w.lower() not in FUNCTION_WORDS and w[0].islower()):
            key = stem(w)
        if key is not None:
            keyed.append((key, w.lower(), p))
    limit_after = max_words if max_after is None else max_after
    before = [v for v in keyed if v[2] < a
              and sum(1 for _, p in toks if v[2] <= p < a) <= max_words]
    after = [v for v in keyed if v[2] >= b
             and sum(1 for _, p in toks if b <= p <= v[2]) <= limit_after]
    if before:
        return before[-1]
    return after[0] if after else None


_CLAUSE_BREAK = re.compile(r";|\s[—–]\s|,\s+(?:and|but|while|whereas|although)\s")


def _clause(text: str, sent: tuple[int, int], a: int, b: int) -> tuple[int, int]:
    """The clause around text[a:b]: cut at ; — and at ", and"/", while" joins."""
    s, e = sent
    lo, hi = s, e
    for m in _CLAUSE_BREAK.finditer(text[s:e]):
        pos = s + m.start()
        if pos < a:
            lo = s + m.end()
        elif pos >= b and pos < hi:
            hi = pos
    return lo, hi


def _subject(text: str, lo: int, verb_pos: int, mentions: list[Mention],
             aliases: dict[str, str]) -> str | None:
    """Who or what the event is about: the nearest name before the verb, else a noun."""
    names = [m for m in mentions if lo <= m.start and m.end <= verb_pos
             and m.label in {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "NORP"}]
    persons = [m for m in names if m.label in {"PERSON", "ORG"}]
    pick = (persons or names)[-1] if (persons or names) else None
    if pick is not None:
        return aliases.get(pick.name, pick.name)
    words = [w for w in _TOKEN.findall(text[lo:verb_pos]) if w.lower() not in FUNCTION_WORDS
             and not w[0].isdigit() and not w.lower().endswith("ly") and verb_key(w) is None
             and w.lower() not in {"were", "was", "been"}]
    return words[-1].lower() if words else None


# ---- numbers -------------------------------------------------------------------------
def _num_value(m: re.Match[str]) -> float | None:
    raw = m.group("num").lower()
    if raw in _NUMWORDS:
        v = float(_NUMWORDS[raw])
    else:
        try:
            v = float(raw.replace(",", ""))
        except ValueError:
            return None
    if m.group("scale"):
        v *= _SCALE[m.group("scale").lower()]
    return v


def _unit_after(text: str, end: int, tags: dict[int, str] | None = None) -> str | None:
    """What a number counts: a unit, a currency, or the head of the noun phrase after it."""
    run: list[str] = []
    prev_end = end
    for k, m in enumerate(_TOKEN.finditer(text, end, min(len(text), end + 60))):
        gap = text[prev_end : m.start()]
        prev_end = m.end()
        if re.search(r"[^\s-]", gap):
            break  # punctuation ends the noun phrase
        w = m.group(0).lower().strip("'’")
        if k == 0 and w in _UNITS:
            return _UNITS[w]
        if k == 0 and w in _CURRENCY:
            return _CURRENCY[w]
        tag = tags.get(m.start()) if tags is not None else None
        if re.search(r"['’]s?$", m.group(0)) and m.group(0)[:1].isupper():
            continue  # a possessive name before the head: "the Vella's dry-season flow"
        if tags is not None:
            if tag == "N":
                run.append(w)
            elif tag == "J" and not run and k < 2:
                continue
            else:
                break
        else:
            if w in FUNCTION_WORDS or verb_key(w):
                break
            if w in {"more", "other", "additional", "new", "further"} and not run:
                continue
            run.append(w)
        if len(run) >= 3:
            break
    return run[-1] if run else None


def _of_head(text: str, end: int, tags: dict[int, str] | None) -> str | None:
    """Head noun of an "of" phrase right after a number: "percent of the river's flow"."""
    m = re.match(r"\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?", text[end : end + 20])
    if not m:
        return None
    return _unit_after(text, end + m.end(), tags)


_NOUN_BEFORE_NUMBER = re.compile(
    r"([A-Za-z]+)\s+(?:of|was|were|is|are|stood at|reached|totalled|totaled|"
    rf"rose to|fell to|climbed to)\s+(?:{_APPROX}\s+)?$", re.I)


def _of_noun_before(text: str, start: int) -> str | None:
    """The measured noun in "a depth of 10 km", "turnout was 61 percent", "toll rose to 17"."""
    m = _NOUN_BEFORE_NUMBER.search(text[max(0, start - 60) : start])
    if m and m.group(1).lower() not in FUNCTION_WORDS:
        return m.group(1).lower()
    return None


_SCORE = re.compile(r"\b(\d{1,2})\s?[-–]\s?(\d{1,2})\b(?!\s?(?:year|month|week|day|percent))")
_SCORE_CONTEXT = re.compile(r"\b(?:beat|beats|defeat\w*|win|wins|won|victory|lost|loss|"
                            r"draw|drew|final|match|game|score\w*|led|trail\w*)\b", re.I)


def find_numbers(article: Article, sents: list[tuple[int, int]] | None = None,
                 tags: dict[int, str] | None = None) -> list[NumberFact]:
    """Every quantity in the body with what it counts, its sentence and its slot.

    The slot pairs the unit with the event or measure it belongs to: the noun it is
    "of" ("a depth of 10 km", "turnout was 61 percent"), the head of an "of" phrase
    after a percentage ("40 percent of the river's flow"), or the nearest verb
    ("killing 14 people", "14 people were killed"). Years and dateline days are skipped;
    match scores ("beat them 3-2") are kept whole.
    """
    text = article.text
    sents = sents if sents is not None else sentence_spans(text)
    out: list[NumberFact] = []
    for sent in sents:
        s, e = sent
        scores: list[tuple[int, int]] = []
        if _SCORE_CONTEXT.search(text, s, e):
            for m in _SCORE.finditer(text, s, e):
                a, b = int(m.group(1)), int(m.group(2))
                scores.append((m.start(), m.end()))
                out.append(NumberFact(article.id, a * 100 + b, "score", m.group(0), m.start(),
                                      m.end(), text[s:e], "score|", None, True, display=f"{a}-{b}"))
        for m in NUMBER.finditer(text, s, e):
            ns, ne = m.start("num"), m.end()
            if any(a <= ns < b for a, b in scores):
                continue
            raw = m.group("num")
            value = _num_value(m)
            if value is None:
                continue
            if raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and not (
                    m.group("cur") or m.group("pct") or m.group("scale")):
                continue  # a year
            if raw.lower() == "one" and not m.group("approx"):
                continue  # "one of the", a pronoun more often than a count
            first = next(m.start(g) for g in ("approx", "cur", "num") if m.group(g))
            of_noun = _of_noun_before(text, first)
            prev_word = re.search(r"(\w+)\W*$", text[max(0, ns - 20):ns])
            prev = prev_word.group(1).lower() if prev_word else ""
            if prev in {"aged", "no", "number", "page", "section", "article", "version"}:
                continue
            if prev == "magnitude" or re.match(r"[\s-]*magnitude", text[ne:ne + 12], re.I):
                unit = "magnitude"
            elif m.group("pct"):
                unit = "percent"
            elif m.group("cur"):
                unit = _CURRENCY[m.group("cur").lower()]
            else:
                unit = _unit_after(text, ne, tags) or of_noun
                if unit is None:
                    continue
            lo, hi = _clause(text, sent, ns, ne)
            event: str | None = None
            if unit == "magnitude":
                event = ""
            elif of_noun:
                event = of_noun
            elif unit == "percent" and (head := _of_head(text, ne, tags)):
                event = head
            else:
                verb = _verb_near(text, first, ne, lo, hi, max_words=5, tags=tags, max_after=4)
                event = verb[1] if verb else None
            key_event = "" if event is None else (verb_key(event) or stem(event))
            slot = f"{stem(unit)}|{key_event}"
            about = unit if not event else f"{unit} ({event})"
            out.append(NumberFact(article.id, value, unit, text[m.start():ne].strip(), m.start(),
                                  ne, text[s:e], slot, (m.group("approx") or None),
                                  event is not None, about=about))
    return out


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
            lo, hi = _clause(text, sent, m.start(), m.end())
            if dl is not None and lo < dl.end <= m.start():
                lo = dl.end
            value, relative = resolve_date(m, ref, text[lo:hi])
            verb = _verb_near(text, m.start(), m.end(), lo, hi, max_words=14) or _verb_near(
                text, m.start(), m.end(), lo, hi, max_words=14, tags=tags)
            slot, event, subj = None, None, None
            if verb is not None:
                subj = _subject(text, lo, verb[2], mentions, aliases)
                if subj:
                    event = verb[0]
                    slot = f"{event}: {subj}"
            names = sorted({aliases.get(x.name, x.name) for x in mentions
                            if lo <= x.start and x.end <= hi and x.label != "NORP"})
            out.append(DateFact(article.id, m.group(0).strip(), value, m.start(), m.end(),
                                relative, text[s:e], slot, event, subj, names=names))
    return out


def _claim_ok(sentence: str, quoted_chars: int) -> bool:
    n = len(sentence.split())
    if n < 6 or n > 90:
        return False
    if quoted_chars > 0.5 * len(sentence):
        return False
    if _BOILERPLATE.search(sentence):
        return False
    toks = _TOKEN.findall(sentence)
    return bool(_CLAIM_VERBS.search(sentence)) or any(verb_key(t) for t in toks) or any(
        t.lower() in {"says", "said"} for t in toks)


def extract_facts(article: Article, mentions: list[Mention],
                  aliases: dict[str, str] | None = None,
                  tags: dict[int, str] | None = None) -> Facts:
    """Numbers, dates and claim sentences of one article (a pure function of its text)."""
    text = article.text
    quotes = quoted_spans(text)
    sents = sentence_spans(text, quotes)
    numbers = find_numbers(article, sents, tags)
    dates = find_dates(article, mentions, sents, aliases, tags)
    date_spans = [(d.start, d.end) for d in dates]
    numbers = [n for n in numbers if not any(a <= n.start < b or a < n.end <= b
                                             for a, b in date_spans)]
    for fact in [*numbers, *dates]:
        fact.quoted = any(qs <= fact.start < qe for qs, qe in quotes)
    dl = find_dateline(text)
    claims: list[ClaimSentence] = []
    for s, e in sents:
        if dl is not None and s <= dl.start < e:
            s = max(s, dl.end)
        sentence = text[s:e]
        qchars = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in quotes)
        ents = sorted({(aliases or {}).get(m.name, m.name) for m in mentions
                       if s <= m.start < e and m.label in {"PERSON", "ORG", "GPE", "LOC", "FAC",
                                                           "EVENT", "PRODUCT", "LAW"}})
        nums = [n.value for n in numbers if s <= n.start < e and any(c.isdigit() for c in n.text)]
        ds = [d.value for d in dates if s <= d.start < e and d.value]
        if not (ents or nums or ds) or not _claim_ok(sentence, qchars):
            continue
        claims.append(ClaimSentence(article.id, sentence, s, e, ents, nums, ds))
    return Facts(numbers, dates, claims)
