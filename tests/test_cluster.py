"""Online placement: how an article is scored against the stories held in memory."""

from __future__ import annotations

import math

import numpy as np

from storyfold.model import Fingerprint
from storyfold.place import StoryIndex, tf_weight
from storyfold.settings import EMBEDDING_DIM


def _fp(i: int, terms: dict[str, float]) -> Fingerprint:
    emb = np.zeros(EMBEDDING_DIM, np.float32)
    emb[i % EMBEDDING_DIM] = 1.0
    return Fingerprint(article_id=f"a{i}", content_hash=str(i), minhash=np.zeros(4, np.uint32),
                       embedding=emb, terms=terms, names={})


def _cosine_from_scratch(index: StoryIndex, article: dict[str, float],
                         story: dict[str, float]) -> float:
    a = {t: tf_weight(v) * index.idf(t) for t, v in article.items()}
    s = {t: tf_weight(v) * index.idf(t) for t, v in story.items()}
    dot = sum(w * s[t] for t, w in a.items() if t in s)
    return dot / (math.sqrt(sum(w * w for w in a.values()))
                  * math.sqrt(sum(w * w for w in s.values())))


def test_a_story_is_scored_on_its_summed_words_with_the_rarity_of_the_moment() -> None:
    """Rarity (idf) moves as the collection grows; a story's score must follow it, not keep
    the weights its words had when they first arrived (which over-joined a year of news)."""
    index = StoryIndex([], {}, 0)
    first = {"flood": 2.0, "river": 1.0, "levee": 1.0}
    index.observe_terms(first)
    index.start("s1", _fp(1, first), None)
    early = {t: tf_weight(v) * index.idf(t) for t, v in first.items()}
    index.lexical(index._query(early), 1.0, 0)  # scored once while the collection is small
    for k in range(200):  # the collection grows with unrelated news
        index.observe_terms({f"word{k}": 1.0, "river": 1.0})
    second = {"flood": 1.0, "levee": 2.0, "evacuated": 1.0}
    index.observe_terms(second)
    index.join("s1", _fp(2, second), None)

    newcomer = {"levee": 1.0, "flood": 1.0, "breach": 1.0}
    index.observe_terms(newcomer)
    weights = {t: tf_weight(v) * index.idf(t) for t, v in newcomer.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    story_words = {"flood": 3.0, "river": 1.0, "levee": 3.0, "evacuated": 1.0}
    expected = _cosine_from_scratch(index, newcomer, story_words)
    assert math.isclose(index.lexical(index._query(weights), norm, 0), expected, rel_tol=1e-9)


def test_stories_are_read_through_the_index_not_its_rows() -> None:
    index = StoryIndex([], {}, 0)
    index.start("s1", _fp(1, {"flood": 1.0}), None)
    index.start("s2", _fp(2, {"levee": 1.0}), None)
    index.join("s1", _fp(3, {"flood": 1.0}), None)
    assert "s1" in index and "s3" not in index
    assert index.get("s1").size == 2
    assert [s.id for s in index] == ["s1", "s2"] and len(index) == 2
    index.remove("s1")
    assert "s1" not in index and [s.id for s in index] == ["s2"] and len(index) == 1
    ranked = index.ranked(_fp(2, {"levee": 1.0}), None)
    assert [s.id for s, _ in ranked] == ["s2"]


def _vec(*weights: float) -> np.ndarray:
    emb = np.zeros(EMBEDDING_DIM, np.float32)
    emb[: len(weights)] = weights
    return emb / np.linalg.norm(emb)


def test_stories_out_of_time_never_crowd_out_the_one_an_article_can_join() -> None:
    """A year of look-alike stories (last winter's storms) must not push this week's story
    out of the candidates: placement depends on the news, not on how much is held."""
    from datetime import UTC, datetime, timedelta

    from storyfold.settings import DEFAULTS

    now = datetime(2025, 11, 20, tzinfo=UTC)
    storm = {"storm": 1.0, "winds": 1.0, "coast": 1.0}
    index = StoryIndex([], {}, 0)
    for k in range(DEFAULTS.place.candidates + 5):  # more old twins than candidates
        old = Fingerprint(f"old{k}", f"old{k}", np.zeros(4, np.uint32), _vec(1.0), storm, {})
        index.observe_terms(storm)
        index.start(f"s-old{k}", old, now - timedelta(days=300 + k))
    this_week = Fingerprint("w", "w", np.zeros(4, np.uint32), _vec(1.0, 0.3), storm, {})
    index.observe_terms(storm)
    index.start("s-week", this_week, now - timedelta(days=1))

    article = Fingerprint("n", "n", np.zeros(4, np.uint32), _vec(1.0, 0.1), storm, {})
    assert index.best(article, now)[0] == "s-week"
    # ...and a story being consolidated looks for merge partners within its time, too
    partners = index.ranked(article, None, (now - timedelta(days=2), now))
    assert [s.id for s, _ in partners] == ["s-week"]
