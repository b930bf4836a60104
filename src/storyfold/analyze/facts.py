"""Numbers, dates and fact-bearing sentences of one article, each tied to the slot it fills.


Numbers (`numbers`) and dates (`dates`) are found first; a claim sentence is one that
holds a name, a figure or a date and a verb that asserts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storyfold.analyze.dates import DateFact, find_dates, reporting_date
from storyfold.analyze.entities import Mention
from storyfold.analyze.numbers import NumberFact, find_numbers
from storyfold.analyze.slots import TOKEN, verb_key
from storyfold.clean.dateline import find_dateline
from storyfold.model import Article
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.quotes import quoted_spans
from storyfold.text.sentences import sentence_spans

_BOILERPLATE = re.compile(
    r"all rights reserved|subscribe|newsletter|follow (?:us|\w+ for)|read more|click here|"
    r"sign up|log in|share this|advertisement|copyright|©|cookies?|terms of (?:use|service)",
    re.I,
)
_CLAIM_VERBS = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|did|does)\b",
                          re.I)


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


def _claim_ok(sentence: str, quoted_chars: int, settings: AnalyzeSettings) -> bool:
    """Long enough to state something, short enough to be one sentence, the reporter's own."""
    n = len(sentence.split())
    if n < settings.claim_min_words or n > settings.claim_max_words:
        return False
    if quoted_chars > settings.claim_max_quoted * len(sentence):
        return False
    if _BOILERPLATE.search(sentence):
        return False
    toks = TOKEN.findall(sentence)
    return bool(_CLAIM_VERBS.search(sentence)) or any(verb_key(t) for t in toks) or any(
        t.lower() in {"says", "said"} for t in toks)


def extract_facts(article: Article, mentions: list[Mention],
                  aliases: dict[str, str] | None = None,
                  tags: dict[int, str] | None = None,
                  settings: AnalyzeSettings = DEFAULTS.analyze) -> Facts:
    """Numbers, dates and claim sentences of one article (a pure function of its text)."""
    text = article.text
    quotes = quoted_spans(text)
    sents = sentence_spans(text, quotes)
    numbers = find_numbers(article, sents, tags)
    dates = find_dates(article, mentions, sents, aliases, tags)
    date_spans = [(d.start, d.end) for d in dates]
    numbers = [n for n in numbers if not any(a <= n.start < b or a < n.end <= b
                                             for a, b in date_spans)]
    for n in numbers:
        n.quoted = any(qs <= n.start < qe for qs, qe in quotes)
    for d in dates:
        d.quoted = any(qs <= d.start < qe for qs, qe in quotes)
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
        ds = [d.value for d in dates if s <= d.start < e and d.value and not reporting_date(d)]
        if not (ents or nums or ds) or not _claim_ok(sentence, qchars, settings):
            continue
        claims.append(ClaimSentence(article.id, sentence, s, e, ents, nums, ds))
    return Facts(numbers, dates, claims)

