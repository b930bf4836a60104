"""The store contract: what every backend must do, checked through `Store` only.

Each test runs once per entry of `tests/store/backends.py:BACKENDS`; a new backend is done
when all of them pass against it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyfold.errors import NotFound, StoreError
from storyfold.model import Link, Membership, StoryState
from storyfold.settings import EMBEDDING_DIM
from storyfold.store import Store, open_store
from tests.store.backends import BACKENDS, Backend, Fed, add, bind, fresh, when


@pytest.fixture(params=BACKENDS, ids=[b.name for b in BACKENDS])
def backend(request: pytest.FixtureRequest) -> Backend:
    return bind(request.param, request)


@pytest.fixture
def store(backend: Backend, tmp_path: Path) -> Iterator[Store]:
    st = fresh(backend, tmp_path)
    yield st
    st.close()


def _state(sid: str, seed: int, first: datetime | None = None, last: datetime | None = None,
           size: int = 1) -> StoryState:
    rng = np.random.default_rng(seed)
    return StoryState(id=sid, centroid=rng.standard_normal(EMBEDDING_DIM).astype(np.float32),
                      size=size, terms={"harbour": 1.0 + seed}, first_seen=first,
                      last_seen=last, names={"lanford": float(seed)})


def _story(store: Store, sid: str, members: list[str], first: datetime | None = None,
           last: datetime | None = None) -> None:
    with store.transaction():
        store.save_story_state(_state(sid, len(sid), first, last or first, len(members)))
        for aid in members:
            store.set_membership(aid, sid, 0.5)


BRIDGE = "Lanford opened its new harbour bridge on Tuesday after six years of construction."
FERRY = "The ferry timetable changes next week as the harbour crossing reopens for traffic."
QUAKE = "A strong earthquake shook the northern valley overnight, rescuers said on Sunday."


# ---- articles, fingerprints, LSH, vectors, document frequencies ------------------------------
def test_articles_and_fingerprints_come_back_as_they_were_added(store: Store) -> None:
    fed = Fed()
    assert store.article_count() == 0 and store.known_ids(["a1"]) == set()
    add(store, fed, "a1", "Bridge opens", BRIDGE, seed=1, published=when(4))
    add(store, fed, "a2", None, FERRY, seed=2, source=None)
    assert store.article_count() == 2
    assert store.known_ids(["a1", "a2", "nope"]) == {"a1", "a2"}
    assert store.articles(["a1", "a2", "nope"]) == fed.articles
    got = store.fingerprints(["a2", "a1", "nope"])
    assert set(got) == {"a1", "a2"}
    for aid, fp in fed.fingerprints.items():
        back = got[aid]
        assert back.content_hash == fp.content_hash
        assert back.terms == fp.terms and back.names == fp.names
        assert np.array_equal(back.minhash, fp.minhash) and back.minhash.dtype == np.uint32
        assert np.array_equal(back.embedding, fp.embedding)
        assert back.embedding.dtype == np.float32
    assert store.articles([]) == {} and store.fingerprints([]) == {}


def test_many_ids_are_read_in_one_call(store: Store) -> None:
    fed = Fed()
    for i in range(30):
        add(store, fed, f"a{i}", f"Title {i}", BRIDGE, seed=i)
    asked = [f"a{i}" for i in range(30)] + [f"missing{i}" for i in range(1200)]
    assert store.known_ids(asked) == set(fed.articles)
    assert set(store.articles(asked)) == set(fed.articles)


def test_exact_copies_are_found_by_content_hash(store: Store) -> None:
    fed = Fed()
    add(store, fed, "zz-orig", "Bridge", BRIDGE, seed=1, content_hash="same")
    add(store, fed, "copy", "Bridge", BRIDGE, seed=2, content_hash="same")
    add(store, fed, "other", "Ferry", FERRY, seed=3)
    add(store, fed, "a-late", "Bridge", BRIDGE, seed=4, content_hash="same")
    # in the order stored, not by id: the first is the source every copy takes its vector from
    assert store.by_content_hash("same") == ["zz-orig", "copy", "a-late"]
    assert store.by_content_hash("unknown") == []


def test_lsh_candidates_share_a_band_key(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1, lsh=[(0, 11), (1, 12), (2, 13)])
    add(store, fed, "b", "B", FERRY, seed=2, lsh=[(0, 11), (1, 99)])
    add(store, fed, "c", "C", QUAKE, seed=3, lsh=[(1, 11), (2, 14)])  # same key, other band
    assert store.lsh_candidates([(0, 11)]) == {"a", "b"}
    assert store.lsh_candidates([(1, 12), (2, 14)]) == {"a", "c"}
    assert store.lsh_candidates([(5, 11)]) == set() and store.lsh_candidates([]) == set()
    many = [(band, key) for band in range(32) for key in range(40)] + [(1, 99)]
    assert store.lsh_candidates(many) == {"a", "b", "c"}


def test_sentence_vectors_are_kept_as_float16_and_replaced(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1)
    add(store, fed, "b", "B", FERRY, seed=2)
    vecs = np.random.default_rng(0).standard_normal((3, EMBEDDING_DIM)).astype(np.float32)
    store.save_sentence_vectors("a", vecs)
    store.save_sentence_vectors("b", np.zeros((0, EMBEDDING_DIM), np.float32))
    got = store.sentence_vectors(["a", "b", "c"])
    assert set(got) == {"a", "b"}
    assert got["a"].dtype == np.float16 and np.array_equal(got["a"], vecs.astype(np.float16))
    assert got["b"].shape == (0, EMBEDDING_DIM)
    store.save_sentence_vectors("a", vecs[:1])
    assert store.sentence_vectors(["a"])["a"].shape == (1, EMBEDDING_DIM)


def test_document_frequencies_add_up(store: Store) -> None:
    assert store.document_frequencies() == {}
    store.add_document_frequencies({"harbour": 2, "bridge": 1})
    store.add_document_frequencies({"harbour": 3, "ferry": 1})
    store.add_document_frequencies({})
    assert store.document_frequencies() == {"harbour": 5, "bridge": 1, "ferry": 1}


# ---- stories -----------------------------------------------------------------------------------
def test_story_states_round_trip_and_filter_by_last_seen(store: Store) -> None:
    old = _state("old", 1, when(1), when(2), size=3)
    new = _state("new", 2, when(5), when(9))
    undated = _state("undated", 3)
    with store.transaction():
        for st in (old, new, undated):
            store.save_story_state(st)
    got = {s.id: s for s in store.story_states()}
    assert set(got) == {"old", "new", "undated"}
    back = got["old"]
    assert np.array_equal(back.centroid, old.centroid) and back.centroid.dtype == np.float32
    assert (back.size, back.terms, back.names) == (3, old.terms, old.names)
    assert (back.first_seen, back.last_seen) == (when(1), when(2))
    assert {s.id for s in store.story_states(since=when(3))} == {"new", "undated"}
    # a window of last_seen: from `since` (inclusive) to `until` (exclusive), dated only
    assert {s.id for s in store.story_states(since=when(2), until=when(9))} == {"old"}
    assert {s.id for s in store.story_states(since=when(2), until=when(10))} == {"old", "new"}
    assert {s.id for s in store.story_states(ids=["new", "undated", "missing"])} \
        == {"new", "undated"}
    assert store.story_states(ids=[]) == []
    assert store.latest_seen() == when(9)
    # updating a state keeps what provenance wrote
    store.save_provenance("old", "Old headline", [], [])
    store.save_story_state(_state("old", 1, when(1), when(4), size=4))
    assert store.story("old").headline == "Old headline"
    assert {s.id: s.size for s in store.story_states()}["old"] == 4


def test_memberships_moves_and_deletes(store: Store) -> None:
    fed = Fed()
    for i, aid in enumerate(["a", "b", "c"]):
        add(store, fed, aid, aid.upper(), BRIDGE, seed=i)
    _story(store, "s1", ["a", "b", "c"], when(4))
    _story(store, "s2", [], when(5))
    assert store.story_of(["a", "b", "c", "zz"]) == {"a": "s1", "b": "s1", "c": "s1"}
    assert store.story_member_ids("s1") == ["a", "b", "c"]  # in the order they were added
    with store.transaction():
        store.move_members(["b", "c"], "s2")
    assert store.story_member_ids("s1") == ["a"] and store.story_member_ids("s2") == ["b", "c"]
    with store.transaction():
        store.set_membership("a", "s2", 0.9)
        store.delete_story("s1")
    assert store.story_of(["a", "b", "c"]) == {"a": "s2", "b": "s2", "c": "s2"}
    assert {s.id for s in store.story_states()} == {"s2"}
    with pytest.raises(NotFound):
        store.story("s1")
    assert store.story_member_ids("s1") == []


def test_a_merged_story_id_resolves_to_the_story_it_became(store: Store) -> None:
    fed = Fed()
    for i, aid in enumerate(["a", "b", "c"]):
        add(store, fed, aid, aid.upper(), BRIDGE, seed=i)
    for sid, aid in (("s1", "a"), ("s2", "b"), ("s3", "c")):
        _story(store, sid, [aid], when(4))
    assert store.resolve_story("s1") == "s1" and store.resolve_story("nope") is None
    with store.transaction():
        store.move_members(["a"], "s2")
        store.record_alias("s1", "s2")
        store.delete_story("s1")
    assert store.resolve_story("s1") == "s2"
    with store.transaction():  # then s2 into s3: the chain is followed to the end
        store.move_members(["a", "b"], "s3")
        store.record_alias("s2", "s3")
        store.delete_story("s2")
    assert store.resolve_story("s1") == "s3" and store.resolve_story("s2") == "s3"
    with store.transaction():  # a chain that ends at no stored story ends nowhere
        store.record_alias("s3", "s1")
        store.delete_story("s3")
    assert store.resolve_story("s1") is None and store.resolve_story("s3") is None


def test_provenance_is_read_back_in_the_story_record(store: Store) -> None:
    fed = Fed()
    add(store, fed, "late", "Late", FERRY, seed=1, published=when(6))
    add(store, fed, "undated", "Undated", QUAKE, seed=2)
    add(store, fed, "early", "Early", BRIDGE, seed=3, published=when(4))
    _story(store, "s", ["late", "undated", "early"], when(4), when(6))
    members = [Membership("early", "original"),
               Membership("late", "rewrite", "early", {"aligned": 0.8, "when": when(6)}),
               Membership("undated", "independent")]
    links = [Link("early", "late", "rewrite", 0.8, ("early", "late")),
             Link("early", "undated", "same_story", 0.4)]
    with store.transaction():
        store.save_provenance("s", "Bridge opens", members, links)
    rec = store.story("s")
    assert (rec.id, rec.headline, rec.first_seen, rec.last_seen) == (
        "s", "Bridge opens", when(4), when(6))
    # oldest published first; undated last
    assert [m.article_id for m in rec.members] == ["early", "late", "undated"]
    late = rec.members[1]
    assert (late.role, late.derived_from) == ("rewrite", "early")
    assert late.evidence == {"aligned": 0.8, "when": str(when(6))}  # JSON, dates as text
    assert rec.members[2].role == "independent"
    assert rec.links == links
    # saving again replaces the links
    store.save_provenance("s", "Bridge opens", members, links[:1])
    assert store.story("s").links == links[:1]
    with pytest.raises(NotFound):
        store.story("nope")


def test_iter_stories_lists_every_story_newest_first(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1)
    _story(store, "mid", ["a"], when(5))
    _story(store, "new", [], when(9))
    _story(store, "undated", [])
    _story(store, "old", [], when(1))
    assert [r.id for r in store.iter_stories()] == ["new", "mid", "old", "undated"]
    assert [m.article_id for m in next(r for r in store.iter_stories() if r.id == "mid").members
            ] == ["a"]


# ---- search and listings ---------------------------------------------------------------------
def _newsroom(store: Store) -> Fed:
    fed = Fed()
    add(store, fed, "bridge", "Harbour bridge opens", BRIDGE, seed=1, published=when(4),
        source="Meridian Wire")
    add(store, fed, "ferry", "Ferry timetable", FERRY, seed=2, published=when(5),
        source="Lanford Post")
    add(store, fed, "quake", "Valley earthquake", QUAKE, seed=3, published=when(7),
        source="Meridian Wire")
    _story(store, "s-harbour", ["bridge", "ferry"], when(4), when(5))
    _story(store, "s-quake", ["quake"], when(7), when(7))
    return fed


def test_search_finds_words_and_marks_them(store: Store) -> None:
    _newsroom(store)
    hits = store.search("harbour bridge")
    assert [h.article_id for h in hits][:1] == ["bridge"]
    assert {h.article_id for h in hits} == {"bridge", "ferry"}  # any word fills up
    assert hits[0].score >= hits[-1].score
    marked = {text.lower() for text, matched in hits[0].snippet if matched}
    assert marked and marked <= {"harbour", "bridge"}
    assert [h.article_id for h in store.search("EARTHQUAKE")] == ["quake"]
    assert store.search("harbour", limit=1)[0].article_id in {"bridge", "ferry"}
    assert len(store.search("harbour", limit=1)) == 1
    assert store.search("zeppelin") == [] and store.search("") == []


HOSTILE_QUERIES = [
    '"', '""', "'", "*", "harbour*", "^harbour", "NEAR(", "NEAR(harbour bridge, 2)",
    "harbour AND", "OR", "NOT harbour", "title:harbour", "{title}: x", "(", ")", "a - b",
    "-harbour", "+", "\x00", "\\", "%", "_", "; DROP TABLE articles; --", "…", "漢字",
    "harbour " * 400, "x" * 20000, "🙂", "\u202e", "bridge\"", "col:\"harbour\"",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_are_words_never_errors(store: Store, q: str) -> None:
    _newsroom(store)
    hits = store.search(q)
    assert isinstance(hits, list) and isinstance(store.list_stories(q=q), list)
    if "harbour" in q or "bridge" in q:  # the words in it are still searched for
        assert hits
    assert store.article_count() == 3  # and nothing was executed


def test_operators_typed_by_a_user_are_words(store: Store) -> None:
    _newsroom(store)
    assert [h.article_id for h in store.search('"harbour" NEAR( bridge*')][:1] == ["bridge"]
    assert [r.id for r in store.list_stories(q='"ferry* ^timetable"')] == ["s-harbour"]


def test_list_stories_filters(store: Store) -> None:
    _newsroom(store)
    _story(store, "s-empty", [], when(8))  # a story without members is never listed
    ids = lambda **kw: [r.id for r in store.list_stories(**kw)]  # noqa: E731
    assert ids() == ["s-quake", "s-harbour"]
    assert ids(since=when(6)) == ["s-quake"]
    assert ids(until=when(6)) == ["s-harbour"]
    assert ids(since=when(5), until=when(7, 9)) == ["s-quake", "s-harbour"]
    assert ids(source="Lanford Post") == ["s-harbour"]
    assert ids(source="Meridian Wire") == ["s-quake", "s-harbour"]
    assert ids(source="Nobody") == []
    assert ids(q="ferry timetable") == ["s-harbour"]
    assert ids(q="earthquake", source="Lanford Post") == []
    assert ids(q="...") == []
    assert ids(q="quake earthquake valley") == []  # every word must match
    assert ids(q="earthquake valley") == ["s-quake"]
    [harbour] = store.list_stories(source="Lanford Post")
    assert [m.article_id for m in harbour.members] == ["bridge", "ferry"]


def test_pages_continue_where_they_stopped_while_stories_arrive(store: Store) -> None:
    fed = Fed()
    for i in range(7):
        add(store, fed, f"a{i}", f"Harbour news {i}", BRIDGE, seed=i)
        _story(store, f"s{i}", [f"a{i}"], when(1 + i % 4, 8))  # ties on first seen
    add(store, fed, "u", "Undated", BRIDGE, seed=9)
    _story(store, "s-undated", ["u"])
    everything = [r.id for r in store.list_stories(limit=100)]
    assert everything[-1] == "s-undated" and len(everything) == 8
    seen: list[str] = []
    after = None
    while True:
        page = store.list_stories(limit=3, after=after)
        if not page:
            break
        seen += [r.id for r in page]
        after = store.page_key(page[-1])
        # a newer story arriving between pages appears on page one, not in the continuation
        n = len(seen)
        add(store, fed, f"n{n}", "Newer harbour news", BRIDGE, seed=100 + n)
        _story(store, f"new{n}", [f"n{n}"], when(20 + n))
    assert seen == everything
    assert store.page_key(store.list_stories(limit=1)[0])[1].startswith("new")


def test_outlets_are_counted_most_articles_first(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1, source="Lanford Post")
    add(store, fed, "b", "B", FERRY, seed=2, source="Meridian Wire")
    add(store, fed, "c", "C", QUAKE, seed=3, source="Meridian Wire")
    add(store, fed, "d", "D", QUAKE, seed=4, source="Coastal Review")
    add(store, fed, "e", "E", QUAKE, seed=5, source=None)
    add(store, fed, "f", "F", QUAKE, seed=6, source="")
    assert store.outlets() == [("Meridian Wire", 2), ("Coastal Review", 1), ("Lanford Post", 1)]


def test_article_embeddings_catch_up_incrementally(store: Store) -> None:
    ids, matrix, last = store.article_embeddings()
    assert ids == [] and len(matrix) == 0 and last == 0
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1)
    add(store, fed, "b", "B", FERRY, seed=2)
    ids, matrix, last = store.article_embeddings()
    assert ids == ["a", "b"] and matrix.shape == (2, EMBEDDING_DIM)
    assert np.array_equal(matrix[1], fed.fingerprints["b"].embedding)
    none, empty, same = store.article_embeddings(last)
    assert none == [] and len(empty) == 0 and same == last
    add(store, fed, "c", "C", QUAKE, seed=3)
    more, mat, newer = store.article_embeddings(last)
    assert more == ["c"] and newer > last
    assert np.array_equal(mat[0], fed.fingerprints["c"].embedding)


def test_a_backend_with_a_vector_index_answers_nearest_first(store: Store) -> None:
    fed = Fed()
    for i, aid in enumerate(["a", "b", "c", "d"]):
        add(store, fed, aid, aid.upper(), BRIDGE, seed=10 + i)
    vecs = {aid: fp.embedding for aid, fp in fed.fingerprints.items()}
    query = vecs["c"] + 0.3 * vecs["a"]
    query = (query / np.linalg.norm(query)).astype(np.float32)
    found = store.nearest_articles(query, 3)
    if found is None:  # no index of its own: the web search holds a copy instead
        return
    exact = sorted(vecs, key=lambda aid: -float(vecs[aid] @ query))
    assert [aid for aid, _ in found] == exact[:3] and found[0][0] == "c"
    for aid, sim in found:
        assert sim == pytest.approx(float(vecs[aid] @ query), abs=1e-4)
    assert len(store.nearest_articles(query, 50) or []) == 4
    assert store.nearest_articles(query, 0) == []


# ---- caches --------------------------------------------------------------------------------------
def test_writeups_and_summary_vectors_are_cached(store: Store) -> None:
    _newsroom(store)
    assert store.writeup("s-harbour") is None and store.summary_vectors(["bridge"]) == {}
    vecs = np.random.default_rng(1).standard_normal((2, EMBEDDING_DIM)).astype(np.float32)
    data = {"headline": "Bridge opens", "summary": ["one", "two"], "n": 2}
    store.save_writeup("s-harbour", "key-1", data, {"bridge": ("sk", vecs)},
                       headline="Bridge opens")
    assert store.writeup("s-harbour") == ("key-1", data)
    [(key, back)] = store.summary_vectors(["bridge", "ferry"]).items()
    assert key == "bridge" and back[0] == "sk"
    assert back[1].dtype == np.float16 and np.array_equal(back[1], vecs.astype(np.float16))
    # the write-up's headline shows until provenance is saved again
    assert store.story("s-harbour").headline == "Bridge opens"
    store.save_provenance("s-harbour", "From provenance", [], [])
    assert store.story("s-harbour").headline == "From provenance"
    # a newer write-up replaces the old one; without a headline the story's stays
    store.save_writeup("s-harbour", "key-2", {"headline": "x"})
    assert store.writeup("s-harbour") == ("key-2", {"headline": "x"})
    assert store.story("s-harbour").headline == "From provenance"
    assert store.summary_vectors(["bridge"])["bridge"][0] == "sk"


def test_a_writeup_needs_its_story(store: Store) -> None:
    with pytest.raises(StoreError):
        store.save_writeup("no-such-story", "k", {})
    assert store.writeup("no-such-story") is None
    _newsroom(store)
    store.save_writeup("s-quake", "k", {"a": 1})
    store.delete_story("s-quake")
    assert store.writeup("s-quake") is None


# ---- transactions and the settings record ------------------------------------------------------
def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    fed = Fed()
    with pytest.raises(RuntimeError), store.transaction():
        add(store, fed, "a", "Harbour", BRIDGE, seed=1)  # a nested transaction
        store.save_story_state(_state("s", 1, when(1)))
        store.set_membership("a", "s", 0.7)
        store.add_document_frequencies({"harbour": 1})
        store.save_sentence_vectors("a", np.ones((1, EMBEDDING_DIM), np.float32))
        raise RuntimeError("crash mid-batch")
    assert store.article_count() == 0 and store.known_ids(["a"]) == set()
    assert store.story_states() == [] and store.story_of(["a"]) == {}
    assert store.document_frequencies() == {} and store.sentence_vectors(["a"]) == {}
    assert store.search("harbour") == [] and store.article_embeddings()[0] == []
    # and the store goes on working
    add(store, fed, "a", "Harbour", BRIDGE, seed=1)
    assert store.known_ids(["a"]) == {"a"}


def test_settings_digest_is_the_last_recorded(store: Store) -> None:
    assert store.settings_digest() is None
    store.record_settings("d1", {"place": {"threshold": 0.3}})
    assert store.settings_digest() == "d1"
    store.record_settings("d1", {"place": {"threshold": 0.3}})
    store.record_settings("d2", {"place": {"threshold": 0.4}, "when": when(1)})
    assert store.settings_digest() == "d2"
    store.record_settings("d1", {"place": {"threshold": 0.3}})  # back to the first settings
    assert store.settings_digest() == "d1"


def test_a_reopened_store_has_everything(backend: Backend, tmp_path: Path) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing once closed")
    store = fresh(backend, tmp_path)
    fed = _newsroom(store)
    store.record_settings("d1", {"a": 1})
    store.close()
    store = open_store(backend.url(tmp_path))
    try:
        assert store.articles(fed.articles) == fed.articles
        assert [r.id for r in store.list_stories()] == ["s-quake", "s-harbour"]
        assert store.settings_digest() == "d1"
    finally:
        store.close()


def test_page_key_orders_like_the_listing() -> None:
    from storyfold.model import StoryRecord

    rec = StoryRecord("s1", None, datetime(2025, 3, 4, tzinfo=UTC), None)
    assert Store.page_key(rec) == ("2025-03-04T00:00:00+00:00", "s1")
    assert Store.page_key(StoryRecord("s2", None, None, None)) == ("", "s2")


# ---- the pending set and the writer lease ----------------------------------------------------
def test_pending_stories_are_marked_cleared_and_dropped_with_their_story(store: Store) -> None:
    fed = Fed()
    for i, aid in enumerate(["a", "b"]):
        add(store, fed, aid, aid.upper(), BRIDGE, seed=i)
    _story(store, "s1", ["a"], when(4))
    _story(store, "s2", ["b"], when(5))
    assert store.pending() == set()
    with store.transaction():
        store.mark_pending(["s1", "s2"])
        store.mark_pending(["s1"])  # twice is once
    assert store.pending() == {"s1", "s2"}
    with store.transaction():
        store.clear_pending(["s1", "never-pending"])
    assert store.pending() == {"s2"}
    with store.transaction():
        store.mark_pending(["s1"])
        store.move_members(["b"], "s1")
        store.delete_story("s2")  # merged away: nothing is owed to a story that is gone
    assert store.pending() == {"s1"}


def test_pending_marks_commit_and_roll_back_with_their_transaction(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1)
    _story(store, "s1", ["a"], when(4))
    with pytest.raises(RuntimeError), store.transaction():
        store.mark_pending(["s1"])
        raise RuntimeError("killed before the commit")
    assert store.pending() == set()


def test_pending_stories_survive_reopening(backend: Backend, tmp_path: Path) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing once closed")
    store = fresh(backend, tmp_path)
    add(store, Fed(), "a", "A", BRIDGE, seed=1)
    _story(store, "s1", ["a"], when(4))
    with store.transaction():
        store.mark_pending(["s1"])
    store.close()
    store = open_store(backend.url(tmp_path))
    try:
        assert store.pending() == {"s1"}
    finally:
        store.close()


def test_adding_a_stored_article_again_is_a_no_op(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a", "A", BRIDGE, seed=1)
    add(store, Fed(), "a", "Another title", FERRY, seed=2)  # a racing writer, same id
    assert store.article_count() == 1
    assert store.articles(["a"]) == {"a": fed.articles["a"]}
    assert [h.article_id for h in store.search("bridge")] == ["a"]


def test_the_writer_lock_is_reentrant(store: Store) -> None:
    with store.writer_lock(), store.writer_lock(), store.transaction():
        store.record_settings("d1", {})
    with store.writer_lock():  # released: taken again without waiting
        pass


def test_a_second_writer_waits_for_the_first_and_says_so(backend: Backend,
                                                          tmp_path: Path) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} is one connection: there is no second writer")
    first, second = fresh(backend, tmp_path), open_store(backend.url(tmp_path))
    waiting, entered = threading.Event(), threading.Event()

    def other() -> None:
        with second.writer_lock(on_wait=waiting.set):
            entered.set()

    try:
        with first.writer_lock():
            t = threading.Thread(target=other)
            t.start()
            assert waiting.wait(60)  # told it waits ...
            assert not entered.is_set()  # ... and does wait
        t.join(60)
        assert entered.is_set()  # the lease passed on when the first let go
    finally:
        first.close()
        second.close()
