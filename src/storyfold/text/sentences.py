"""The one sentence splitter, and the three boundary rules its callers depend on.

One implementation (`sentence_spans`) cuts a text at the matches of a rule's boundary
pattern. The rules differ because what each caller stores or compares was computed with
it, and changing it would change results that are already measured or stored:

* `READING` (analysis: quotes, claims, summaries) never cuts inside a quotation or after
  an abbreviation or initial ("Mr.", "J. R."), and keeps closing marks with the sentence.
* `LEAD` (`fingerprint.lead_sentences`) is the plain punctuation rule the stored
  lead-sentence vectors were computed on: they key rewrite detection and the write-up's
  reuse of those vectors, so a different cut would re-key the store and move rewrite
  links. A closing mark after the stop is dropped with the space, as it always was.
* `CONTAINMENT` (provenance: which member holds the others' sentences) cuts after every
  stop followed by a space, even before a lower-case word, and not at line breaks; the
  choice of the original depends on the sentence sets it yields.

`bench`: on examples/, ECB+ dev, the L2R rewrites and SemEval-2022 dev, each rule gives
exactly the sentences of the splitter it replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyfold.text.quotes import mask_quotes, quoted_spans


@dataclass(frozen=True)
class SentenceRule:
    """Where one sentence ends: the boundary pattern and whether quotes and abbreviations
    guard it.

    `boundary` matches between two sentences; its group `stop` (if it takes part in a
    match) stays with the sentence before, the rest of the match is dropped. `guarded`:
    the boundary is searched on the text with quotations masked, and a full stop after an
    abbreviation or an initial is no boundary (unless a time like "7 p.m." ends the
    sentence).
    """

    boundary: re.Pattern[str]
    guarded: bool = False


READING = SentenceRule(
    re.compile(r"(?P<stop>[.!?…]+[\"”’»)]*)(?=\s+[\"“‘(A-Z0-9]|[“\"]\S|\s*$)|\n\s*\n?"),
    guarded=True,
)
LEAD = SentenceRule(re.compile(r"(?<=[.!?…])[”\"’']?[^\S\n]+(?=[“\"‘'(A-Z0-9])|\n"))
CONTAINMENT = SentenceRule(re.compile(r"(?<=[.!?])\s+"))

_ABBREV = frozenset(
    """mr mrs ms dr st jr sr prof gen gov sen rep lt col sgt capt cpl adm jan feb mar apr jun
    jul aug sep sept oct nov dec inc corp ltd co no vs etc approx dept est fig""".split()
)
_WORD_BEFORE_STOP = re.compile(r"([\w.]+)\.$")
_INITIALS = re.compile(r"[a-z]|(?:[a-z]\.)+[a-z]")
_TIMES = frozenset({"a.m", "p.m"})  # "…at 7 p.m. Washing cars…": a time can end a sentence
_NEXT_SENTENCE = re.compile(r"\s+[A-Z][a-z]")


def _abbreviation_before(masked: str, stop: int, after: int) -> bool:
    """Is the full stop at `stop` the end of an abbreviation or initial, not of a sentence?"""
    prev = _WORD_BEFORE_STOP.search(masked[max(0, stop - 12) : stop + 1])
    if not prev:
        return False
    tok = prev.group(1).lower()
    ends_on_time = tok in _TIMES and _NEXT_SENTENCE.match(masked, after)
    return bool((tok in _ABBREV or _INITIALS.fullmatch(tok)) and not ends_on_time)


def sentence_spans(text: str, quotes: list[tuple[int, int]] | None = None,
                   rule: SentenceRule = READING) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding white space trimmed, empty ones left out.

    `quotes`: the text's quoted spans when already found (guarded rules only).
    """
    searched = text
    if rule.guarded:
        searched = mask_quotes(text, quoted_spans(text) if quotes is None else quotes)
    cuts: list[tuple[int, int]] = []  # (end of the sentence before, start of the next)
    stop_group = "stop" in rule.boundary.groupindex
    for m in rule.boundary.finditer(searched):
        has_stop = stop_group and m.start("stop") >= 0
        if rule.guarded and has_stop and searched[m.start()] == "." and _abbreviation_before(
                searched, m.start(), m.end()):
            continue
        cuts.append((m.end("stop") if has_stop else m.start(), m.end()))
    cuts.append((len(text), len(text)))
    out: list[tuple[int, int]] = []
    start = 0
    for end, nxt in cuts:
        seg = text[start:end]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            out.append((start + lead, start + len(seg.rstrip())))
        start = nxt
    return out


def sentences(text: str, rule: SentenceRule = READING, min_words: int = 0,
              limit: int | None = None) -> list[str]:
    """The sentences as strings, those under `min_words` words left out, at most `limit`."""
    out: list[str] = []
    for s, e in sentence_spans(text, rule=rule):
        sent = text[s:e]
        if len(sent.split()) >= min_words:
            out.append(sent)
            if limit is not None and len(out) >= limit:
                break
    return out
