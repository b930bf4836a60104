"""The second pass: split a story that turned out to hold two events.

Online assignment decides with what it has seen so far. When the first report of a second
event of the same kind arrives (another arrest of another player of the same team), the
closest story is the first event, and it joins it; everything after follows. Looking at a
story's members together shows what one-at-a-time cannot: two groups that are each
tight and much less alike across. We bisect by average linkage over article similarity
and keep the split only when the cross-group similarity is well below the weaker
group's own cohesion — a ratio, so it means the same on long articles and on snippets —
and the two groups name different people and places. Wording alone cannot tell a second
event from the same event developing (updates reword the lead and change the figures,
and on a generated year 52 of 63 wording-only splits were of that kind); the cast can.
Text without names (lower-cased corpora) is therefore never split.

The other half of the pass merges: online assignment sees one article against each story,
so two fragments of one story that started apart never meet that way; seen whole, as one
average article each, they do (`merge`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import linkage, to_tree
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from storyfold.model import Fingerprint
from storyfold.place import StoryIndex, combined, mean_fingerprint, span_gap, state_of, tf_weight
from storyfold.settings import DEFAULTS, ConsolidateSettings, PlaceSettings
from storyfold.store.base import Store

log = logging.getLogger(__name__)


def _tfidf(bags: Sequence[dict[str, float]], idf: Callable[[str], float]) -> csr_matrix:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for r, bag in enumerate(bags):
        for t, tf in bag.items():
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(tf_weight(tf) * idf(t))
    m = csr_matrix((vals, (rows, cols)), shape=(len(bags), max(1, len(vocab))), dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(m.multiply(1.0 / norms[:, None]))


def similarity(fps: Sequence[Fingerprint], idf: Callable[[str], float],
               params: PlaceSettings = DEFAULTS.place) -> np.ndarray:
    """Article-by-article similarity on the same blend of signals that assignment uses."""
    emb = np.stack([fp.embedding for fp in fps]).astype(np.float64)
    words = _tfidf([fp.terms for fp in fps], idf)
    base = params.emb_weight * (emb @ emb.T) + (1 - params.emb_weight) * (words @ words.T).toarray()
    has = np.array([len(fp.names) >= params.min_names for fp in fps])
    if has.sum() < 2:
        return base
    nm = _tfidf([fp.names for fp in fps], idf)
    both = np.outer(has, has)
    return np.where(both, (1 - params.names_weight) * base
                    + params.names_weight * (nm @ nm.T).toarray(), base)


def _contrast(fps: Sequence[Fingerprint], idf: Callable[[str], float]
              ) -> Callable[[str], float]:
    """Rarity within the story times rarity overall.

    What every member shares (the team, the mountain, the kind of event) is why they were
    put together; it cannot tell two events apart. Words that half the members use and
    the other half do not can, so inside a story they are what counts.
    """
    n = len(fps)
    df: dict[str, int] = {}
    for fp in fps:
        for t in set(fp.terms) | set(fp.names):
            df[t] = df.get(t, 0) + 1
    return lambda t: idf(t) * math.log((n + 1) / (df.get(t, 0) + 0.5))


def _cohesion(sim: np.ndarray, group: list[int]) -> float:
    block = sim[np.ix_(group, group)]
    n = len(group)
    return float((block.sum() - np.trace(block)) / (n * (n - 1)))


def bisect(sim: np.ndarray, params: ConsolidateSettings = DEFAULTS.consolidate
           ) -> list[list[int]] | None:
    """Two groups of row indices if the members split cleanly in two, else None."""
    n = len(sim)
    if n < params.split_min_size:
        return None
    dist = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    node = to_tree(linkage(squareform((dist + dist.T) / 2, checks=False), method="average"))
    # Outliers hang off the top of the tree one by one; step past them to the first
    # split where both sides are groups, then give each outlier to the closer side.
    outliers: list[int] = []
    while node.left is not None:
        left, right = node.left.pre_order(), node.right.pre_order()
        if len(left) >= 2 and len(right) >= 2:
            break
        small, node = (left, node.right) if len(left) < 2 else (right, node.left)
        outliers.extend(small)
    else:
        return None
    a, b = left, right
    if len(outliers) > len(a) + len(b):
        return None  # mostly scattered members: not two events
    for o in outliers:
        (a if sim[o, a].mean() >= sim[o, b].mean() else b).append(o)
    cross = float(sim[np.ix_(a, b)].mean())
    if cross < params.split_ratio * min(_cohesion(sim, a), _cohesion(sim, b)):
        return [a, b]
    return None


def _cast(fps: Sequence[Fingerprint], group: list[int]) -> dict[str, float]:
    """The people and places a group of articles names (figures left out), summed."""
    out: dict[str, float] = {}
    for i in group:
        for t, v in fps[i].names.items():
            if not any(ch.isdigit() for ch in t):
                out[t] = out.get(t, 0.0) + v
    return out


def same_cast(fps: Sequence[Fingerprint], a: list[int], b: list[int],
              idf: Callable[[str], float]) -> float | None:
    """How far two groups name the same people and places (tf-idf cosine of their names,
    figures left out); None when either names nobody (lower-case text).

    A second event of one kind has other people and places; one event developing (a
    rising toll, a later ruling, an update that rewrites the lead) keeps its cast and
    changes its figures and wording — which is just what the contrast similarity the
    bisection runs on amplifies, so it cannot tell the two apart on its own.
    """
    x, y = _cast(fps, a), _cast(fps, b)
    if not x or not y:
        return None
    m = _tfidf([x, y], idf)
    return float(m[0].multiply(m[1]).sum())


def split_groups(fps: Sequence[Fingerprint], idf: Callable[[str], float],
                 params: ConsolidateSettings = DEFAULTS.consolidate,
                 place: PlaceSettings = DEFAULTS.place) -> list[list[int]]:
    """Partition a story's members (indices into `fps`) into the events it holds.

    Bisects recursively; a story that holds one event comes back as one group. A
    bisection is not kept when both halves name the same people and places
    (`same_cast` at or above `split_same_cast`).
    """
    if len(fps) < params.split_min_size:
        return [list(range(len(fps)))]
    sim = similarity(fps, _contrast(fps, idf), place)
    done: list[list[int]] = []
    todo = [(list(range(len(fps))), 0)]
    while todo:
        group, depth = todo.pop()
        halves = bisect(sim[np.ix_(group, group)], params) if depth < params.split_depth else None
        if halves is not None:
            cast = same_cast(fps, [group[i] for i in halves[0]], [group[i] for i in halves[1]],
                             idf)
            if cast is None or cast >= params.split_same_cast:
                halves = None
        if halves is None:
            done.append(group)
        else:
            todo.extend(([group[i] for i in half], depth + 1) for half in halves)
    return sorted((sorted(g) for g in done), key=lambda g: g[0])


# ---- the pass over a batch's stories ---------------------------------------------------------
@dataclass
class Changes:
    """What a consolidation step did to the stories of a batch."""

    touched: set[str]  # the batch's touched stories after the step (new ones in, merged out)
    created: int = 0  # stories the step started (the second half of a split)
    assignments: dict[str, str] = field(default_factory=dict)  # article → story, where moved
    merged_away: set[str] = field(default_factory=set)  # stories that no longer exist


def consolidate(store: Store, index: StoryIndex, touched: Iterable[str],
                settings: ConsolidateSettings = DEFAULTS.consolidate,
                place: PlaceSettings = DEFAULTS.place) -> Changes:
    """The second pass over the stories a batch touched: split, then merge.

    Each split or merge commits with the pending marks it moves (new halves and merge
    targets marked, merged-away stories dropped), so a run killed half-way through leaves
    every story whose provenance is stale in the pending set."""
    first = split(store, index, touched, settings, place)
    then = merge(store, index, first.touched, settings, place)
    return Changes(then.touched, first.created + then.created,
                   {**first.assignments, **then.assignments}, then.merged_away)


def split(store: Store, index: StoryIndex, touched: Iterable[str],
          settings: ConsolidateSettings = DEFAULTS.consolidate,
          place: PlaceSettings = DEFAULTS.place) -> Changes:
    """Split the stories a batch grew that turn out to hold more than one event."""
    out = Changes(set(touched))
    for sid in sorted(out.touched):
        ids = store.story_member_ids(sid)
        if not settings.split_min_size <= len(ids) <= settings.max_members:
            continue
        fps = store.fingerprints(ids)
        groups = split_groups([fps[i] for i in ids], index.idf, settings, place)
        if len(groups) == 1:
            continue
        arts = store.articles(ids)
        # The group holding the article that started the story keeps its id (else the
        # group of the earliest arrival does); the others become new stories.
        keeper = next((k for k, g in enumerate(groups) if sid[1:] in {ids[i] for i in g}), 0)
        with store.transaction():
            for k, group in enumerate(groups):
                members = [ids[i] for i in group]
                gid = sid
                if k != keeper:
                    gid = "s" + members[0]
                    while gid in index:
                        gid += "x"
                state = state_of(gid, [fps[m] for m in members],
                                 [arts[m].published for m in members])
                index.put(state)
                store.save_story_state(state)
                store.move_members(members, gid)
                store.mark_pending([gid])  # the halves still owe provenance
                if gid != sid:
                    out.created += 1
                out.touched.add(gid)
                for m in members:
                    out.assignments[m] = gid
        log.info("split story %s into %d", sid, len(groups))
    return out


def merge(store: Store, index: StoryIndex, touched: Iterable[str],
          settings: ConsolidateSettings = DEFAULTS.consolidate,
          place: PlaceSettings = DEFAULTS.place) -> Changes:
    """Fold a story into a closer one when, seen whole, they are one event.

    A story's average (centroid, mean term and name weights) is scored against the other
    stories like an article would be, with a higher bar, and the merge is kept only if the
    split test would not take the union straight apart again. Smallest stories first.
    """
    out = Changes(set(touched))
    sizes = {sid: index.get(sid).size for sid in out.touched if sid in index}
    for sid in sorted(sizes, key=lambda s: (sizes[s], s)):
        if sid not in index:
            continue
        state = index.get(sid)
        target = next(
            (other for other, score in index.ranked(mean_fingerprint(state), None,
                                                (state.first_seen, state.last_seen))
             if other.id != sid and score >= settings.merge_threshold
             and span_gap(state, other) <= place.max_gap_days), None)
        if target is None:
            continue
        moved = store.story_member_ids(sid)
        ids = store.story_member_ids(target.id) + moved
        if len(ids) > settings.max_members:
            continue
        fps = store.fingerprints(ids)
        if len(split_groups([fps[i] for i in ids], index.idf, settings, place)) > 1:
            continue
        union = combined(target.id, target, state)
        with store.transaction():
            store.move_members(moved, target.id)
            store.save_story_state(union)
            store.record_alias(sid, target.id)
            store.delete_story(sid)  # which drops it from the pending set
            store.mark_pending([target.id])
        index.put(union)
        index.remove(sid)
        out.touched.discard(sid)
        out.merged_away.add(sid)
        out.touched.add(target.id)
        for m in moved:
            out.assignments[m] = target.id
        log.info("merged story %s into %s", sid, target.id)
    return out
