"""Low-level text helpers shared by the analysis modules: quoted spans, sentences, words.

Why our own sentence splitter: quotations hold full stops ("We follow the path. This is
the path."), and a statistical splitter cuts them apart, separating a quote from the
"he said" that attributes it. Masking quoted text first keeps an utterance and its
attribution in one sentence, which is what both quote attribution and claim extraction
need.
"""

from __future__ import annotations

import re
import unicodedata

OPEN_QUOTES = "“„«"
CLOSE_QUOTES = "”»"
STRAIGHT = '"'
TERMINAL = ".!?"

# Function words: never evidence that two quotes or two sentences say the same thing.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet for of to in on at by with from into onto about as than
    then that this these those there here it its it's is are was were be been being am do does
    did done have has had having will would shall should can could may might must not no
    i me my we us our you your he him his she her they them their who whom whose which what
    when where why how if while because although though also just only very too all any some
    each every both either neither such own same other more most much many few""".split()
)

_ABBREV = frozenset(
    """mr mrs ms dr st jr sr prof gen gov sen rep lt col sgt capt cpl adm jan feb mar apr jun
    jul aug sep sept oct nov dec inc corp ltd co no vs etc approx dept est fig""".split()
)
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’»)]*(?=\s+[\"“‘(A-Z0-9]|[“\"]\S|\s*$)|\n\s*\n?")
_WORD_BEFORE_STOP = re.compile(r"([\w.]+)\.$")
_INITIALS = re.compile(r"[a-z]|(?:[a-z]\.)+[a-z]")
_TIMES = frozenset({"a.m", "p.m"})  # "…at 7 p.m. Washing cars…": a time can end a sentence
_NEXT_SENTENCE = re.compile(r"\s+[A-Z][a-z]")


def fold(text: str) -> str:
    """Typographic variants folded (curly to straight, NFKC), case kept."""
    text = unicodedata.normalize("NFKC", text)
    return (text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
            .replace("—", "-").replace("–", "-"))


def words(text: str) -> list[str]:
    """Lower-case word tokens with punctuation dropped; "Russia's" stays one token."""
    return [w.replace("’", "'").lower() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Words with their character offsets, for diffs that report the original spelling."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


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


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans (content only, marks excluded) of double-quoted passages.

    Curly marks pair as open/close; straight marks toggle. A quote still open at the end
    of a paragraph is closed there only when the next paragraph reopens a quote (the
    convention for a quotation running over several paragraphs); otherwise the stray
    mark is ignored. Single quotes are never top-level: inside a quote they are nested
    quotations, elsewhere they are mostly apostrophes.
    """
    spans: list[tuple[int, int]] = []
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for k, (p_start, p_end) in enumerate(paras):
        open_at: int | None = None
        for i in range(p_start, p_end):
            c = text[i]
            if c in OPEN_QUOTES or (c == STRAIGHT and open_at is None):
                open_at = i + 1
            elif (c in CLOSE_QUOTES or c == STRAIGHT) and open_at is not None:
                spans.append((open_at, i))
                open_at = None
        if open_at is not None and k + 1 < len(paras):
            nxt = text[paras[k + 1][0]]
            if nxt in OPEN_QUOTES or nxt == STRAIGHT:
                spans.append((open_at, p_end))
        if not any(c in OPEN_QUOTES or c in CLOSE_QUOTES or c == STRAIGHT
                   for c in text[p_start:p_end]):
            spans.extend(_single_quoted(text, p_start, p_end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–]))['‘](?=[A-Za-z0-9])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])['’](?=[\s.,;:!?)\]—–]|$)")


def _single_quoted(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quotes in single marks ('like this'), for a paragraph that uses no double marks.

    An opening mark must start a word and a closing one end a word, and the quote must
    hold a space, so apostrophes ("it's", "Rovers' fans") rarely pair up.
    """
    out: list[tuple[int, int]] = []
    para = text[start:end]
    pos = 0
    while True:
        o = _SINGLE_OPEN.search(para, pos)
        if not o:
            break
        c = _SINGLE_CLOSE.search(para, o.end())
        while c and " " not in para[o.end() : c.start()]:
            c = _SINGLE_CLOSE.search(para, c.end())
        if not c:
            break
        out.append((start + o.end(), start + c.start()))
        pos = c.end()
    return out


def mask_quotes(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with quoted content blanked (length kept), its final stop left in place."""
    chars = list(text)
    for s, e in spans:
        for k in range(s, e):
            if not chars[k].isspace():
                chars[k] = "#"
        last = e - 1
        while last > s and text[last] in "”’\"' ":
            last -= 1
        if last >= s and text[last] in TERMINAL + ",":
            chars[last] = text[last]
    return "".join(chars)


def sentence_spans(text: str, quotes: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentence spans that never cut inside a quotation or after an abbreviation."""
    masked = mask_quotes(text, quoted_spans(text) if quotes is None else quotes)
    ends: list[int] = []
    for m in _BOUNDARY.finditer(masked):
        if masked[m.start()] == ".":
            prev = _WORD_BEFORE_STOP.search(masked[max(0, m.start() - 12) : m.start() + 1])
            if prev:
                tok = prev.group(1).lower()
                ends_on_time = tok in _TIMES and _NEXT_SENTENCE.match(masked, m.end())
                if (tok in _ABBREV or _INITIALS.fullmatch(tok)) and not ends_on_time:
                    continue
        ends.append(m.end())
    ends.append(len(text))
    out: list[tuple[int, int]] = []
    start = 0
    for end in ends:
        seg = text[start:end]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            out.append((start + lead, start + len(seg.rstrip())))
        start = end
    return out
