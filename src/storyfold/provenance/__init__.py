"""Provenance: who had the story first, and who copied or rewrote whom.

`links` classifies a pair of articles (exact, near, rewrite, same story); `roles` picks
each story's original and derives every other member from its source; `stage` runs both
over the stories a batch touched, with the sentence embeddings the rewrite test needs.
"""

from storyfold.provenance.links import link, link_kind, needs_alignment
from storyfold.provenance.roles import provenance
from storyfold.provenance.stage import reanalyze, sentence_vectors

__all__ = [
    "link",
    "link_kind",
    "needs_alignment",
    "provenance",
    "reanalyze",
    "sentence_vectors",
]
