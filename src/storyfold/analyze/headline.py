"""The story's headline: the members' most representative title, else one from a lead.

The title closest to the other titles and to the story wins; for untitled members, the
main clause of the best lead sentence (`storyfold.text.headline`).
"""

from __future__ import annotations

import numpy as np

from storyfold.analyze.candidates import SentenceEmbedder
from storyfold.analyze.evidence import Doc
from storyfold.analyze.selection import Candidate
from storyfold.settings import AnalyzeSettings
from storyfold.text.headline import clean_title, headline_from_sentence


def choose_headline(docs: list[Doc], cands: list[Candidate], centroid: np.ndarray,
                    embedder: SentenceEmbedder, settings: AnalyzeSettings) -> str | None:
    """The title closest to the others and to the story, else one built from its best lead."""
    titled = [(d, clean_title(d.article.title, d.article.source)) for d in docs
              if d.article.title and d.article.title.strip()]
    titled = [(d, t) for d, t in titled if len(t.split()) >= 3]
    if titled:
        distinct = sorted({t for _, t in titled}, key=lambda t: min(d.order for d, x in titled
                                                                     if x == t))
        if len(distinct) == 1:
            return distinct[0]
        vecs = embedder.embed(distinct, max_tokens=settings.sentence_tokens)
        row = {t: i for i, t in enumerate(distinct)}
        per_article = np.stack([vecs[row[t]] for _, t in titled])
        t_centroid = per_article.mean(axis=0)
        t_centroid /= np.linalg.norm(t_centroid) or 1.0
        original = {t for d, t in titled if d.role == "original"}
        share = {t: sum(1 for _, x in titled if x == t) / len(titled) for t in distinct}
        scores = vecs @ t_centroid + vecs @ centroid
        best = max(distinct, key=lambda t: (float(scores[row[t]]) + 0.1 * share[t]
                                            + 0.02 * (t in original), -distinct.index(t)))
        return best
    leads = [c for c in cands
             if c.pos == 0 and c.span.quoted < settings.headline_lead_quoted] or cands
    if not leads:
        return None
    return headline_from_sentence(max(leads, key=lambda c: c.score).span.text,
                                  settings.headline_words)
