"""Provenance: who had the story first, and who copied or rewrote whom.

`links` classifies a pair of articles (exact, near, rewrite, same story); `roles` picks
each story's original and derives every other member from its source.
"""

from storyfold.provenance.links import (
    DEFAULT_THRESHOLDS,
    LinkThresholds,
    link,
    link_kind,
    needs_alignment,
)
from storyfold.provenance.roles import MAX_PAIRWISE, provenance

__all__ = [
    "DEFAULT_THRESHOLDS",
    "MAX_PAIRWISE",
    "LinkThresholds",
    "link",
    "link_kind",
    "needs_alignment",
    "provenance",
]
