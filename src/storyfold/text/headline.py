"""Headlines: a title without the outlet's name, and a headline cut from a sentence.

The headline rule: a member's title when there is one (cleaned of the outlet's name);
for untitled text, the main clause of a sentence, without attribution or relative day,
cut at a clause break, else at `CUT_WORDS` words.
"""

from __future__ import annotations

import re

from storyfold.settings import DEFAULTS
from storyfold.text.calendar import weekday_pattern
from storyfold.text.quotes import balanced

CUT_WORDS = 14  # words kept when no clause break gives a short enough headline

_TITLE_SUFFIX = re.compile(r"\s+[-|–—:]\s+([^-|–—:]{2,40})$")
_CLAUSE_BREAK = re.compile(r",\s|\s[—–]\s|;\s|:\s")
_ATTRIBUTION_TAIL = re.compile(
    r",\s+(?:[^,]{0,60}\s)?(?:said|says|reported|announced|according to)\b[^,]*$", re.I
)
_RELATIVE_WHEN = re.compile(
    r",?\s*\b(?:(?:early|late)\s+)?(?:on\s+)?(?:today|tonight|yesterday|overnight|"
    r"(?:this|last)\s+(?:morning|afternoon|evening|night|week)|"
    + weekday_pattern() +
    r"(?:\s+(?:morning|afternoon|evening|night))?)\b",
    re.I,
)
_DANGLING_END = frozenset({"a", "an", "the", "of", "to", "in", "on", "and", "for", "with", "at",
                           "by", "from", "as"})


def clean_title(title: str, source: str | None) -> str:
    """A title without the outlet's name tacked on ("… - Daily Meridian")."""
    t = " ".join(title.split())
    m = _TITLE_SUFFIX.search(t)
    if m and (source and m.group(1).strip().lower() == source.lower()
              or len(m.group(1).split()) <= 3 and len(t.split()) > 6):
        t = t[: m.start()]
    return t.strip()


def cut_words(words: list[str], clean_end: bool = True) -> str:
    """The first `CUT_WORDS` words and "…" when there were more.

    `clean_end`: drop a dangling article or preposition before the "…" (the write-up);
    provenance's quick headline keeps the words as they are.
    """
    if len(words) <= CUT_WORDS:
        return " ".join(words)
    cut = words[:CUT_WORDS]
    if not clean_end:
        return " ".join(cut) + "…"
    while cut and cut[-1].lower() in _DANGLING_END:
        cut.pop()
    return " ".join(cut).rstrip(",;:") + "…"


def headline_from_sentence(sentence: str,
                           max_words: int = DEFAULTS.analyze.headline_words) -> str:
    """A short headline from a sentence: its main clause, no attribution, no relative day.

    `max_words` (`AnalyzeSettings.headline_words`): longer ones are cut at the first clause
    break that leaves 6 to `max_words` words, else at `CUT_WORDS` words.
    """
    s = " ".join(sentence.split()).rstrip(".")
    s = _ATTRIBUTION_TAIL.sub("", s)
    s = _RELATIVE_WHEN.sub("", s).strip(" ,")
    s = re.sub(r"\s{2,}", " ", s)
    words = s.split()
    if len(words) > max_words:
        for m in _CLAUSE_BREAK.finditer(s):
            head = s[: m.start()]
            if 6 <= len(head.split()) <= max_words and balanced(head):
                return head.strip(" ,;:")
        return cut_words(words)
    return s
