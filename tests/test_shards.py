"""One placer per language shard (`scale.shards`): a mixed-language corpus routed by
language to its shards' placers gives the stories and the cross-language links of one
plain placer, and no story ever holds two shards' articles.

The routing and the placers run here without Ray (a `Preparer` in this process does the
workers' part); `tests/test_scale.py` runs the same through `run --engine ray`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path

import pytest

from storyfold.errors import SettingsError
from storyfold.eval.metrics import bcubed
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.prepare import Prepared
from storyfold.scale.shards import Router, ShardedPlacer, parse_shards
from storyfold.scale.worker import Preparer
from storyfold.settings import DEFAULTS, Settings
from storyfold.store import Store, open_store
from tests.conftest import EXAMPLES

# the example corpus (a cable-car rescue told in English, French and German among English
# stories) and a flood told in German, English and Spanish
MIXED = [str(EXAMPLES / "corpus"), str(Path(__file__).parent / "fixtures" / "languages"
                                       / "valdoria.jsonl")]
SETTINGS = replace(DEFAULTS, place=replace(DEFAULTS.place, chunk=8),
                   languages=replace(DEFAULTS.languages, multilingual=True))


def partition(store: Store) -> dict[str, str]:
    return {m.article_id: rec.id for rec in store.iter_stories() for m in rec.members}


def links(store: Store) -> set[frozenset[frozenset[str]]]:
    """Every cross-language link, as the member sets of its two stories."""
    members = {rec.id: frozenset(m.article_id for m in rec.members)
               for rec in store.iter_stories()}
    return {frozenset({members[sid], members[other]}) for sid in members
            for other, _, _ in store.story_links(sid)}


def prepared(settings: Settings, paths: list[str] = MIXED) -> Iterator[Prepared]:
    """The corpus as Ray workers hand it back: cleaned and fingerprinted, in input order."""
    worker = Preparer(settings)
    docs = iter(iter_documents(paths))
    while batch := list(islice(docs, 10)):
        yield from worker.documents(batch)


@pytest.fixture(scope="module")
def items() -> list[Prepared]:
    return list(prepared(SETTINGS))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('plain') / 'plain.db'}")
    Pipeline(store, SETTINGS, embedder=Embedder(), analyze=False).add(iter_documents(MIXED))
    yield store
    store.close()


def by_shard(store: Store, shards: str) -> dict[str, tuple[str, str]]:
    """A store's stories cut along shard lines: article → (story, shard of its language)."""
    router = Router(store, shards)
    part = partition(store)
    langs = {aid: a.lang for aid, a in store.articles(part).items()}
    return {aid: (sid, router.shard_of(langs[aid])) for aid, sid in part.items()}


def b3(want: dict[str, object], got: dict[str, object]) -> float:
    assert set(got) == set(want)
    ids = sorted(want)
    return bcubed([str(want[i]) for i in ids], [str(got[i]) for i in ids])[2]


def sharded(store: Store, items: list[Prepared], shards: str = "") -> ShardedPlacer:
    settings = replace(SETTINGS, scale=replace(SETTINGS.scale, shards=shards))
    placer = ShardedPlacer(Pipeline(store, settings, embedder=Embedder(), analyze=False))
    placer.add_prepared(iter(items))
    return placer


def test_the_shards_setting_groups_languages_and_names_each_once() -> None:
    assert parse_shards("de fr; es pt") == {"de": "de+fr", "fr": "de+fr", "es": "es+pt",
                                            "pt": "es+pt"}
    assert parse_shards("") == {}
    with pytest.raises(SettingsError, match="'de' in two groups"):
        parse_shards("de fr; de")


def test_a_language_in_no_group_is_its_own_shard(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        router = Router(store, "de fr")
        assert [router.shard_of(x) for x in ("de", "fr", "en", None)] == [
            "de+fr", "de+fr", "en", "und"]
    finally:
        store.close()


def test_languages_in_one_shard_get_exactly_the_stories_and_links_of_one_placer(
        plain: Store, items: list[Prepared], tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    try:
        placer = sharded(store, items, "de en es fr")
        assert set(placer.placers) == {"de+en+es+fr"}
        assert partition(store) == partition(plain)
        assert links(plain) and links(store) == links(plain)
        assert store.pending() == set()
    finally:
        store.close()


@pytest.mark.parametrize(("shards", "placers"), [
    ("", {"de", "en", "es", "fr"}),  # the default: every language its own shard
    ("de fr es", {"de+fr+es", "en"})])
def test_each_shard_gets_the_stories_one_placer_makes_and_none_crosses_shards(
        plain: Store, items: list[Prepared], tmp_path: Path, shards: str,
        placers: set[str]) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'sharded.db'}")
    try:
        placer = sharded(store, items, shards)
        assert set(placer.placers) == placers  # one placer per shard met
        # the plain placer's stories, cut where they join articles of two shards
        # (a translation it put in its original's story): nothing else differs
        assert b3(by_shard(plain, shards), partition(store)) == 1.0
        assert {shard for _, shard in by_shard(store, shards).values()} == placers
        for rec in store.iter_stories():  # no join or merge reached across a shard
            assert len({shard for aid, (sid, shard) in by_shard(store, shards).items()
                        if sid == rec.id}) == 1
        assert store.pending() == set()
    finally:
        store.close()


@pytest.fixture(scope="module")
def clean(items: list[Prepared], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One clean sharded run (every language its own shard)."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('clean') / 'clean.db'}")
    sharded(store, items)
    yield store
    store.close()


def test_a_shard_placer_never_joins_a_stored_story_of_another_shard(
        clean: Store, items: list[Prepared], tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'later.db'}")
    try:
        # the other languages' stories first; the English reports come in a later run,
        # where the store's active stories are every shard's and a placer may hold its own
        sharded(store, [p for p in items if p.article is not None and p.article.lang != "en"])
        sharded(store, items)
        assert partition(store) == partition(clean)
        assert links(store) == links(clean)
    finally:
        store.close()


class Crash(Exception):
    """The stream ends mid-run, as when the driver is killed."""


def test_a_sharded_run_finishes_what_an_interrupted_one_left_pending(
        clean: Store, items: list[Prepared], tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'resumed.db'}")
    try:

        def cut_short() -> Iterator[Prepared]:
            yield from items[: len(items) * 2 // 3]
            raise Crash

        with pytest.raises(Crash):
            ShardedPlacer(Pipeline(store, SETTINGS, embedder=Embedder(), analyze=False)
                          ).add_prepared(cut_short())
        left = store.pending()
        assert left  # placed by chunks, not yet consolidated nor given provenance
        report = ShardedPlacer(Pipeline(store, SETTINGS, embedder=Embedder(), analyze=False)
                               ).add_prepared(iter(items))
        assert report.resumed == left
        assert store.pending() == set()
        assert partition(store) == partition(clean)
        assert links(store) == links(clean)
    finally:
        store.close()
