"""Direct quotations in an article, and who said them.

Why rules rather than a model: news attributes quotes in a handful of fixed shapes
("X said", "said X", "X told Y", "according to X", "he said", "the minister said"), and
getting them right is about where to look (the words after the closing mark first, then
the words before the opening one, then the previous quote) more than about language
understanding. Names come from spaCy's NER (`entities.py`); a capitalised name right
next to a speech verb is taken even when the NER missed it, since invented or foreign
names are exactly what a small model misses.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from storyfold.analyze.entities import (
    TITLE_WORDS,
    Mention,
    alias_map,
    extract_mentions,
    model_for,
)
from storyfold.model import Article
from storyfold.settings import DEFAULTS, AnalyzeSettings
from storyfold.text.calendar import MONTH_NAMES, WEEKDAYS
from storyfold.text.quotes import CLOSE_QUOTES, OPEN_QUOTES, STRAIGHT, quoted_spans
from storyfold.text.sentences import sentence_spans
from storyfold.text.tokens import content_stems, stem

SPEECH_VERBS = frozenset(
    """said says say saying told tells tell added adds stated states noted notes explained
    explains insisted insists argued argues warned warns wrote writes asked asks replied
    replies responded responds declared declares announced announces acknowledged
    acknowledges admitted admits claimed claims commented comments continued continues
    emphasised emphasized emphasises emphasizes stressed stresses urged urges recalled
    recalls observed observes remarked remarks conceded concedes promised promises pledged
    pledges accused accuses described describes called calls vowed vows predicted predicts
    suggested suggests concluded concludes cautioned cautions maintained maintains affirmed
    affirms reiterated reiterates underscored underscores complained complains confirmed
    confirms boasted boasts joked jokes quipped quips tweeted posted shouted whispered
    testified testifies countered counters agreed agrees denied denies dismissed dismisses
    praised praises criticised criticized lamented laments assured assures informed
    reported reports told""".split()
)
_VERB_RE = re.compile(
    r"\b(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + r")\b|\baccording to\b",
    re.IGNORECASE,
)
_PRONOUN_NEAR_VERB = re.compile(r"\b(he|she|He|She)\b")
_HIS_WORDS = re.compile(
    r"\b(?:in|In)\s+(?:his|her)\s+(?:own\s+)?words\b|\bas\s+(?:he|she)\s+put\s+it\b", re.I
)
_DESCRIPTOR = re.compile(
    r"\b(?:the|a|an|The|A|An)\s+((?:[\w’'-]+\s+){0,6}?[\w’'-]+)\s*$"
)
_DESCRIPTOR_AFTER = re.compile(r"^\s*(?:the|a|an)\s+([^,.;:“”\"\n]{2,80})", re.I)
_CAP_NAME = re.compile(
    r"[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|de|van|von|al|bin|da|del|der|la|le)){0,3}"
)
_NOT_NAMES = frozenset(
    """He She It They We I You The A An In On At But And Or So This That These Those There
    Then When While After Before As If Asked Speaking Officials Police Authorities
    Residents""".split()
) | {w.capitalize() for w in (*WEEKDAYS, *MONTH_NAMES)}
_NAME_AFTER_VERB = re.compile(r"\s+(" + _CAP_NAME.pattern + ")")
_NAME_BEFORE_VERB = re.compile(r"(" + _CAP_NAME.pattern + r")(?:,[^,]{2,80},)?\s+(?:\w+ly\s+)?$")
_CLOSING_MARKS = CLOSE_QUOTES + STRAIGHT + "’'"
_OPENING_MARKS = OPEN_QUOTES + STRAIGHT + "‘'"
_MODIFIER_BEFORE = re.compile(r"\b(?:of|at|for|from|with|in|on|by)\s+(?:the\s+)?$", re.I)
ORG_NOUNS = frozenset(
    """company firm group ministry department agency union government council court police
    bank office party commission authority service board club team airline university
    hospital army military operator network""".split()
)


@dataclass
class Quote:
    """A direct quotation: one utterance, even when split around "he said"."""

    article: str
    speaker: str | None
    text: str
    start: int  # from the first quoted character to the last (attribution between parts incl.)
    end: int
    partial: bool  # a fragment woven into the reporter's sentence
    parts: list[tuple[int, int]] = field(default_factory=list)
    how: str | None = None  # explicit, pronoun, title, continuation: how the speaker was found
    named_at: tuple[int, int] | None = None  # where an explicit attribution names the speaker


@dataclass
class _Utterance:
    parts: list[tuple[int, int]]
    middle: list[tuple[int, int]]  # attribution text between parts


def _strip_content(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _utterances(text: str, spans: list[tuple[int, int]],
                max_gap_words: int) -> list[_Utterance]:
    """Join the parts of a quote split around its attribution into one utterance."""
    out: list[_Utterance] = []
    for s, e in spans:
        s, e = _strip_content(text, s, e)
        if out:
            prev = out[-1]
            ps, pe = prev.parts[-1]
            gap = text[pe + 1 : s - 1]
            if (
                text[ps:pe].rstrip().endswith(",")
                and "\n" not in gap
                and len(gap.split()) <= max_gap_words
                and re.fullmatch(r"\s*,?\s*[^.!?“”\"]+?,\s*", gap)
                and _VERB_RE.search(gap)
            ):
                prev.middle.append((pe + 1, s - 1))
                prev.parts.append((s, e))
                continue
        out.append(_Utterance([(s, e)], []))
    return out


def _quote_text(text: str, parts: list[tuple[int, int]]) -> str:
    """The utterance's words; a split's comma goes when the second part runs on in lower case."""
    pieces = [" ".join(text[s:e].split()) for s, e in parts]
    for k in range(len(pieces) - 1):
        if pieces[k + 1][:1].islower():
            pieces[k] = pieces[k].rstrip(" ,")
    return " ".join(pieces).rstrip(" ,")


def _is_partial(text: str, parts: list[tuple[int, int]]) -> bool:
    s, e = parts[0][0], parts[-1][1]
    content = text[s:e].strip()
    first = next((c for c in content if c.isalpha()), "")
    if first.islower():
        return True
    before = text[: s - 1].rstrip()
    prev = before[-1] if before else "\n"
    embedded = prev.isalnum() or prev in "’'"
    if embedded:
        last_word = re.search(r"(\w+)\W*$", before)
        if last_word and last_word.group(1).lower() in SPEECH_VERBS | {"that"}:
            return content[-1:] not in ".!?,"
        return content[-1:] not in ".!?"
    return False


def _fallback_names(text: str, a: int, b: int, verb_start: int, verb_end: int) -> list[Mention]:
    """Capitalised names right next to a speech verb that the NER did not tag."""
    out: list[Mention] = []
    after = _NAME_AFTER_VERB.match(text[verb_end:b])
    if after:
        out.append(Mention(after.group(1), "PERSON", verb_end + after.start(1),
                           verb_end + after.end(1)))
    before = _NAME_BEFORE_VERB.search(text[a:verb_start])
    if before:
        lead = text[: a + before.start(1)].rstrip(" \t")
        sentence_start = not lead or re.search(r"[.!?\n—–][”\"’]?$", lead) is not None
        if not (sentence_start and len(before.group(1).split()) == 1):
            out.append(Mention(before.group(1), "PERSON", a + before.start(1),
                               a + before.end(1)))
    good = []
    for m in out:
        toks = [t for t in m.name.split() if t not in _NOT_NAMES and t.lower() not in TITLE_WORDS]
        if not toks or len(toks) != len(m.name.split()):
            toks = [t for t in toks if t[:1].isupper()]
            if not toks:
                continue
        good.append(Mention(" ".join(toks), "PERSON", m.start, m.end))
    return good


class _Resolver:
    """Speaker resolution inside one article."""

    def __init__(self, text: str, mentions: list[Mention], quotes: list[tuple[int, int]],
                 near_words: int) -> None:
        self.near_words = near_words
        self.text = text
        self.mentions = [m for m in mentions if not any(s <= m.start < e for s, e in quotes)]
        self.mentions.sort(key=lambda m: m.start)
        self.starts = [m.start for m in self.mentions]
        self.aliases = alias_map([(m.name, m.label) for m in self.mentions])
        self.named_at: tuple[int, int] | None = None  # set by `attribute`

    def canon(self, name: str) -> str:
        return self.aliases.get(name, name)

    def in_range(self, a: int, b: int) -> list[Mention]:
        return [m for m in self.mentions if a <= m.start and m.end <= b]

    def last_before(self, pos: int, label: str = "PERSON") -> Mention | None:
        i = bisect_right(self.starts, pos)
        for m in reversed(self.mentions[:i]):
            if m.label == label and m.end <= pos:
                return m
        return None

    def by_title(self, descriptor: str, pos: int) -> str | None:
        """The most recent person before `pos` whose role words match the descriptor."""
        want = {stem(w) for w in descriptor.lower().split() if w.isalpha()}
        heads = {stem(w) for w in descriptor.lower().split() if w in TITLE_WORDS}
        if not heads:
            return None
        best, best_score = None, 0
        i = bisect_right(self.starts, pos)
        for m in reversed(self.mentions[:i]):
            if m.label != "PERSON" or not m.title:
                continue
            have = content_stems(m.title)
            if not heads & have:
                continue
            score = len(want & have)
            if score > best_score:
                best, best_score = m, score
        return self.canon(best.name) if best else None

    def attribute(self, a: int, b: int, where: str, qstart: int) -> tuple[str | None, str | None]:
        """Speaker named in text[a:b] (an attribution clause next to the quote), if any.

        The span of the name used for an explicit attribution is left in `self.named_at`.
        """
        self.named_at = None
        seg = self.text[a:b]
        verbs = list(_VERB_RE.finditer(seg))
        if not verbs:
            if where == "head" and _HIS_WORDS.search(seg):
                m = self.last_before(qstart)
                return (self.canon(m.name), "pronoun") if m else (None, None)
            if where == "tail":
                by = re.match(r"^\W*by\s+", seg)
                if by:
                    names = [m for m in self.in_range(a, b) if m.label == "PERSON"]
                    if names:
                        return self.canon(names[0].name), "explicit"
            return None, None
        verb = verbs[-1] if where == "head" else verbs[0]
        vs, ve = a + verb.start(), a + verb.end()
        names = [m for m in self.in_range(a, b) if m.label in {"PERSON", "ORG"}]
        if verb.group(0).lower() == "according to":
            after = [m for m in names if m.start >= ve]
            if after:
                return self.canon(after[0].name), "explicit"
        else:
            near_before = [
                m for m in names if m.end <= vs
                and len(self.text[m.end : vs].split()) <= self.near_words
                and not _MODIFIER_BEFORE.search(self.text[max(a, m.start - 6) : m.start])
            ]
            near_after = [m for m in names if m.start >= ve
                          and len(self.text[ve : m.start].split()) <= 4]
            fallback = _fallback_names(self.text, a, b, vs, ve)
            fb_before = [m for m in fallback if m.end <= vs]
            fb_after = [m for m in fallback if m.start >= ve]
            # the subject before the verb first ("Novak told Claes"), a person before an
            # organisation; then the name after it ("said Novak")
            for pool, pick in (([m for m in near_before if m.label == "PERSON"], -1),
                               (fb_before, -1),
                               ([m for m in near_before if m.label == "ORG"], -1),
                               ([m for m in near_after if m.label == "PERSON"], 0),
                               (fb_after, 0),
                               ([m for m in near_after if m.label == "ORG"], 0)):
                if pool:
                    self.named_at = (pool[pick].start, pool[pick].end)
                    return self.canon(pool[pick].name), "explicit"
        window = self.text[max(a, vs - 25) : min(b, ve + 15)]
        if _PRONOUN_NEAR_VERB.search(window):
            m = self.last_before(qstart)
            return (self.canon(m.name), "pronoun") if m else (None, None)
        desc = _DESCRIPTOR.search(self.text[a:vs]) or _DESCRIPTOR_AFTER.match(self.text[ve:b])
        if desc:
            who = self.by_title(desc.group(1), qstart)
            if who:
                return who, "title"
            head = desc.group(1).lower().split()[-1]
            if head in ORG_NOUNS:
                org = self.last_before(qstart, "ORG")
                if org is not None:
                    return self.canon(org.name), "title"
        return None, None


def find_quotes(
    article: Article, mentions: list[Mention] | None = None, min_words: int = 2,
    settings: AnalyzeSettings = DEFAULTS.analyze,
) -> list[Quote]:
    """All direct quotations of one article, with speakers resolved where the text allows."""
    text = article.text
    if mentions is None:
        mentions = extract_mentions([text], model=model_for(article.lang, settings))[0]
    spans = quoted_spans(text)  # never empty or blank
    utts = _utterances(text, spans, settings.max_split_gap_words)
    sents = sentence_spans(text, spans)
    sent_starts = [s for s, _ in sents]
    resolver = _Resolver(text, mentions, spans, settings.near_words)
    out: list[Quote] = []
    prev: Quote | None = None
    prev_sent_end = 0
    for u in utts:
        s0, e_last = u.parts[0][0], u.parts[-1][1]
        qtext = _quote_text(text, u.parts)
        if len(qtext.split()) < min_words:
            continue
        si = max(0, bisect_right(sent_starts, s0) - 1)
        sent_s, sent_e = sents[si] if sents else (0, len(text))
        # the quote's closing mark may sit after the sentence's end offset
        close = e_last + 1 if e_last < len(text) and text[e_last] in _CLOSING_MARKS else e_last
        next_open = min((s - 1 for s, _ in spans if s > close), default=len(text))
        tail_end = min(max(sent_e, close), next_open)
        para_end = text.find("\n", close)
        if para_end != -1:
            tail_end = min(tail_end, para_end)
        prev_close = max((e + 1 for _, e in spans if e < s0 - 1), default=0)
        head_start = max(sent_s, prev_close)
        open_mark = s0 - 1 if s0 > 0 and text[s0 - 1] in _OPENING_MARKS else s0
        speaker, how = None, None
        for a, b in u.middle:
            speaker, how = resolver.attribute(a, b, "middle", s0)
            if speaker:
                break
        if speaker is None and tail_end > close:
            speaker, how = resolver.attribute(close, tail_end, "tail", s0)
        if speaker is None and open_mark > head_start:
            speaker, how = resolver.attribute(head_start, open_mark, "head", s0)
        named_at = resolver.named_at if how == "explicit" else None
        if (speaker is None and prev is not None and prev.speaker and prev.start >= sent_s
                and _VERB_RE.search(text[head_start:open_mark])):
            speaker, how = prev.speaker, "continuation"  # "X said A and added: B"
        starts_sentence = not text[head_start:open_mark].strip()
        if speaker is None and prev is not None and prev.speaker and starts_sentence:
            between = resolver.in_range(max(prev.end, prev_sent_end), s0)
            gap_paras = text.count("\n\n", prev.end, s0)
            if gap_paras <= 1 and not [m for m in between if m.label == "PERSON"
                                       and resolver.canon(m.name) != prev.speaker]:
                speaker, how = prev.speaker, "continuation"
        q = Quote(article.id, speaker, qtext, s0, e_last, _is_partial(text, u.parts),
                  list(u.parts), how, named_at)
        out.append(q)
        prev = q
        prev_sent_end = tail_end
    return out
