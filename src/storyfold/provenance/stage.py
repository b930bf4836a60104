"""The provenance stage: roles, links and a headline for each story a run touched.

It runs after consolidation, when every story's membership is final for the batch, and
only over the stories that changed: the roles of an untouched story cannot have moved.
The costly evidence — lead-sentence embeddings for the rewrite alignment — is computed for
the members that need it only, once per article, and kept in the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from storyfold.fingerprint import Embedder, lead_sentences
from storyfold.model import Article
from storyfold.provenance.links import needs_alignment
from storyfold.provenance.roles import provenance
from storyfold.settings import DEFAULTS, FingerprintSettings, ProvenanceSettings
from storyfold.store.base import Store


def reanalyze(
    store: Store, embedder: Embedder, story_ids: Iterable[str],
    settings: ProvenanceSettings = DEFAULTS.provenance,
    fingerprint: FingerprintSettings = DEFAULTS.fingerprint,
) -> None:
    """Recompute roles and links of the given stories only, and store them; each story
    leaves the pending set in the transaction that saves its provenance."""
    for sid in sorted(story_ids):
        ids = store.story_member_ids(sid)
        arts = store.articles(ids)
        fps = store.fingerprints(ids)
        need = {x for i, x in enumerate(ids) for y in ids[i + 1 :]
                if needs_alignment(fps[x], fps[y], settings) for x in (x, y)} \
            if len(ids) <= settings.max_pairwise else set(ids)
        sentences = sentence_vectors(store, embedder, arts, sorted(need), fingerprint) \
            if need else {}
        members, links, headline = provenance([arts[i] for i in ids], fps, sentences, settings)
        with store.transaction():
            store.save_provenance(sid, headline, members, links)
            store.clear_pending([sid])  # done: only now may a crash not redo it


def sentence_vectors(
    store: Store, embedder: Embedder, arts: dict[str, Article], ids: list[str],
    settings: FingerprintSettings = DEFAULTS.fingerprint,
) -> dict[str, np.ndarray]:
    """Lead-sentence embeddings, computed once per article and kept in the store."""
    have = store.sentence_vectors(ids)
    missing = [i for i in ids if i not in have]
    if missing:
        leads = [lead_sentences(arts[aid].text, settings.lead_sentences,
                                 settings.lead_sentence_words) for aid in missing]
        flat = embedder.embed(
            [s for lead in leads for s in lead], max_tokens=settings.sentence_max_tokens
        ).astype(np.float16)
        with store.transaction():
            start = 0
            for aid, lead in zip(missing, leads, strict=True):
                have[aid] = flat[start : start + len(lead)]
                start += len(lead)
                store.save_sentence_vectors(aid, have[aid])
    return have
