"""Words: the two tokenisers, the stemmer and the two stop-word lists, each with its role.

Two granularities, each fixed by what was computed with it:

* `tokens` (matching) folds case and every punctuation mark to a space, so "Russia's"
  is "russia", "s" and "3.5" is "3", "5": the words MinHash shingles, salient terms and
  proper names are built from (stored signatures and cluster terms depend on it).
* `words` (reading) keeps a figure ("3.5", "1,200") and a possessive ("russia's") whole:
  the words a quote diff shows and a claim is compared on.

Two stop-word lists, for the same reason: `STOPWORDS` are the words that say nothing
about *which event* an article reports (it includes "said", "year", "new", which carry no
identity); `FUNCTION_WORDS` are the words that are never evidence that two quotes or two
sentences *say the same thing* (they include "every", "many", "must", which do not
identify an event but do change what a sentence says). Merging the lists would change
both MinHash terms and claim grouping.
"""

from __future__ import annotations

import re
import unicodedata

from storyfold.clean import normalize_text

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according would one two new also its it's last
    week year years day days time mr mrs ms after since however while including""".split()
)
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet for of to in on at by with from into onto about as than
    then that this these those there here it its it's is are was were be been being am do does
    did done have has had having will would shall should can could may might must not no
    i me my we us our you your he him his she her they them their who whom whose which what
    when where why how if while because although though also just only very too all any some
    each every both either neither such own same other more most much many few""".split()
)

_TOKEN = re.compile(r"\w+")
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Normalised word tokens (case, punctuation and quote styles folded): for matching."""
    return _TOKEN.findall(normalize_text(text))


def words(text: str) -> list[str]:
    """Lower-case word tokens with punctuation dropped; "Russia's" stays one token."""
    return [w.replace("’", "'").lower() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Words with their character offsets, for diffs that report the original spelling."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def fold(text: str) -> str:
    """Typographic variants folded (curly to straight, NFKC), case kept."""
    text = unicodedata.normalize("NFKC", text)
    return (text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
            .replace("—", "-").replace("–", "-"))


def stem(word: str) -> str:
    """A crude, fast stem: enough to equate "refuses"/"refusing" and "powers"/"power"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and not w.isdigit():
        if w.endswith("ies"):
            w = w[:-3] + "y"
        else:
            for suf in ("ing", "ed", "es", "s", "e", "ly"):
                if w.endswith(suf) and len(w) - len(suf) >= 3:
                    w = w[: -len(suf)]
                    break
    return w[:7]


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (function words dropped)."""
    return {stem(w) for w in words(text) if w not in FUNCTION_WORDS}
