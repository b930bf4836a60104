"""Does another article state a sentence? The evidence inside one member.

An article *states* a sentence when one of its own sentences is close to it in embedding
space and nothing contradicts it: the sentence's names and figures appear in the
article; an event date it gives is not another date in the article's matching sentences
(a rewrite that moved "Tuesday" to "Wednesday" does not state it) and, where those give
no date, is named there or is the day the article came out; and it lists no item the
other article lacks next to one it has ("rich in oil and uranium" is not stated by "oil
-rich").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from storyfold.analyze.analysis import ArticleAnalysis
from storyfold.analyze.candidates import Span
from storyfold.analyze.dates import dates_overlap
from storyfold.model import Article
from storyfold.text.calendar import WEEKDAYS
from storyfold.text.numbers import same_value
from storyfold.text.quotes import quoted_spans
from storyfold.text.tokens import content_stems, fold, words

_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_DAY_WORD = re.compile(
    "|".join(WEEKDAYS) + r"|today|tonight|yesterday|"
    r"tomorrow|\d+|jan\w*|feb\w*|mar\w*|apr\w*|may|june?|july?|aug\w*|sep\w*|oct\w*|"
    r"nov\w*|dec\w*")


@dataclass
class Doc:
    """One member as the summariser sees it."""

    article: Article
    order: int  # timeline position
    rank: int  # preference among renderings: the original first, then timeline order
    role: str
    root: str  # the original it derives from (itself when independent)
    spans: list[Span]
    vecs: np.ndarray
    analysis: ArticleAnalysis | None
    lower: str = ""
    words: str = ""  # its words, folded and space-joined (filled when first needed)
    numbers: list[float] | None = None  # every quantity it gives (filled when first needed)
    unique_nouns: list[int] = field(default_factory=list)  # offsets of nouns no other uses
    said: dict[Span, tuple] = field(default_factory=dict)  # said_in() per sentence, once each


def numbers_in(text: str) -> list[float]:
    out = []
    for m in _NUM.finditer(text):
        whole = m.group(1).replace(",", "")
        v = float(f"{whole}.{m.group(2)}" if m.group(2) else whole)
        if 1900 <= v <= 2100 and not m.group(2) and "," not in m.group(1):
            continue  # a year: dates are checked separately
        out.append(v)
    return out


def doc_numbers(doc: Doc) -> list[float]:
    """All quantities an article gives: digits, and number words the fact finder read."""
    if doc.numbers is None:
        doc.numbers = numbers_in(doc.article.text)
        if doc.analysis is not None:
            doc.numbers += [n.value for n in doc.analysis.facts.numbers]
    return doc.numbers


def span_numbers(doc: Doc, sp: Span) -> list[float]:
    """The quantities a sentence gives; the day of a date ("March 5") is the date's business."""
    text = sp.text
    if doc.analysis is not None:
        raw = doc.article.text
        for d in doc.analysis.facts.dates:
            if sp.start <= d.start < sp.end:
                text = text.replace(" ".join(raw[d.start : d.end].split()), " ")
    vals = numbers_in(text)
    if doc.analysis is not None:
        vals += [n.value for n in doc.analysis.facts.numbers if sp.start <= n.start < sp.end]
    return vals


def span_dates(doc: Doc, sp: Span) -> list[tuple[str, str]]:
    """Event dates a sentence gives: (as written, resolved), reporting verbs left out."""
    if doc.analysis is None:
        return []
    return [(d.text, d.value) for d in doc.analysis.facts.dates
            if sp.start <= d.start < sp.end and d.value and not d.quoted and d.event != "say"]


def span_names(doc: Doc, sp: Span) -> set[str]:
    """Surnames / last words of the people, organisations and places a sentence names."""
    if doc.analysis is None:
        return set()
    return {m.name.split()[-1].lower() for m in doc.analysis.mentions
            if sp.start <= m.start < sp.end and m.label in {"PERSON", "ORG", "GPE", "LOC", "FAC"}
            and m.name.split()}


