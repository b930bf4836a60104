"""What a cached write-up and cached sentence vectors depend on.

The write-up is cached in the store under `members_key`, the summary sentence vectors
under `sentences_key`: a change of membership, of an article's candidate sentences or of
the algorithm (`WRITEUP_VERSION`) makes them stale, and they are recomputed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from storyfold.model import Membership
from storyfold.settings import DEFAULTS

WRITEUP_VERSION = 2  # bump when the algorithm changes: cached write-ups are then recomputed


def members_key(members: Iterable[Membership]) -> str:
    """What a cached write-up depends on: the member ids (and their sources), and the version."""
    parts = sorted(f"{m.article_id}<{m.derived_from or ''}" for m in members)
    raw = f"v{WRITEUP_VERSION}|" + "|".join(parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def sentences_key(texts: Sequence[str],
                  sentence_tokens: int = DEFAULTS.analyze.sentence_tokens) -> str:
    """Identifies an article's candidate sentences, so cached vectors are never misapplied."""
    raw = f"v{WRITEUP_VERSION}|{sentence_tokens}|" + "\n".join(texts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()
