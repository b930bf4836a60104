"""Quantities of one article, each with what it counts and the slot it fills.

Why slots: two outlets disagree only when they give different values for the *same*
thing ("14 people killed" vs "12 people killed"); see `slots`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyfold.analyze.slots import TOKEN, clause, verb_key, verb_near
from storyfold.model import Article
from storyfold.text.sentences import sentence_spans
from storyfold.text.tokens import FUNCTION_WORDS, stem

NUMWORDS = {
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
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(NUMWORDS, key=len, reverse=True)) + r")"
    # "£45m": a money scale may follow the digits directly; a word number ends at a boundary
    r"(?:(?<=\d)(?P<tight>bn|mln|tn|m|k)\b|\b(?:\s?(?P<scale>thousand|million|billion|trillion|"
    r"mln|bn|tn|m|k)\b)?)"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b))?",
    re.IGNORECASE,
)

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
    low: float | None = None  # the lower end when it closes a range ("between 60 and 70")


def _num_value(m: re.Match[str]) -> float | None:
    raw = m.group("num").lower()
    if raw in NUMWORDS:
        v = float(NUMWORDS[raw])
    else:
        try:
            v = float(raw.replace(",", ""))
        except ValueError:
            return None
    scale = m.group("scale") or m.group("tight")
    if scale:
        v *= _SCALE[scale.lower()]
    return v


def _unit_after(text: str, end: int, tags: dict[int, str] | None = None) -> str | None:
    """What a number counts: a unit, a currency, or the head of the noun phrase after it."""
    run: list[str] = []
    prev_end = end
    for k, m in enumerate(TOKEN.finditer(text, end, min(len(text), end + 60))):
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


_RANGE_BEFORE = re.compile(r"(?:\bbetween|\bfrom)?\s*(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*"
                           r"(?:and|to|-|–)\s*$", re.I)


def _range_low(text: str, lo: int, start: int, value: float) -> float | None:
    """The lower end of a range this figure closes: "between 60 and 70", "60-70", "60 to 70"."""
    m = _RANGE_BEFORE.search(text[lo:start])
    if m is None:
        return None
    try:
        low = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    return low if low < value else None


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
                    m.group("cur") or m.group("pct") or m.group("scale") or m.group("tight")):
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
                found = _unit_after(text, ne, tags) or of_noun
                if found is None:
                    continue
                unit = found
            if re.match(r"[\s-]*years?[\s-]+old\b", text[ne:ne + 14], re.I):
                unit = "age"  # "the 24-year-old": an age, not a duration
            lo, hi = clause(text, sent, ns, ne)
            event: str | None = None
            if unit == "magnitude":
                event = ""
            elif of_noun:
                event = of_noun
            elif unit == "percent" and (head := _of_head(text, ne, tags)):
                event = head
            else:
                verb = verb_near(text, first, ne, lo, hi, max_words=5, tags=tags, max_after=4)
                event = verb[1] if verb else None
            key_event = "" if event is None else (verb_key(event) or stem(event))
            slot = f"{stem(unit)}|{key_event}"
            about = unit if not event else f"{unit} ({event})"
            out.append(NumberFact(article.id, value, unit, text[m.start():ne].strip(), m.start(),
                                  ne, text[s:e], slot, (m.group("approx") or None),
                                  event is not None, about=about,
                                  low=_range_low(text, max(s, first - 40), first, value)))
    return out

