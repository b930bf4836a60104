"""Names as an event's identity, and the second pass that splits two events apart."""

from __future__ import annotations

import numpy as np

from storyfold.consolidate import merge, split, split_groups
from storyfold.fingerprint.features import names
from storyfold.model import Fingerprint
from storyfold.place import StoryIndex, state_of
from storyfold.settings import DEFAULTS, EMBEDDING_DIM, ConsolidateSettings
from storyfold.store import Store, open_store
from tests.store.backends import article


def test_names_are_capitalised_words_seen_mid_sentence_and_figures() -> None:
    text = (
        "Rescuers reached Hollin Ridge on Sunday. The slide buried 12 homes, "
        "said Mayor Petra Valk. Valk asked for calm.\nHeavy rain fell again."
    )
    got = names("Slide hits Hollin Ridge", text)
    assert {"hollin", "ridge", "petra", "valk", "12"} <= set(got)
    assert got["valk"] == 2.0  # the sentence-initial mention counts once she is known as a name
    assert "rescuers" not in got and "heavy" not in got  # capitalised only at sentence starts
    assert "sunday" not in got  # weekdays are shared by every story of the week


def test_lower_case_text_has_no_names() -> None:
    assert names(None, "quake hits coastal town dozens hurt officials say") == {}


def _fp(i: int, emb: np.ndarray, terms: dict[str, float], nm: dict[str, float]) -> Fingerprint:
    return Fingerprint(article_id=f"a{i}", content_hash=str(i), minhash=np.zeros(4, np.uint32),
                       embedding=emb, terms=terms, names=nm)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _two_players() -> list[Fingerprint]:
    """Ten reports of one kind of event (an arrest), five naming one player, five another."""
    rng = np.random.default_rng(3)
    topic = rng.normal(size=EMBEDDING_DIM)
    shared = {"arrested": 2.0, "driving": 1.0, "influence": 1.0, "team": 1.0}
    fps = []
    for i in range(10):
        player = "okafor" if i < 5 else "lindqvist"
        emb = _unit(topic + 0.3 * rng.normal(size=EMBEDDING_DIM))
        fps.append(_fp(i, emb, {**shared, player: 3.0},
                       {"harbourside": 1.0, "patrol": 1.0, player: 4.0}))
    return fps


def test_a_story_holding_two_events_of_one_kind_is_split_by_who_was_involved() -> None:
    fps = _two_players()
    groups = split_groups(fps, lambda t: 1.0, ConsolidateSettings())
    assert groups == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_one_event_told_many_ways_stays_one_story() -> None:
    rng = np.random.default_rng(5)
    topic = rng.normal(size=EMBEDDING_DIM)
    fps = []
    for i in range(10):
        emb = _unit(topic + 0.3 * rng.normal(size=EMBEDDING_DIM))
        extra = {f"word{i}": 1.0, f"word{(i + 1) % 10}": 1.0}
        fps.append(_fp(i, emb, {"slide": 2.0, "rescuers": 1.0, **extra},
                       {"hollin": 2.0, "valk": 1.0}))
    assert split_groups(fps, lambda t: 1.0, ConsolidateSettings()) == [list(range(10))]


def _two_wordings(cast_b: dict[str, float], lower_case: bool = False) -> list[Fingerprint]:
    """Ten reports in two clearly different wordings (first reports, then updates with new
    words and figures); the first five name `hollin`/`valk`, the rest `cast_b`."""
    rng = np.random.default_rng(11)
    early, late = rng.normal(size=EMBEDDING_DIM), rng.normal(size=EMBEDDING_DIM)
    fps = []
    for i in range(10):
        first = i < 5
        emb = _unit((early if first else late) + 0.2 * rng.normal(size=EMBEDDING_DIM))
        terms = ({"slide": 2.0, "buried": 1.0, "homes": 1.0} if first
                 else {"toll": 2.0, "rises": 1.0, "recovered": 1.0})
        nm = {} if lower_case else (
            {"hollin": 2.0, "valk": 1.0, "12": 1.0} if first else {**cast_b, "31": 1.0})
        fps.append(_fp(i, emb, terms, nm))
    return fps


def test_an_update_that_rewords_the_story_but_keeps_its_people_and_places_is_not_split() -> None:
    fps = _two_wordings({"hollin": 2.0, "valk": 1.0})  # new figures, same cast
    assert split_groups(fps, lambda t: 1.0, ConsolidateSettings()) == [list(range(10))]


def test_the_same_wording_gap_with_other_people_and_places_is_split() -> None:
    fps = _two_wordings({"marrow": 2.0, "quist": 1.0})
    assert split_groups(fps, lambda t: 1.0, ConsolidateSettings()) == [[0, 1, 2, 3, 4],
                                                                  [5, 6, 7, 8, 9]]


def test_text_without_names_is_never_split_on_wording_alone() -> None:
    fps = _two_wordings({}, lower_case=True)
    assert split_groups(fps, lambda t: 1.0, ConsolidateSettings()) == [list(range(10))]
    # the wording gap is real: without the cast rule it would have been split
    no_rule = ConsolidateSettings(split_same_cast=float("inf"))
    assert split_groups(_two_wordings({"hollin": 2.0, "valk": 1.0}), lambda t: 1.0,
                        no_rule) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


# ---- the pending marks follow a split or a merge ---------------------------------------------
def _stored_story(store: Store, sid: str, fps: list[Fingerprint], pending: bool = True) -> None:
    with store.transaction():
        for fp in fps:
            store.add_article(article(fp.article_id, None, "words"), fp, [])
        store.save_story_state(state_of(sid, fps, [None] * len(fps)))
        for fp in fps:
            store.set_membership(fp.article_id, sid, 1.0)
        if pending:
            store.mark_pending([sid])


def _index(store: Store) -> StoryIndex:
    return StoryIndex(store.story_states(), {}, store.article_count(), DEFAULTS.place)


def test_a_split_marks_its_new_story_pending_too() -> None:
    """The half that leaves is a story no provenance was computed for: a run killed right
    after the split must find it owed, with the half that kept the id."""
    fps = _two_players()
    store = open_store("sqlite://")
    try:
        _stored_story(store, "sa0", fps)
        changes = split(store, _index(store), ["sa0"])
        assert changes.created == 1
        assert store.pending() == changes.touched == {"sa0", "sa5"}
    finally:
        store.close()


def test_a_merge_moves_the_pending_mark_to_the_story_that_remains() -> None:
    rng = np.random.default_rng(5)
    topic = rng.normal(size=EMBEDDING_DIM)
    fps = [_fp(i, _unit(topic + 0.05 * rng.normal(size=EMBEDDING_DIM)),
               {"slide": 2.0, "rescuers": 1.0}, {"hollin": 2.0, "valk": 1.0}) for i in range(4)]
    store = open_store("sqlite://")
    try:
        _stored_story(store, "sa0", fps[:3], pending=False)  # finished by an earlier run
        _stored_story(store, "sa3", fps[3:])
        changes = merge(store, _index(store), ["sa3"])
        assert changes.touched == {"sa0"}  # the smaller story joined the larger
        assert store.pending() == {"sa0"}  # its provenance is stale; the merged-away one is gone
    finally:
        store.close()
