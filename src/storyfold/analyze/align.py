"""Sentence alignment: each sentence of an article paired with the sentence of another
article of the story that says the same thing.

Why: a copy or a rewrite keeps its source's sentences in order, reworded; an outlet that
changed a figure changed it *in the sentence that restates the source's sentence*, whatever
verb or noun it used around it ("records of 120,000 patients were exposed" / "the personal
details of 210,000 patients were exposed"). Comparing figures and dates across aligned
sentences finds those changes without needing the two to fill the same verb/noun slot.

Sentences are compared by their content-word stems, leaving out what every sentence of a
story shares and says nothing about the fact stated: reporting verbs, weekday and month
names, figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from storyfold.analyze.slots import verb_key
from storyfold.text.calendar import CALENDAR_WORDS
from storyfold.text.quotes import quoted_spans
from storyfold.text.sentences import sentence_spans
from storyfold.text.tokens import FUNCTION_WORDS, stem, words

_REPORTING = frozenset(stem(w) for w in """say said says tell told confirm confirmed according
    add added report reported announce announced state stated""".split())
_IGNORED = _REPORTING | frozenset(stem(w) for w in CALENDAR_WORDS)


@dataclass(frozen=True)
class Sentence:
    """One sentence of one article, with the stems it is aligned by."""

    article: str
    index: int
    start: int
    end: int
    stems: frozenset[str]


@dataclass(frozen=True)
class Aligned:
    """Two sentences of two articles that say the same thing; `a` is the earlier article's."""

    a: Sentence
    b: Sentence
    score: float  # stem cosine, 0..1
    best: bool = True  # `b`'s best match in `a`'s article (else only a weaker candidate)
    gap: bool = False  # paired by position between two aligned pairs (`fill_gaps`)


def sentences_of(article_id: str, text: str) -> list[Sentence]:
    """The article's sentences (quotations kept whole) with their alignment stems."""
    out = []
    for i, (s, e) in enumerate(sentence_spans(text, quoted_spans(text))):
        out.append(Sentence(article_id, i, s, e, alignment_stems(text[s:e])))
    return out


def alignment_stems(sentence: str) -> frozenset[str]:
    """What a sentence is aligned by: its content-word stems, event verbs reduced to their
    synonym group ("rose" and "climbed" are one), and the figures it gives ("2.4 metres" in
    both is strong evidence of one sentence; a changed figure costs one token of many)."""
    out = set()
    for w in words(sentence):
        if w in FUNCTION_WORDS:
            continue
        if w[:1].isdigit():
            out.add(w.replace(",", ""))
            continue
        st = stem(w)
        if st in _IGNORED:
            continue
        out.add(verb_key(w) or st)
    return frozenset(out)


def align(sents: dict[str, list[Sentence]], rank: dict[str, int], min_score: float,
          min_shared: int, floor: float | None = None) -> list[Aligned]:
    """Each sentence of each article paired with its best match in every earlier article.

    A pair needs `min_shared` stems in common and a stem cosine of `min_score`. With
    `floor`, weaker candidates down to that cosine are returned too (`best` False): a
    sentence may restate two of its source's, and a figure of one unit in both is evidence
    enough that a weaker pair is one. Candidates come from an index of stems, so a story of
    many long articles is not compared sentence by sentence all against all.
    """
    floor = min_score if floor is None else min(floor, min_score)
    postings: dict[str, list[Sentence]] = defaultdict(list)
    for ss in sents.values():
        for s in ss:
            for st in s.stems:
                postings[st].append(s)

    order = {a: (rank.get(a, 0), a) for a in sents}  # earlier articles first, ties by id
    out: list[Aligned] = []
    for ss in sents.values():
        for s in ss:
            mine = order[s.article]
            shared: dict[tuple[str, int], int] = defaultdict(int)
            for st in s.stems:
                for o in postings[st]:
                    if order[o.article] < mine:
                        shared[(o.article, o.index)] += 1
            per_article: dict[str, list[tuple[float, int]]] = defaultdict(list)
            for (art, idx), n in shared.items():
                if n < min_shared:
                    continue
                score = n / math.sqrt(len(s.stems) * len(sents[art][idx].stems))
                if score >= floor:
                    per_article[art].append((score, idx))
            for art, cands in per_article.items():
                cands.sort(key=lambda c: (-c[0], c[1]))
                for k, (score, idx) in enumerate(cands):
                    best = k == 0 and score >= min_score
                    out.append(Aligned(sents[art][idx], s, round(score, 3), best))
    return out + fill_gaps(sents, out, order)


def fill_gaps(sents: dict[str, list[Sentence]], aligned: list[Aligned],
              order: dict[str, tuple[int, str]]) -> list[Aligned]:
    """Sentences paired by their place: a rewrite follows its source sentence by sentence,
    so a sentence of `b` that matches nothing, lying between two sentences aligned to `a`,
    restates the one sentence of `a` between those two that matches nothing either ("Ostberg
    will be sworn in on Friday" / "She will take the oath of office on Thursday": no word
    in common, one place in both)."""
    best: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)  # (a, b) -> b idx -> a idx
    for al in aligned:
        if al.best:
            best[(al.a.article, al.b.article)][al.b.index] = al.a.index
    out: list[Aligned] = []
    for (art_a, art_b), pairs in best.items():
        if len(pairs) < 2:
            continue  # too little alignment to read places from
        taken_a = set(pairs.values())
        for s in sents[art_b]:
            if s.index in pairs:
                continue
            if not any(i < s.index for i in pairs) or not any(i > s.index for i in pairs):
                continue
            lo = pairs[max(i for i in pairs if i < s.index)]
            hi = pairs[min(i for i in pairs if i > s.index)]
            free = [i for i in range(min(lo, hi) + 1, max(lo, hi)) if i not in taken_a]
            if len(free) == 1:
                out.append(Aligned(sents[art_a][free[0]], s, 0.0, True, gap=True))
    return out
