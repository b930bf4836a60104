"""Stories within a language, linked across languages.

An article is placed among the stories of its own language (`place.py`); stories in two
languages about one event are linked here, on their multilingual vectors and on what
survives translation: names, figures and dates.
"""

from __future__ import annotations

from datetime import datetime

from storyfold.model import Fingerprint, StoryState
from storyfold.settings import DEFAULTS, PlaceSettings


def same_language(a: str | None, b: str | None) -> bool:
    """Unknown counts as any language: an unidentified article is placed as before."""
    return a is None or b is None or a == b


def cross_language_score(state: StoryState, fp: Fingerprint, published: datetime | None,
                         settings: PlaceSettings = DEFAULTS.place) -> tuple[float, bool]:
    raise NotImplementedError
