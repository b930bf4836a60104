"""The provenance stage: roles, links and a headline for each story a run touched.

It runs after consolidation, when every story's membership is final for the batch, and
only over the stories that changed: the roles of an untouched story cannot have moved.
The costly evidence — lead-sentence embeddings for the rewrite alignment — is computed for
the members that need it only, once per article, and kept in the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from storyfold.analyze.unionfind import UnionFind
from storyfold.fingerprint import Embedder, lead_sentences
from storyfold.model import Article, Fingerprint
from storyfold.provenance.links import is_copy, needs_alignment
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
        reps = copy_representatives(sorted(need), fps, settings)
        own = sentence_vectors(store, embedder, arts, sorted(set(reps.values())), fingerprint) \
            if need else {}
        sentences = {aid: own[rep] for aid, rep in reps.items()}
        members, links, headline = provenance([arts[i] for i in ids], fps, sentences, settings)
        with store.transaction():
            store.save_provenance(sid, headline, members, links)
            store.clear_pending([sid])  # done: only now may a crash not redo it


def copy_representatives(ids: list[str], fps: dict[str, Fingerprint],
                         settings: ProvenanceSettings = DEFAULTS.provenance) -> dict[str, str]:
    """Each article mapped to the one whose lead-sentence vectors stand for it: exact and
    near copies share their group's (the least id), since their leads are the same words.

    Why: on a generated year, 60% of the members that needed an alignment were copies of
    another such member (1,272 articles, 509 groups), and encoding their sentences was
    the largest single cost of a run.
    """
    groups = UnionFind(len(ids))
    for i, x in enumerate(ids):
        for j in range(i + 1, len(ids)):
            if is_copy(fps[x], fps[ids[j]], settings):
                groups.union(i, j)
    out: dict[str, str] = {}
    for comp in groups.components():
        rep = min(ids[i] for i in comp)
        out.update((ids[i], rep) for i in comp)
    return out


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
