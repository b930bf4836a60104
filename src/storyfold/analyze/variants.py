"""How two renderings of one quote relate: same words, a cut, punctuation, or alteration.

Why word-level: outlets re-punctuate, re-case and re-quote (curly vs straight marks, the
comma that precedes "he said") without changing what was said; what matters to a reader
is whether words were changed, added or dropped. So texts are compared as sequences of
lower-cased words with `difflib.SequenceMatcher`, and the raw strings only decide between
`verbatim` and `punctuation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from storyfold.text.tokens import FUNCTION_WORDS, fold, stem, word_spans, words

VariantKind = Literal["verbatim", "trimmed", "punctuation", "altered"]
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*")


@dataclass(frozen=True)
class QuoteSig:
    """What grouping needs of one quote, computed once."""

    words: tuple[str, ...]
    stems: frozenset[str]  # content-word stems


def signature(text: str) -> QuoteSig:
    ws = tuple(words(fold(text)))
    return QuoteSig(ws, frozenset(stem(w) for w in ws if w not in FUNCTION_WORDS))


def align_score(a: QuoteSig, b: QuoteSig) -> float:
    """How likely two quotes render the same utterance, in [0, 1].

    The best of: word-sequence similarity; containment (one is a cut of the other, for
    quotes of at least four words); and a blend of sequence similarity with content-stem
    overlap, which survives rewording that keeps the substance ("refusing to be a vassal
    of any power" vs "which refuses to be a vassal of any powers").
    """
    if not a.words or not b.words:
        return 0.0
    sm = SequenceMatcher(None, a.words, b.words, autojunk=False)
    matched = sum(blk.size for blk in sm.get_matching_blocks())
    ratio = 2.0 * matched / (len(a.words) + len(b.words))
    short = min(len(a.words), len(b.words))
    cover = matched / short
    score = ratio
    if short >= 4 and cover >= 0.9:
        longest = max(blk.size for blk in sm.get_matching_blocks())
        if longest >= min(short, 4):
            score = max(score, 0.55 + 0.45 * cover * ratio ** 0.25)
    shared = len(a.stems & b.stems)
    if shared >= 3 and a.stems and b.stems:
        overlap = shared / min(len(a.stems), len(b.stems))
        score = max(score, 0.5 * ratio + 0.5 * overlap)
    return min(score, 1.0)


def _find_run(part: tuple[str, ...], whole: tuple[str, ...], start: int = 0) -> int:
    """Index of the first contiguous run `part` in `whole` at or after `start`, or -1."""
    n = len(part)
    return next((i for i in range(start, len(whole) - n + 1) if whole[i : i + n] == part), -1)


def _pieces_in_order(variant: str, ref_words: tuple[str, ...]) -> bool:
    """An elided quote ("A … C"): each piece is a contiguous run of the reference, in order."""
    pieces = [ws for p in _ELLIPSIS.split(variant) if (ws := tuple(words(fold(p))))]
    if len(pieces) < 2:
        return False
    pos = 0
    for p in pieces:
        found = _find_run(p, ref_words, pos)
        if found < 0:
            return False
        pos = found + len(p)
    return True


def _norm_raw(text: str) -> str:
    return " ".join(fold(text).split()).strip(" ,.;:")


def word_diff(ref: str, variant: str) -> list[dict[str, str]]:
    """Word-level edit script from the reference to the variant, original spellings kept."""
    ra, rb = word_spans(ref), word_spans(variant)
    wa = [w.lower().replace("’", "'") for w, _, _ in ra]
    wb = [w.lower().replace("’", "'") for w, _, _ in rb]
    ops: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        op: dict[str, str] = {"op": tag}
        if tag in {"equal", "delete", "replace"}:
            op["ref"] = " ".join(w for w, _, _ in ra[i1:i2])
        if tag in {"insert", "replace"}:
            op["text"] = " ".join(w for w, _, _ in rb[j1:j2])
        ops.append(op)
    return ops


def classify(ref: str, variant: str) -> tuple[VariantKind, float]:
    """Kind of a variant against the reference rendering, and their word similarity.

    `verbatim`: same text once typography and the attribution comma/stop are folded;
    `punctuation`: same words, other punctuation or case; `trimmed`: the variant's words
    are one contiguous run of the reference's (or runs joined by an ellipsis);
    `altered`: anything else — words changed, added or dropped.
    """
    wr, wv = tuple(words(fold(ref))), tuple(words(fold(variant)))
    score = SequenceMatcher(None, wr, wv, autojunk=False).ratio() if wr or wv else 1.0
    if _norm_raw(ref) == _norm_raw(variant):
        return "verbatim", 1.0
    if wr == wv:
        return "punctuation", round(score, 3)
    if len(wv) < len(wr) and (_find_run(wv, wr) >= 0 or _pieces_in_order(variant, wr)):
        return "trimmed", round(score, 3)
    return "altered", round(score, 3)
