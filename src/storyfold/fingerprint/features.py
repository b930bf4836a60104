"""Tokens, shingles and salient terms: the shared vocabulary of hashing and clustering."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from operator import itemgetter

from storyfold.settings import DEFAULTS
from storyfold.text.calendar import CALENDAR_WORDS
from storyfold.text.tokens import STOPWORDS, tokens

_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z\-]{2,}\b")


def shingles(words: list[str], n: int = 3) -> list[str]:
    """Word n-grams; short texts fall back to their words so they still get a signature."""
    if len(words) < n:
        return [" ".join(words)] if words else [""]
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def _most_common(counts: dict[str, float], limit: int) -> dict[str, float]:
    """The `limit` largest counts, ties in first-seen order (as `Counter.most_common`)."""
    return dict(heapq.nlargest(limit, counts.items(), key=itemgetter(1)))


def salient_terms(title: str | None, text: str, limit: int = DEFAULTS.fingerprint.max_terms,
                  name_weight: float = DEFAULTS.fingerprint.name_weight) -> dict[str, float]:
    """Content-word frequencies with the title and named things weighted up.

    Titles and capitalised names carry the event's identity (who, where), which is what
    separates two earthquakes in one week; function words carry none.
    """
    counts: defaultdict[str, float] = defaultdict(float)
    for w in tokens(text):
        if len(w) > 2 and w not in STOPWORDS and not w.isdigit():
            counts[w] += 1.0
        elif w.isdigit() and len(w) >= 2:
            counts[w] += 0.5
    for name in _CAPITALISED.findall(text):
        low = name.lower()
        if low not in STOPWORDS:
            counts[low] += name_weight
    if title:
        for w in tokens(title):
            if len(w) > 2 and w not in STOPWORDS:
                counts[w] += 2.0
    return _most_common(counts, limit)


CALENDAR = CALENDAR_WORDS  # capitalised, but shared by every story of the same week
_NAME_OR_NUMBER = re.compile(r"\b[A-Z][\w\-'’]+|\b\d[\d,.]*\d\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘’(\[—–-]\s*|\n\s*)$")


def _name_key(word: str) -> str:
    """`Calloway's` and `Calloway` are one name."""
    return word.lower().rstrip("'’").removesuffix("'s").removesuffix("’s")


def names(title: str | None, text: str, limit: int = DEFAULTS.fingerprint.max_names
          ) -> dict[str, float]:
    """Proper names and multi-digit numbers: who, where, how many — an event's identity.

    Two earthquakes or two arrests share every common word and most of the embedding;
    they differ in the people, places and figures. A word counts as a name only if it is
    capitalised somewhere other than at the start of a sentence, so sentence-initial
    common words are not mistaken for names. Text that is all lower case (pre-processed
    corpora) yields nothing, and clustering then falls back to words and embeddings.
    """
    seen_mid: set[str] = set()
    counts: defaultdict[str, float] = defaultdict(float)
    for m in _NAME_OR_NUMBER.finditer(text):
        low = _name_key(m.group(0))
        if len(low) < 2 or low in STOPWORDS or low in CALENDAR:
            continue
        counts[low] += 1.0
        if not _SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()]):
            seen_mid.add(low)
    out = {w: c for w, c in counts.items() if w in seen_mid}
    if title:
        for m in _NAME_OR_NUMBER.finditer(title):
            low = _name_key(m.group(0))
            if low in seen_mid:
                out[low] += 1.0
    return _most_common(out, limit)
