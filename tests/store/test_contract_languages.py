"""The store's contract for articles in many languages: the language filter, the multilingual
vector, and links between stories in two languages. Runs over every backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from storyfold.store import Store
from tests.store.backends import BACKENDS, Backend, article, bind, fingerprint, fresh, when
from tests.store.test_contract import _story


@pytest.fixture(params=BACKENDS, ids=[b.name for b in BACKENDS])
def backend(request: pytest.FixtureRequest) -> Backend:
    return bind(request.param, request)


@pytest.fixture
def store(backend: Backend, tmp_path: Path) -> Iterator[Store]:
    st = fresh(backend, tmp_path)
    yield st
    st.close()


def _add(store: Store, aid: str, lang: str | None, seed: int, ml: np.ndarray | None = None
         ) -> None:
    art = replace(article(aid, None, f"Text of {aid} about the harbour."), lang=lang)
    fp = replace(fingerprint(aid, seed), multilingual=ml)
    with store.transaction():
        store.add_article(art, fp, [(0, seed)])


def test_stories_are_listed_by_the_language_of_their_articles(store: Store) -> None:
    _add(store, "de1", "de", 1)
    _add(store, "en1", "en", 2)
    _add(store, "en2", "en", 3)
    _story(store, "s-mixed", ["de1", "en1"], when(4))
    _story(store, "s-english", ["en2"], when(5))
    assert [r.id for r in store.list_stories(lang="de")] == ["s-mixed"]
    assert [r.id for r in store.list_stories(lang="en")] == ["s-english", "s-mixed"]
    assert store.list_stories(lang="fr") == []


def test_a_multilingual_vector_comes_back_with_its_fingerprint(store: Store) -> None:
    vec = np.linspace(-1, 1, 512, dtype=np.float32)
    _add(store, "with", "de", 1, vec)
    _add(store, "without", "en", 2)
    fps = store.fingerprints(["with", "without"])
    assert fps["with"].multilingual is not None
    assert np.array_equal(fps["with"].multilingual, vec)
    assert fps["without"].multilingual is None


def test_story_links_are_read_from_either_end_and_dropped(store: Store) -> None:
    for aid, lang, seed in (("a", "de", 1), ("b", "en", 2), ("c", "fr", 3)):
        _add(store, aid, lang, seed)
    _story(store, "s-de", ["a"], when(4))
    _story(store, "s-en", ["b"], when(4))
    _story(store, "s-fr", ["c"], when(4))
    with store.transaction():
        store.save_story_link("s-en", "s-de", 0.61, {"shared": ["valdoria"]})
        store.save_story_link("s-fr", "s-de", 0.52, {"shared": []})
        store.save_story_link("s-de", "s-en", 0.66, {"shared": ["valdoria", "1200"]})  # again
    assert [(o, s) for o, s, _ in store.story_links("s-de")] == [("s-en", 0.66), ("s-fr", 0.52)]
    assert store.story_links("s-en")[0][2] == {"shared": ["valdoria", "1200"]}
    with store.transaction():
        store.delete_story("s-fr")
    assert [o for o, _, _ in store.story_links("s-de")] == ["s-en"]  # gone stories are not
    with store.transaction():
        store.drop_story_links("s-en")
    assert store.story_links("s-de") == []


def test_a_multilingual_vector_computed_later_is_saved_on_the_fingerprint(store: Store) -> None:
    _add(store, "late", "en", 1)
    vec = np.linspace(1, -1, 512, dtype=np.float32)
    with store.transaction():
        store.save_multilingual({"late": vec, "never-stored": vec})
    got = store.fingerprints(["late", "never-stored"])
    assert set(got) == {"late"}
    assert got["late"].multilingual is not None and np.array_equal(got["late"].multilingual, vec)
    assert np.array_equal(got["late"].embedding, fingerprint("late", 1).embedding)


def test_the_stored_languages_are_listed_distinct_and_in_order(store: Store) -> None:
    assert store.article_languages(5) == []
    for aid, lang, seed in (("e1", "en", 1), ("e2", "en", 2), ("d1", "de", 3),
                            ("x1", None, 4), ("t1", "tr", 5)):
        _add(store, aid, lang, seed)
    assert store.article_languages(5) == ["de", "en", "tr"]
    assert store.article_languages(2) == ["de", "en"]


def test_the_languages_of_many_stories_first_members_are_read_at_once(store: Store) -> None:
    for i, (aid, lang) in enumerate([("d1", "de"), ("e1", "en"), ("d2", "de"), ("d3", "de"),
                                     ("f1", "fr"), ("u1", None)]):
        _add(store, aid, lang, i + 1)
    _story(store, "s-de", ["d1", "e1", "d2", "d3"], when(4))
    _story(store, "s-fr", ["f1"], when(4))
    _story(store, "s-und", ["u1"], when(4))
    _story(store, "s-empty", [], when(4))
    got = store.story_languages(["s-de", "s-fr", "s-und", "s-empty", "nope"], 3)
    # the first three members in the order added; stories without members left out
    assert got == {"s-de": ["de", "en", "de"], "s-fr": ["fr"], "s-und": [None]}
    assert store.story_languages([], 3) == {}
