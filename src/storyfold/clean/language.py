"""Which language an article is written in, from its text (py3langid's bundled model).

The model (naive Bayes over byte n-grams, 97 languages) ships inside the py3langid wheel
and is read from site-packages: nothing is downloaded. It is loaded once per process, on
first use.

A record's own `lang` (a JSON field, an HTML `lang` attribute) is a claim, not a fact:
sites set `<html lang="en">` in a template shared by every edition, and feeds copy the
site's default. The text is the better witness when there is enough of it, so a confident
identification of a long enough text wins; the record's claim decides only where the text
is too short or too mixed to tell (a headline, a list of names), and is then taken in its
canonical form ("de-DE" → "de").
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from storyfold.settings import DEFAULTS, CleanSettings

log = logging.getLogger(__name__)

_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")
# a few language names seen in feeds instead of codes
_NAMES = {"english": "en", "german": "de", "deutsch": "de", "french": "fr", "français": "fr",
          "spanish": "es", "español": "es", "italian": "it", "italiano": "it",
          "portuguese": "pt", "português": "pt", "dutch": "nl", "nederlands": "nl",
          "polish": "pl", "polski": "pl", "turkish": "tr", "türkçe": "tr", "arabic": "ar",
          "russian": "ru", "chinese": "zh"}


class _Identifier:
    """The py3langid model, loaded once per process (it takes about a second)."""

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def get(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                cls._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                log.info("loaded language identifier (py3langid)")
            return cls._model


def canonical(tag: object) -> str | None:
    """A record's language claim as a two- or three-letter code, or None if it is none."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    low = tag.strip().lower()
    if low in _NAMES:
        return _NAMES[low]
    m = _TAG.match(low)
    return m.group(1) if m else None


def identify(text: str) -> tuple[str, float]:
    """The most likely language of `text` and its probability (0–1)."""
    lang, prob = _Identifier.get().classify(text)
    return str(lang), float(prob)


def article_language(claimed: object, title: str | None, text: str,
                     settings: CleanSettings = DEFAULTS.clean) -> str | None:
    """The article's language: identified from its text when that is long and clear enough,
    else the record's claim, else the identification anyway (None for no text at all)."""
    sample = f"{title or ''}\n{text[: settings.lang_sample_chars]}".strip()
    claim = canonical(claimed)
    if not sample:
        return claim
    lang, prob = identify(sample)
    if len(sample) >= settings.lang_min_chars and prob >= settings.lang_min_confidence:
        if claim and claim != lang:
            log.debug("record says %s, text reads as %s (%.2f): taking %s",
                      claim, lang, prob, lang)
        return lang
    return claim or lang
