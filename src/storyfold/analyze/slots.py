"""Slots: the event a number or a date belongs to, so two outlets' values can be compared.

A slot is the event verb and its subject (dates) or the counted noun and its verb
(numbers), both reduced to crude stems and a small table of event synonyms, so that a
rewrite's "hit" and "struck" still meet.
"""

from __future__ import annotations

import re

from storyfold.analyze.entities import Mention
from storyfold.text.tokens import FUNCTION_WORDS, stem

# Event verbs grouped by meaning, so a rewrite's synonym fills the same slot.
_SYNONYMS = """
strike: struck strike strikes hit hits rock rocked shook shake jolt jolted rattle rattled
  batter battered lash lashed swept sweep tore tear pound pounded
arrive: arrive arrived arrives arriving land landed reach reached
kill: kill killed killing die died dead deaths death killed lose lost
injure: injure injured injuring hurt hurting wound wounded
rise: rise rose risen climb climbed increase increased jump jumped surge surged soar soared
  gain gained grew grow
fall: fall fell drop dropped decline declined slip slipped plunge plunged slide slid
  shrank shrink
buy: buy bought acquire acquired takeover
win: win won wins claim claimed secure secured clinch clinched
say: say said says tell told state stated note noted add added report reported
announce: announce announced unveil unveiled reveal revealed introduce introduced present
  presented launch launched
approve: approve approved pass passed adopt adopted
arrest: arrest arrested detain detained
cut: cut cuts reduce reduced slash slashed
open: open opened begin began start started
meet: meet met
visit: visit visited tour toured
sign: sign signed
march: march marched rally rallied protest protested
beat: beat defeat defeated
sentence: sentence sentenced jail jailed
evacuate: evacuate evacuated
resign: resign resigned quit step stepped
discover: discover discovered discovers find found finds detect detected uncover uncovered
"""


def _verb_groups(table: str) -> dict[str, str]:
    """Each verb form of the synonym table to the head of its line."""
    out: dict[str, str] = {}
    for line in " ".join(table.split("\n  ")).strip().splitlines():
        head, _, rest = line.partition(":")
        for w in rest.split():
            out[w] = head.strip()
    return out


_VERB_GROUP = _verb_groups(_SYNONYMS)
_IRREGULAR = frozenset(
    """broke began begun fell rose hit struck met left won lost held took gave came went ran
    drew found sent spent brought sold bought shut put set led fought flew kept paid made
    built wrote spoke chose caught threw sank swept tore shook""".split()
)
_NOT_VERBS = frozenset(
    """need speed hundred united red bed seed feed breed indeed shed sacred wed naked wicked
    limited based related alleged armed skilled detailed""".split()
)
TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")


def verb_key(word: str) -> str | None:
    """The event a word names, if it is an event verb ("hit" and "struck" → "strike")."""
    w = word.lower().strip("'’")
    if w in _VERB_GROUP:
        return _VERB_GROUP[w]
    if w in _IRREGULAR:
        return w
    if len(w) > 4 and w.endswith("ed") and w not in _NOT_VERBS:
        return stem(w)
    return None


def verb_near(text: str, a: int, b: int, lo: int, hi: int, max_words: int = 8,
               tags: dict[int, str] | None = None,
               max_after: int | None = None) -> tuple[str, str, int] | None:
    """Nearest event verb to text[a:b] within the clause text[lo:hi]: (key, surface, pos).

    A verb is one the tagger calls a verb (auxiliaries excluded), a known event verb or
    past form, or a plain word after "to" ("to freeze").
    """
    toks = [(m.group(0), lo + m.start()) for m in TOKEN.finditer(text[lo:hi])]
    keyed: list[tuple[str, str, int]] = []
    for k, (w, p) in enumerate(toks):
        key = verb_key(w)
        if key is None and tags is not None and tags.get(p) == "V" and w.isalpha():
            key = stem(w)
        if key is None and k > 0 and toks[k - 1][0].lower() == "to" and w.isalpha() and (
                w.lower() not in FUNCTION_WORDS and w[0].islower()):
            key = stem(w)
        if key is not None:
            keyed.append((key, w.lower(), p))
    limit_after = max_words if max_after is None else max_after
    before = [v for v in keyed if v[2] < a
              and sum(1 for _, p in toks if v[2] <= p < a) <= max_words]
    after = [v for v in keyed if v[2] >= b
             and sum(1 for _, p in toks if b <= p <= v[2]) <= limit_after]
    if before:
        return before[-1]
    return after[0] if after else None


_CLAUSE_BREAK = re.compile(r";|\s[—–]\s|,\s+(?:and|but|while|whereas|although)\s")


def clause(text: str, sent: tuple[int, int], a: int, b: int) -> tuple[int, int]:
    """The clause around text[a:b]: cut at ; — and at ", and"/", while" joins."""
    s, e = sent
    lo, hi = s, e
    for m in _CLAUSE_BREAK.finditer(text[s:e]):
        pos = s + m.start()
        if pos < a:
            lo = s + m.end()
        elif pos >= b and pos < hi:
            hi = pos
    return lo, hi


def subject(text: str, lo: int, verb_pos: int, mentions: list[Mention],
             aliases: dict[str, str]) -> str | None:
    """Who or what the event is about: the nearest name before the verb, else a noun."""
    names = [m for m in mentions if lo <= m.start and m.end <= verb_pos
             and m.label in {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "NORP"}]
    persons = [m for m in names if m.label in {"PERSON", "ORG"}]
    pick = (persons or names)[-1] if (persons or names) else None
    if pick is not None:
        return aliases.get(pick.name, pick.name)
    words = [w for w in TOKEN.findall(text[lo:verb_pos]) if w.lower() not in FUNCTION_WORDS
             and not w[0].isdigit() and not w.lower().endswith("ly") and verb_key(w) is None
             and w.lower() not in {"were", "was", "been"}]
    if not words:
        return None
    w = words[-1]
    first = TOKEN.search(text[lo:verb_pos])
    # a capitalised word inside the clause (or a CamelCase one anywhere) is a name the
    # recogniser missed ("LundRail"): its events are told apart, unlike a common noun's
    if w[:1].isupper() and (w[1:] != w[1:].lower() or (first and first.group(0) != w)):
        return w
    return w.lower()


