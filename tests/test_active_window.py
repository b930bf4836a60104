"""Placement holds the stories an arriving article can join, not every story ever stored:
memory follows the last days of news, and the stories it places are the same as if it
held everything."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.settings import DEFAULTS, Settings
from storyfold.store import open_store

TOWNS = ["Varnholm", "Quessant", "Brydale", "Osterkamp", "Lindqvar", "Pellaro", "Tornewick",
         "Hadrosk", "Mirecourt", "Zelvany", "Caldrith", "Ombrecht", "Felsgard", "Yarrowby"]
PEOPLE = ["Ilse Brandvik", "Tomas Okafor", "Reni Vasquel", "Dag Holmerud", "Ana Petrascu",
          "Wim Stoeckel", "Lea Marchetti", "Odo Frankel", "Sira Dunmore", "Kai Ostrander",
          "Nell Abernath", "Juno Castell", "Piet Varga", "Mara Lindgren"]
WHAT = ["a bridge collapse", "a port strike", "a hospital fire", "a flood on the river",
        "a mayoral election", "a chemical spill", "a rail crash", "a factory closure",
        "a water shortage", "a museum theft", "a school walkout", "a ferry sinking",
        "a power cut", "a stadium fire"]
START = datetime(2025, 3, 1, 9, tzinfo=UTC)


def _article(event: int, version: int, when: datetime) -> dict:
    town, person, what = TOWNS[event], PEOPLE[event], WHAT[event]
    text = (f"{town} officials said {what} on {when:%A} left the town in shock. "
            f"{person}, who speaks for the {town} council, told reporters that "
            f"{[12, 30, 45, 7][version % 4]} people were affected and that the inquiry into "
            f"{what} in {town} would report within weeks. Residents of {town} gathered near "
            f"the scene as {person} promised help. Report number {version} from {town}.")
    return {"id": f"e{event}v{version}", "title": f"{what.capitalize()} in {town}",
            "text": text, "date": when.isoformat(), "source": f"outlet{version % 3}.example"}


def _stream(tmp_path: Path, late: bool) -> Path:
    """Fourteen events, two weeks apart in pairs, four reports each; with `late`, two
    reports of early events arrive at the end of the stream (a feed catching up)."""
    records, held_back = [], []
    for e in range(len(TOWNS)):
        day = START + timedelta(days=5 * e)
        for v in range(4):
            rec = _article(e, v, day + timedelta(hours=6 * v))
            (held_back if late and e in (1, 3) and v == 3 else records).append(rec)
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records + held_back) + "\n",
                    encoding="utf-8")
    return path


def _settings(**place: float) -> Settings:
    return replace(DEFAULTS, place=replace(DEFAULTS.place, **place))


def _partition(store) -> dict[str, str]:  # noqa: ANN001
    return {m.article_id: r.id for r in store.iter_stories() for m in r.members}


@pytest.mark.parametrize("late", [False, True], ids=["in-order", "late-arrivals"])
def test_the_window_places_like_holding_everything(tmp_path: Path, embedder, late: bool) -> None:
    data = _stream(tmp_path, late)
    out = {}
    # small chunks: stories are set aside between chunks, so late reports find theirs gone
    for name, settings in {"all": _settings(active_slack_days=10_000, chunk=8),
                           "window": _settings(active_slack_days=0, chunk=8)}.items():
        store = open_store(f"sqlite:///{tmp_path}/{name}.db")
        pipe = Pipeline(store, settings, embedder=embedder, provenance=False)
        pipe.add(iter_documents([str(data)]))
        out[name] = (_partition(store), pipe.window())
        store.close()
    (everything, wide), (windowed, narrow) = out["all"], out["window"]
    assert windowed == everything
    assert len(set(everything.values())) == len(TOWNS)  # one story per event
    assert wide.set_aside == 0 and narrow.set_aside > 0
    # the last event's window (12 days) reaches back to three events before it
    assert len(narrow.index) <= 4
    if late:
        assert narrow.reads > 0  # the late reports' old stories were read back


def test_memory_is_capped_at_max_active_stories(tmp_path: Path, embedder) -> None:
    data = _stream(tmp_path, late=False)
    store = open_store(f"sqlite:///{tmp_path}/capped.db")
    pipe = Pipeline(store, _settings(active_slack_days=10_000, max_active=3, chunk=4),
                    embedder=embedder, provenance=False)
    pipe.add(iter_documents([str(data)]))
    assert len(pipe.index()) <= 3 and pipe.window().set_aside >= len(TOWNS) - 3
    assert len(set(_partition(store).values())) == len(TOWNS)


def test_an_undated_copy_of_an_article_whose_story_was_set_aside_rejoins_it(
        tmp_path: Path, embedder) -> None:
    data = _stream(tmp_path, late=False)
    store = open_store(f"sqlite:///{tmp_path}/copy.db")
    pipe = Pipeline(store, _settings(active_slack_days=0, chunk=8), embedder=embedder,
                    provenance=False)
    report = pipe.add(iter_documents([str(data)]))
    by_record = {a.record: a.id for a in store.articles(report.assignments).values()}
    first_story = _partition(store)[by_record["e0v0"]]
    assert first_story not in pipe.index()  # the first event is long out of the window
    copy = {**_article(0, 0, START), "id": "copy", "date": None, "source": "aggr.example"}
    (tmp_path / "copy.jsonl").write_text(json.dumps(copy) + "\n", encoding="utf-8")
    again = pipe.add(iter_documents([str(tmp_path / "copy.jsonl")]))
    assert again.added == 1 and set(again.assignments.values()) == {first_story}
    assert pipe.window().reads >= 1
    assert len(set(_partition(store).values())) == len(TOWNS)


def test_a_new_pipeline_on_a_large_store_loads_the_recent_stories_only(
        tmp_path: Path, embedder) -> None:
    data = _stream(tmp_path, late=False)
    url = f"sqlite:///{tmp_path}/reopen.db"
    store = open_store(url)
    Pipeline(store, embedder=embedder, provenance=False).add(iter_documents([str(data)]))
    store.close()
    store = open_store(url)
    fresh = Pipeline(store, _settings(active_slack_days=0), embedder=embedder)
    assert 0 < len(fresh.index()) <= 4 < len(TOWNS)


def test_a_consolidation_pass_holds_its_stories_and_their_possible_partners(
        tmp_path: Path, embedder) -> None:
    """Stories placed early in a pass may be set aside before the pass consolidates them;
    the pass reads them back, with every story they could merge with."""
    data = _stream(tmp_path, late=False)
    store = open_store(f"sqlite:///{tmp_path}/hold.db")
    pipe = Pipeline(store, _settings(active_slack_days=0, chunk=8), embedder=embedder,
                    provenance=False)
    report = pipe.add(iter_documents([str(data)]))
    by_record = {a.record: a.id for a in store.articles(report.assignments).values()}
    story = _partition(store)
    old, next_one = story[by_record["e0v0"]], story[by_record["e1v0"]]
    window = pipe.window()
    assert old not in pipe.index() and next_one not in pipe.index()
    window.hold_for_consolidation([old])
    assert old in pipe.index() and next_one in pipe.index()  # 5 days later: a partner
    assert story[by_record["e13v0"]] in pipe.index()  # the newest stay held
