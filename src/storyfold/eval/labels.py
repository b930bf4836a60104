"""Labelled corpora (examples/labels.json): match stored articles to gold keys and score them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from storyfold.eval.metrics import ClusterScores, cluster_scores
from storyfold.store.base import Store


@dataclass(frozen=True)
class LabelScores:
    clusters: ClusterScores
    role_accuracy: float
    derived_accuracy: float
    n: int
    mistakes: list[str]


def article_key(url: str | None, path: str | None, corpus: Path) -> str | None:
    """Labels name an article by its URL, or by its path under the corpus when it has none."""
    if url:
        return url
    if path:
        try:
            return str(Path(path).resolve().relative_to(corpus.resolve()))
        except ValueError:
            return Path(path).name
    return None


def linked_events(store: Store, story_ids: list[str]) -> dict[str, str]:
    """Each story's event: a story and the stories in other languages linked to it
    (`place_languages`) are one event, told in several languages, so a label names one
    story for all of them. Maps every id to the smallest id of its linked group."""
    parent = {sid: sid for sid in story_ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for sid in story_ids:
        for other, _, _ in store.story_links(sid):
            if other in parent:
                a, b = sorted((root(sid), root(other)))
                parent[b] = a
    return {sid: root(sid) for sid in story_ids}


def score_store(store: Store, labels_file: Path, corpus: Path) -> LabelScores:
    """Story and role quality of everything in `store` against the labels (stories linked
    across languages count as one story: `linked_events`)."""
    gold = {a["key"]: a for a in json.loads(labels_file.read_text())["articles"]}
    records = list(store.iter_stories())
    event = linked_events(store, [r.id for r in records])
    arts = store.articles(m.article_id for r in records for m in r.members)
    key_of = {aid: article_key(a.url, a.path, corpus) for aid, a in arts.items()}
    g, p, mistakes = [], [], []
    roles_ok = derived_ok = n = 0
    for rec in records:
        for m in rec.members:
            key = key_of[m.article_id]
            if key not in gold:
                mistakes.append(f"unlabelled article {key}")
                continue
            lab = gold[key]
            n += 1
            g.append(lab["story"])
            p.append(event[rec.id])
            if m.role == lab["role"]:
                roles_ok += 1
            else:
                mistakes.append(f"role {key}: {m.role} (gold {lab['role']})")
            got = key_of.get(m.derived_from) if m.derived_from else None
            if got == lab.get("derived_from"):
                derived_ok += 1
            else:
                mistakes.append(f"derived_from {key}: {got} (gold {lab.get('derived_from')})")
    return LabelScores(cluster_scores(g, p), roles_ok / max(n, 1), derived_ok / max(n, 1), n,
                       mistakes)
