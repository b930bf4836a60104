"""Quoted passages: where a quotation starts and ends, and whether a sentence closes its own.

Why quotes come before sentences: quotations hold full stops ("We follow the path. This is
the path."), and a sentence splitter that cuts them apart separates a quote from the "he
said" that attributes it. Masking quoted text first keeps an utterance and its attribution
in one sentence, which is what both quote attribution and claim extraction need.
"""

from __future__ import annotations

import re

OPEN_QUOTES = "“„«"
CLOSE_QUOTES = "”»"
STRAIGHT = '"'
TERMINAL = ".!?"

_PARAGRAPH = re.compile(r"[^\n]+")
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–]))['‘](?=[A-Za-z0-9])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])['’](?=[\s.,;:!?)\]—–]|$)")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans (content only, marks excluded) of double-quoted passages.

    Curly marks pair as open/close; straight marks toggle. A quote still open at the end
    of a paragraph is closed there only when the next paragraph reopens a quote (the
    convention for a quotation running over several paragraphs); otherwise the stray
    mark is ignored. Single quotes are never top-level: inside a quote they are nested
    quotations, elsewhere they are mostly apostrophes.
    """
    spans: list[tuple[int, int]] = []
    paras = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]
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


def balanced(text: str) -> bool:
    """A sentence that opens a quotation closes it (else it is half a quote)."""
    opens = sum(text.count(c) for c in OPEN_QUOTES)
    closes = sum(text.count(c) for c in "”»")
    return opens == closes and text.count('"') % 2 == 0
