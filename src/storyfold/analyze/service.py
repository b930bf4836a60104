"""The comparison and write-up of a story, computed when it is first shown and cached.

They need spaCy and the embedding model, so they are computed when a story is first shown
rather than during `run`, and cached in the store under a key of the story's membership:
shown again, a story costs one read; once an article joins it, only that story is
recomputed, reusing its members' cached sentence vectors.
"""

from __future__ import annotations

import logging
from typing import Any

from storyfold.errors import StoreError
from storyfold.model import Article, StoryRecord
from storyfold.store.base import Store

log = logging.getLogger(__name__)


def fresh_analysis(store: Store, rec: StoryRecord) -> dict[str, Any] | None:
    """The cached comparison and write-up of a story, if its membership has not changed."""
    from storyfold.analyze.summary import members_key

    cached = store.writeup(rec.id)
    if cached is None or cached[0] != members_key(rec.members):
        return None
    return cached[1]


def story_analysis(store: Store, rec: StoryRecord, embedder: Any = None,
                   arts: dict[str, Article] | None = None) -> dict[str, Any]:
    """`{"comparison": ..., "writeup": ...}` of one story: cached, or computed and cached.

    Caching is best effort: a store that cannot be written (read-only file) still shows
    the story, computed afresh each time. `arts`: the members' articles, if already read.
    """
    cached = fresh_analysis(store, rec)
    if cached is not None:
        return cached
    from storyfold.analyze.compare import compare_story
    from storyfold.analyze.summary import (
        members_key,
        sentence_vectors,
        timeline_order,
        write_up,
    )
    from storyfold.fingerprint import Embedder

    ids = [m.article_id for m in rec.members]
    if arts is None:
        arts = store.articles(ids)
    # the original first among same-day members: it is the reference quotes are compared to
    ordered = timeline_order([arts[i] for i in ids if i in arts], rec.members)
    derived = {m.article_id: m.derived_from for m in rec.members}
    comparison = compare_story(ordered, derived)
    embedder = embedder or Embedder()
    known, keys = _known_vectors(store, ordered)
    vectors = sentence_vectors(ordered, embedder, known)
    wu = write_up(ordered, rec.members, embedder, comparison, vectors)
    data = {"comparison": comparison.to_json(), "writeup": wu.to_json()}
    new_vectors = {aid: (key, vectors[aid]) for aid, key in keys.items()}
    try:
        store.save_writeup(rec.id, members_key(rec.members), data, new_vectors,
                           headline=wu.headline)
    except StoreError as exc:
        log.warning("%s", exc)
    return data


def _known_vectors(store: Store, articles: list[Article]) -> tuple[dict, dict[str, str]]:
    """Sentence vectors already computed for these articles, and the ones still to compute.

    Returns `known` (article id → (sentences, vectors)) for `sentence_vectors`, from the
    write-up cache when its sentences key still matches, else from the lead-sentence
    vectors `run` keeps for rewrite detection; and the sentences key of every article
    whose summary vectors must be (re)computed and cached.
    """
    from storyfold.analyze.summary import candidate_spans, sentences_key
    from storyfold.fingerprint import lead_sentences

    ids = [a.id for a in articles]
    cached = store.summary_vectors(ids)
    known: dict[str, tuple[list[str], Any]] = {}
    todo: dict[str, str] = {}
    for a in articles:
        texts = [sp.text for sp in candidate_spans(a)]
        key = sentences_key(texts)
        hit = cached.get(a.id)
        if hit is not None and hit[0] == key and len(hit[1]) == len(texts):
            known[a.id] = (texts, hit[1])
        else:
            todo[a.id] = key
    by_id = {a.id: a for a in articles}
    leads = store.sentence_vectors(list(todo)) if todo else {}
    for aid, vecs in leads.items():
        known[aid] = (lead_sentences(by_id[aid].text), vecs)
    return known, todo
