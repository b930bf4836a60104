"""Stories within a language, linked across languages.

An article is placed among the stories of its own language (`place.py`: a non-English
article's placement embedding comes from the multilingual encoder, so it is near only
stories in its own language). Stories in two languages about one event are then linked
here, on what survives translation: closeness in the multilingual space, and the names and
figures both tell (Merkel, Lesbos, 12,000 — spelled alike in German and English), within
a time window. Every link keeps its evidence: the cosine, the shared names and figures,
the days between the stories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from storyfold.fingerprint import embedding_text
from storyfold.fingerprint.multilingual import LANGUAGES, MultilingualEncoder
from storyfold.model import StoryState
from storyfold.settings import DEFAULTS, LanguagesSettings
from storyfold.store.base import Store
from storyfold.text.languages import figure_key


def same_language(a: str | None, b: str | None) -> bool:
    """Unknown counts as any language: an unidentified article is placed as before."""
    return a is None or b is None or a == b


def names_overlap(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    """Share of the smaller bag of names and figures that the other one also holds.

    The smaller side decides because the two languages do not find names alike: German
    capitalises every noun, so its bag is larger and mostly words English has no
    capitalised form of; the English side's names are what a German report of the same
    event must contain too.
    """
    shared = sorted(set(a) & set(b), key=lambda t: -(a[t] + b[t]))
    small = min(sum(a.values()), sum(b.values()))
    if not shared or small <= 0:
        return 0.0, []
    return min(1.0, sum(min(a[t], b[t]) for t in shared) / small), shared


def canonical_names(names: dict[str, float], lang: str | None) -> dict[str, float]:
    """Names with figures in their language-free spelling ("12.000" in German and
    "12,000" in English are one figure), so they can be compared across languages."""
    out: dict[str, float] = {}
    for t, v in names.items():
        key = figure_key(t, lang) if t[:1].isdigit() else t
        out[key] = out.get(key, 0.0) + v
    return out


@dataclass(frozen=True)
class LinkEvidence:
    """Why two stories in two languages are (or are not) one event."""

    score: float
    cosine: float  # of the stories' multilingual centroids
    names: float  # `names_overlap`
    shared: list[str] = field(default_factory=list)  # names and figures both hold, most first
    days_apart: float | None = None  # between the stories' spans; None without dates
    linked: bool = False

    def as_dict(self, limit: int = 12) -> dict[str, object]:
        return {"score": round(self.score, 4), "cosine": round(self.cosine, 4),
                "names": round(self.names, 4), "shared": self.shared[:limit],
                "days_apart": None if self.days_apart is None else round(self.days_apart, 1)}


def _days_apart(a: tuple[datetime | None, datetime | None],
                b: tuple[datetime | None, datetime | None]) -> float | None:
    if None in (*a, *b):
        return None
    a0, a1 = a
    b0, b1 = b
    if a1 < b0:  # type: ignore[operator]
        return (b0 - a1).total_seconds() / 86400.0  # type: ignore[operator]
    if b1 < a0:  # type: ignore[operator]
        return (a0 - b1).total_seconds() / 86400.0  # type: ignore[operator]
    return 0.0


def link_evidence(ml_a: np.ndarray, names_a: dict[str, float],
                  span_a: tuple[datetime | None, datetime | None],
                  ml_b: np.ndarray, names_b: dict[str, float],
                  span_b: tuple[datetime | None, datetime | None],
                  settings: LanguagesSettings = DEFAULTS.languages) -> LinkEvidence:
    """Score two stories (or articles) in two languages as one event."""
    na = float(np.linalg.norm(ml_a)) or 1.0
    nb = float(np.linalg.norm(ml_b)) or 1.0
    cosine = float(ml_a @ ml_b) / (na * nb)
    overlap, shared = names_overlap(names_a, names_b)
    w = settings.link_cosine_weight
    score = w * cosine + (1 - w) * overlap
    days = _days_apart(span_a, span_b)
    linked = (score >= settings.link_threshold and overlap >= settings.link_names_floor
              and (days is None or days <= settings.link_max_gap_days))
    return LinkEvidence(score, cosine, overlap, shared, days, linked)


# ---- linking stored stories --------------------------------------------------------------
@dataclass
class StoryProfile:
    """A story as the cross-language link sees it."""

    id: str
    lang: str | None  # the language most of its articles are in
    centroid: np.ndarray | None  # mean multilingual vector of its members (None: none has one)
    names: dict[str, float]
    span: tuple[datetime | None, datetime | None]
    vectors: list[np.ndarray] = field(default_factory=list)  # its members' multilingual vectors
    # members in a language the encoder knows without a vector yet (id, embedding text):
    # English ones, encoded only when a story in another language is compared with them
    unencoded: list[tuple[str, str]] = field(default_factory=list)


def story_profile(store: Store, story_id: str) -> StoryProfile:
    ids = store.story_member_ids(story_id)
    arts = store.articles(ids)
    fps = store.fingerprints(ids)
    langs = Counter(a.lang for a in arts.values() if a.lang)
    vecs = [v for v in (fps[i].multilingual for i in ids if i in fps) if v is not None]
    unencoded = [(i, embedding_text(arts[i])) for i in ids
                 if i in fps and i in arts and fps[i].multilingual is None
                 and arts[i].lang in LANGUAGES]
    names: dict[str, float] = {}
    for fp in fps.values():
        for t, v in fp.names.items():
            names[t] = names.get(t, 0.0) + v
    dates = [a.published for a in arts.values() if a.published is not None]
    lang = langs.most_common(1)[0][0] if langs else None
    return StoryProfile(
        story_id, lang, np.mean(vecs, axis=0) if vecs else None, canonical_names(names, lang),
        (min(dates), max(dates)) if dates else (None, None), vecs, unencoded)


def ensure_vectors(store: Store, profile: StoryProfile, encoder: MultilingualEncoder | None,
                   limit: int) -> None:
    """Give up to `limit` of a story's members a multilingual vector, stored for next time,
    and update its centroid.

    Called only when the story is compared with a story in another language: an English
    article is not encoded by the multilingual encoder when it arrives (that would halve
    English throughput for the sake of links most English stories never get), and a story
    that is compared is represented by its first `limit` members.
    """
    want = max(0, limit - len(profile.vectors))
    if encoder is None or not want or not profile.unencoded:
        return
    todo, profile.unencoded = profile.unencoded[:want], []
    vecs = encoder.embed_articles([text for _, text in todo])
    store.save_multilingual({aid: v for (aid, _), v in zip(todo, vecs, strict=True)})
    profile.vectors.extend(vecs)
    profile.centroid = np.mean(profile.vectors, axis=0)


def link_stories(store: Store, story_ids: Iterable[str], stories: Iterable[StoryState],
                 settings: LanguagesSettings = DEFAULTS.languages,
                 encoder: MultilingualEncoder | None = None) -> int:
    """Link each of `story_ids` to the stories in other languages about the same event
    (`stories`: the active ones, e.g. the placement index), replacing its earlier links.

    Candidates are found cheaply first — in the time window, sharing enough names and
    figures — and only the best `max_link_candidates` are read from the store and scored;
    members of a story compared across languages that have no multilingual vector yet
    (English ones) get one from `encoder` (`ensure_vectors`). Returns the number of links
    written.
    """
    active = list(stories)
    cache: dict[str, StoryProfile] = {}

    def profile(sid: str) -> StoryProfile:
        if sid not in cache:
            cache[sid] = story_profile(store, sid)
        return cache[sid]

    def vectors(p: StoryProfile) -> np.ndarray | None:
        ensure_vectors(store, p, encoder, settings.link_encode_members)
        return p.centroid

    written = 0
    for sid in sorted(set(story_ids)):
        store.drop_story_links(sid)
        me = profile(sid)
        if me.lang is None or (me.centroid is None and not me.unencoded):
            continue
        near: list[tuple[float, str]] = []
        for st in active:
            if st.id == sid:
                continue
            days = _days_apart(me.span, (st.first_seen, st.last_seen))
            if days is not None and days > settings.link_max_gap_days:
                continue
            overlap, _ = names_overlap(me.names, st.names)  # figures as the story spells them
            if overlap >= settings.link_names_floor:
                near.append((overlap, st.id))
        near.sort(reverse=True)
        for _, other_id in near[: settings.max_link_candidates]:
            other = profile(other_id)
            if other.lang in (None, me.lang):
                continue
            mine, theirs = vectors(me), vectors(other)
            if mine is None or theirs is None:
                continue
            ev = link_evidence(mine, me.names, me.span, theirs, other.names, other.span,
                               settings)
            if ev.linked:
                store.save_story_link(sid, other_id, ev.score,
                                      {**ev.as_dict(), "languages": [me.lang, other.lang]})
                written += 1
    return written
