"""The store contract for followed sources (`SourceStore`), over every backend in BACKENDS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyfold.errors import StoreError
from storyfold.store import Store
from tests.store.backends import BACKENDS, Backend, Fed, add, bind, fresh

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
FEED = "https://news.example/feed.xml"
OTHER = "https://other.example/atom"


@pytest.fixture(params=BACKENDS, ids=[b.name for b in BACKENDS])
def backend(request: pytest.FixtureRequest) -> Backend:
    return bind(request.param, request)


@pytest.fixture
def store(backend: Backend, tmp_path: Path) -> Iterator[Store]:
    st = fresh(backend, tmp_path)
    yield st
    st.close()


def test_a_source_is_added_once_per_url(store: Store) -> None:
    first, new = store.add_source(FEED, "Meridian Wire", "https://news.example/")
    again, new_again = store.add_source(FEED, "Another title")
    assert new and not new_again
    assert again == first and again.title == "Meridian Wire"
    assert first.site_url == "https://news.example/" and first.added_at is not None
    assert (first.next_fetch, first.failures, first.disabled, first.articles) == (None, 0, None, 0)
    store.add_source(OTHER)
    assert [s.url for s in store.sources()] == [FEED, OTHER]
    assert store.source_by_url(OTHER) is not None and store.source_by_url("nope") is None


def test_polling_state_is_written_back_whole(store: Store) -> None:
    src, _ = store.add_source(FEED)
    moved = replace(src, url="https://news.example/rss", title="Wire", etag='"abc"',
                    last_modified="Tue, 01 Dec 2026 10:00:00 GMT", last_fetch=T0,
                    last_status="http 503", last_error="busy", next_fetch=T0 + timedelta(hours=1),
                    failures=2, not_found=1, disabled=None)
    with store.transaction():
        store.update_source(moved)
    back = store.source_by_url("https://news.example/rss")
    assert back is not None and store.source_by_url(FEED) is None
    assert replace(back, added_at=src.added_at) == moved


def test_a_source_cannot_move_onto_another_sources_url(store: Store) -> None:
    src, _ = store.add_source(FEED)
    store.add_source(OTHER)
    with pytest.raises(StoreError), store.transaction():
        store.update_source(replace(src, url=OTHER))
    assert store.source_by_url(FEED) is not None


def test_due_sources_are_the_enabled_ones_whose_time_has_come(store: Store) -> None:
    never, _ = store.add_source("https://a.example/feed")
    late, _ = store.add_source("https://b.example/feed")
    later, _ = store.add_source("https://c.example/feed")
    gone, _ = store.add_source("https://d.example/feed")
    with store.transaction():
        store.update_source(replace(late, next_fetch=T0 - timedelta(minutes=30)))
        store.update_source(replace(later, next_fetch=T0 + timedelta(minutes=5)))
        store.update_source(replace(gone, disabled="410 Gone"))
    assert [s.url for s in store.due_sources(T0)] == [never.url, late.url]
    assert [s.url for s in store.due_sources(T0 + timedelta(minutes=5))] == [
        never.url, late.url, later.url]
    assert len(store.due_sources(T0, limit=1)) == 1


def test_entries_are_remembered_and_count_articles(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a1", "Bridge", "Lanford opened its new harbour bridge on Tuesday.", seed=1)
    src, _ = store.add_source(FEED)
    other, _ = store.add_source(OTHER)
    assert store.seen_entries(src.id, ["e1", "e2"]) == set()
    with store.transaction():
        store.record_entries(src.id, [("e1", "a1"), ("e2", None)])
        store.record_entries(other.id, [("e1", "a1")])
    assert store.seen_entries(src.id, ["e1", "e2", "e3"]) == {"e1", "e2"}
    assert store.seen_entries(other.id, ["e2"]) == set()
    with store.transaction():
        store.record_entries(src.id, [("e1", None)])  # taken again: keeps its article
    assert store.source_by_url(FEED).articles == 1  # type: ignore[union-attr]
    many = [f"k{i}" for i in range(1200)]
    with store.transaction():
        store.record_entries(src.id, [(k, None) for k in many])
    assert store.seen_entries(src.id, many) == set(many)


def test_removing_a_source_forgets_its_entries_not_its_articles(store: Store) -> None:
    fed = Fed()
    add(store, fed, "a1", "Bridge", "Lanford opened its new harbour bridge on Tuesday.", seed=1)
    src, _ = store.add_source(FEED)
    with store.transaction():
        store.record_entries(src.id, [("e1", "a1")])
    assert store.remove_source(src.id) and not store.remove_source(src.id)
    assert store.sources() == [] and store.known_ids(["a1"]) == {"a1"}
    again, new = store.add_source(FEED)
    assert new and store.seen_entries(again.id, ["e1"]) == set()


def test_import_cursors_are_kept(store: Store) -> None:
    assert store.import_cursor("miniflux:https://reader.example") is None
    with store.transaction():
        store.save_import_cursor("miniflux:https://reader.example", "41")
        store.save_import_cursor("miniflux:https://reader.example", "97")
    assert store.import_cursor("miniflux:https://reader.example") == "97"


def test_sources_survive_reopening(backend: Backend, tmp_path: Path) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing after closing")
    st = fresh(backend, tmp_path)
    src, _ = st.add_source(FEED, "Wire")
    with st.transaction():
        st.record_entries(src.id, [("e1", None)])
        st.update_source(replace(src, etag='"x"', next_fetch=T0))
    st.close()
    st = fresh(backend, tmp_path)
    try:
        back = st.source_by_url(FEED)
        assert back is not None and back.etag == '"x"' and back.next_fetch == T0
        assert st.seen_entries(back.id, ["e1"]) == {"e1"}
    finally:
        st.close()