def said_in(doc: Doc, sp: Span) -> tuple[list[float], set[str], list[tuple[str, str]]]:
    """A sentence's figures, names and event dates, read once however often it is checked."""
    if sp not in doc.said:
        doc.said[sp] = (span_numbers(doc, sp), span_names(doc, sp), span_dates(doc, sp))
    return doc.said[sp]



def _overlap(a: str, b: str) -> bool:
    """Two resolved dates share a day; an unreadable one contradicts nothing."""
    try:
        return dates_overlap(a, b)
    except ValueError:
        return True


def states(src: Doc, sp: Span, other: Doc, j: int, tolerance: float) -> bool:
    """Does `other`, whose sentence j is closest to `sp`, state what `sp` says?

    Besides names, figures and dates, a common noun that only the source article uses
    ("rich in oil and uranium") is a fact the other article does not state. `tolerance`:
    `AnalyzeSettings.number_tolerance`.
    """
    if _adds_to_a_list(src, sp, other) or not _quotes_kept(src, sp, other):
        return False
    nums, names, mine = said_in(src, sp)
    if nums:
        theirs = doc_numbers(other)
        if not all(any(same_value(v, w, tolerance) for w in theirs) for v in nums):
            return False
    for name in names:
        if not re.search(rf"\b{re.escape(name)}\b", other.lower):
            return False
    if mine:
        window = other.spans[max(0, j - 1) : j + 2]
        their_dates = [v for w in window for _, v in said_in(other, w)[2]]
        if their_dates and not any(_overlap(v, t) for _, v in mine for t in their_dates):
            return False  # another day for the same thing: a conflict, not support
        if not their_dates:  # no date there: the day must be named, or be the day it came out
            said = " ".join(w.text for w in window).lower()
            pub = other.article.published.date().isoformat() if other.article.published else None
            for text, value in mine:
                key = _DAY_WORD.findall(text.lower())
                named = bool(key) and all(k in said for k in key)
                if not named and not (pub and _overlap(value, pub)):
                    return False
    return True


def _quotes_kept(src: Doc, sp: Span, other: Doc) -> bool:
    """Every passage the sentence quotes is in the other article word for word (a cut is
    fine): a rewrite that rewords a quote does not state the quote."""
    if not sp.quoted:
        return True
    if not other.words:
        other.words = " " + " ".join(words(fold(other.article.text))) + " "
    text = src.article.text
    for qs, qe in quoted_spans(text[sp.start : sp.end]):
        quoted = words(fold(text[sp.start + qs : sp.start + qe]))
        if len(quoted) >= 3 and f" {' '.join(quoted)} " not in other.words:
            return False
    return True


_BEFORE_CONJ = re.compile(r"(\w+)\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}$")
_AFTER_CONJ = re.compile(r"^\w+\s*,?\s+(?:and|or|as well as)\s+(?:\w+\s+){0,2}?(\w+)")


def _adds_to_a_list(src: Doc, sp: Span, other: Doc) -> bool:
    """A noun only `src` uses, listed next to one `other` has: "rich in oil and uranium".

    Rewording changes words in place ("first leg" → "first stop") and is no new fact; a
    noun joined to a shared one by "and"/"or" adds an item the other article does not give.
    """
    if other.analysis is None:
        return False
    text = src.article.text
    theirs = other.analysis.stems
    for pos in src.unique_nouns:
        if not sp.start <= pos < sp.end:
            continue
        before = _BEFORE_CONJ.search(text[max(sp.start, pos - 60) : pos])
        after = _AFTER_CONJ.match(text[pos : min(sp.end, pos + 60)])
        for m in (before, after):
            if m and content_stems(m.group(1)) & theirs:
                return True
    return False


def mark_unique_nouns(docs: list[Doc]) -> None:
    """Offsets of the common nouns whose stem no other member's text contains."""
    holders: dict[str, int] = {}
    for d in docs:
        if d.analysis is not None:
            for st in d.analysis.stems:
                holders[st] = holders.get(st, 0) + 1
    for d in docs:
        if d.analysis is not None:
            d.unique_nouns = [pos for pos, st in d.analysis.nouns if holders.get(st, 0) <= 1]

