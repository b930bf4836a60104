"""Aggregator trailers and site boilerplate: cut them, keep them for audit.

Trailers are recognised by their headings ("SIMILAR NEWS", "COMMENTS", "Related
articles", newsletter pitches...) and by teaser lines ("Source: x | Read more"),
never by a list of sites, so unseen aggregators with the same habits are handled.
"""

from __future__ import annotations

import re

from storyfold.model import Removed
from storyfold.settings import DEFAULTS
from storyfold.text.languages import is_trailer_head

# A line that opens a trailer: everything from it to the end is not the article.
_TRAILER_HEAD = re.compile(
    r"^\s*(similar news|related news|related articles?|related stories|related coverage|"
    r"related\s*:|read more\s*:|read also\s*:?|also read\s*:?|more from\b|more stories|"
    r"you (may|might) also like|recommended for you|recommended stories|trending now|"
    r"most read|most popular|popular stories|comments?\s*(\(\d+\))?\s*$|"
    r"leave a (comment|reply)|join the conversation|share this( article| story)?\s*:?\s*$|"
    r"follow us on|sign up for (our|the)\b|subscribe to our|get our newsletter|"
    r"newsletter\s*:|tags\s*:|topics\s*:|copyright ©|© ?\d{4}|all rights reserved)",
    re.I,
)
# A single line that is boilerplate wherever it stands.
_BOILER_LINE = re.compile(
    r"^\s*(advertisement|sponsored( content)?|scroll to continue|story continues below|"
    r"click here to [^.]{0,80}|(source: *[^|\n]{1,60}\|\s*)?read more\s*[⮕→»>]*\s*|"
    r"source: *[^|\n]{1,60}\| *read more.*|"
    r"share (on|via) (facebook|twitter|x|whatsapp|email).*|"
    r"\(?(reporting|writing|additional reporting) by [^)\n]{3,200}(editing by[^)\n]*)?\)?\s*)$",
    re.I,
)


def strip_trailers(lines: list[str], after_words: int = DEFAULTS.clean.trailer_after_words
                   ) -> tuple[list[str], list[Removed]]:
    """Drop trailer blocks and boilerplate lines from a list of paragraphs.

    Headings only count as a trailer start after `after_words` words of body: once the
    article has had a chance to begin.
    """
    removed: list[Removed] = []
    kept: list[str] = []
    words_so_far = 0
    for i, line in enumerate(lines):
        if words_so_far >= after_words and _TRAILER_HEAD.match(line):
            removed.append(Removed("\n".join(lines[i:]), "trailer"))
            break
        if _BOILER_LINE.match(line):
            removed.append(Removed(line, "boilerplate"))
            continue
        kept.append(line)
        words_so_far += len(line.split())
    return kept, removed


def strip_native_trailers(lines: list[str], lang: str | None,
                          after_words: int = DEFAULTS.clean.trailer_after_words
                          ) -> tuple[list[str], list[Removed]]:
    """Cut a "read more" / related-articles block headed the way `lang` heads it ("Lesen Sie
    auch", "Lire aussi", "اقرأ أيضا"), under the same rule as `strip_trailers`."""
    words_so_far = 0
    for i, line in enumerate(lines):
        if words_so_far >= after_words and is_trailer_head(line, lang):
            return lines[:i], [Removed("\n".join(lines[i:]), "trailer")]
        words_so_far += len(line.split())
    return lines, []
