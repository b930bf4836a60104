"""Comparing the articles of one story: quote variants, claims, conflicts, entities.

Small stories written here state the rules; the labelled stories in fixtures/compare are
scored as a whole (the same scoring as bench/bench_compare.py); the three seed articles,
when ../shared is present, must come out as the issue describes.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyfold.analyze.analysis import AnalysisCache, analyze_articles, article_key
from storyfold.analyze.compare import Comparison, compare_story
from storyfold.model import Article

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "compare"
SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"


def _art(aid: str, day: int, text: str) -> Article:
    return Article(id=aid, source=aid, url=None, title=None, text=text,
                   published=datetime(2024, 5, day, tzinfo=UTC))


def _group(comp: Comparison, words: str):
    return next(g for g in comp.quotes if any(words in v.text for v in g.variants))


@pytest.fixture(scope="module")
def ferry() -> Comparison:
    a = _art("a", 9, (
        "A ferry ran aground off Tolva island on Wednesday with 212 passengers on board, the "
        "coastguard said.\n\n"
        "“The captain did everything right, and nobody was hurt,” said Nora Lind, a spokesperson "
        "for Bluewave Ferries. “We will pay for every hotel night.”\n\n"
        "Coastguard commander Erik Sand said the tide had turned faster than forecast."))
    b = _art("b", 9, (
        "A Bluewave ferry carrying 212 passengers struck rocks near Tolva on Wednesday.\n\n"
        "Nora Lind of Bluewave Ferries said: “The captain did everything right, and nobody was "
        "hurt.”\n\n"
        "“We will pay for every single hotel night,” Lind added."))
    c = _art("c", 10, (
        "The ferry that ran aground off Tolva island on Tuesday was carrying 230 passengers.\n\n"
        "“The captain did everything right,” Lind said.\n\n"
        "Coastguard chief Erik Sand said the tide had turned faster than forecast."))
    return compare_story([a, b, c])


def test_the_same_quote_attributed_two_ways_is_verbatim(ferry: Comparison) -> None:
    g = _group(ferry, "nobody was hurt")
    assert g.speaker == "Nora Lind"
    assert [(v.article, v.kind) for v in g.variants] == [("a", "verbatim"), ("b", "verbatim"),
                                                         ("c", "trimmed")]
    assert g.variants[0].reference and not g.variants[1].reference


def test_two_different_quotes_of_one_speaker_stay_apart(ferry: Comparison) -> None:
    hurt, hotel = _group(ferry, "nobody was hurt"), _group(ferry, "hotel night")
    assert hurt is not hotel
    assert {v.article for v in hotel.variants} == {"a", "b"}


def test_an_altered_quote_carries_a_word_diff(ferry: Comparison) -> None:
    v = next(v for v in _group(ferry, "hotel night").variants if v.article == "b")
    assert v.kind == "altered" and 0.8 < v.score < 1.0
    assert {"op": "insert", "text": "single"} in v.diff


def test_conflicting_numbers_dates_and_titles(ferry: Comparison) -> None:
    by_kind = {(c.kind, tuple(sorted(v.value for v in c.values))) for c in ferry.conflicts}
    assert ("number", ("212", "230")) in by_kind
    assert ("date", ("2024-05-07", "2024-05-08")) in by_kind  # Tuesday vs Wednesday
    assert any(c.kind == "title" and "Erik Sand" in c.slot for c in ferry.conflicts)


def test_entities_merge_short_names_into_full_ones(ferry: Comparison) -> None:
    lind = next(e for e in ferry.entities if e.name == "Nora Lind")
    assert lind.label == "PERSON" and set(lind.articles) == {"a", "b", "c"}
    assert "Lind" in lind.aliases


def test_copies_of_one_original_are_one_source() -> None:
    text = ("The Kessel dam on the Arno river will be closed for repairs from June 3, the water "
            "authority said on Monday.")
    arts = [_art("orig", 6, text), _art("copy", 6, text),
            _art("other", 7, "Engineers found cracks in the Kessel dam on the Arno river last "
                            "winter, the water authority said.")]
    alone = compare_story(arts)
    claim = next(c for c in alone.claims if "closed for repairs" in c.text)
    assert claim.support == ["orig", "copy"] and not claim.single_source
    derived = compare_story(arts, {"copy": "orig", "orig": None, "other": None})
    claim = next(c for c in derived.claims if "closed for repairs" in c.text)
    assert claim.single_source and claim.sources == 1


def _claim(comp: Comparison, article: str, words: str):
    return next(c for c in comp.claims if c.article == article and words in c.text)


def test_an_independent_partial_restatement_supports_the_claim() -> None:
    """The follow-up restates only the walkout's size and day, in a sentence of its own:
    that is a second report of the claim, not a single source."""
    wire = _art("wire", 8, (
        "About 3,200 dockers at the port of Hanla will walk out for 48 hours from Friday in a "
        "row over shift pay, their union said on Wednesday.\n\n"
        "The port handles a fifth of the country's grain exports."))
    local = _art("local", 9, (
        "Shipping agents in Hanla are rerouting cargo ahead of the strike.\n\n"
        "About 3,200 dockers are expected to join the walkout on Friday, the union said."))
    comp = compare_story([wire, local], {"wire": None, "local": None})
    claim = _claim(comp, "wire", "3,200 dockers")
    assert claim.support == ["wire", "local"] and not claim.single_source
    assert claim.sources == 2


def test_a_shared_day_and_topic_word_is_not_support() -> None:
    """Two different things due on the same day, in one story, are two claims."""
    a = _art("a", 8, "Road repairs on the Kessel bypass will finish on Friday, the highways "
                     "agency said on Monday.")
    b = _art("b", 9, "The annual flower show in Kessel will welcome visitors on Friday.")
    comp = compare_story([a, b], {"a": None, "b": None})
    assert _claim(comp, "a", "Road repairs").single_source
    assert _claim(comp, "b", "flower show").single_source


def test_a_restatement_with_another_figure_is_not_support() -> None:
    """The same day and the same words, but another count of homes: a conflict."""
    a = _art("a", 8, "Floods along the Ossel forced 1,800 homes to be evacuated on Tuesday, "
                     "the county council said.")
    b = _art("b", 9, "Some 800 homes along the Ossel were evacuated on Tuesday, the county "
                     "council said.")
    comp = compare_story([a, b], {"a": None, "b": None})
    assert _claim(comp, "a", "1,800 homes").single_source
    assert _claim(comp, "b", "800 homes").single_source


def test_an_item_added_to_a_list_stays_the_claims_own() -> None:
    """"gold and silver" restated as "gold" by an independent outlet: the silver is
    still one source's."""
    a = _art("a", 8, "The Brenna mine produced 40 tonnes of gold and silver last year, the "
                     "company said.")
    b = _art("b", 9, "The Brenna mine produced 40 tonnes of gold last year, according to "
                     "its annual report.")
    comp = compare_story([a, b], {"a": None, "b": None})
    assert _claim(comp, "a", "gold and silver").single_source


def test_the_json_shape_is_the_api(ferry: Comparison) -> None:
    data = json.loads(json.dumps(ferry.to_json()))
    assert set(data) == {"quotes", "claims", "conflicts", "entities"}
    assert {"speaker", "variants"} <= set(data["quotes"][0])
    assert {"article", "text", "kind", "score", "diff"} <= set(data["quotes"][0]["variants"][0])
    assert {"text", "support", "single_source"} <= set(data["claims"][0])
    assert {"slot", "values"} <= set(data["conflicts"][0])
    assert {"value", "articles"} <= set(data["conflicts"][0]["values"][0])
    assert {"name", "label", "count", "articles"} <= set(data["entities"][0])


def test_labelled_stories_score_at_least_nine_in_ten() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_compare import evaluate

    totals = evaluate(FIXTURES, verbose=False)
    for name in ("quotes", "speakers", "variants", "conflicts"):
        score = totals[name]
        assert score.precision >= 0.9 and score.recall >= 0.9, (name, score)


def test_labelled_single_source_badges_are_mostly_right() -> None:
    """"Single source" against the labelled facts (issue 14): at the target of 0.95, now
    that an independent outlet's partial restatement counts as support."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_compare import evaluate

    single = evaluate(FIXTURES, verbose=False)["single"]
    assert single.n_p >= 40 and single.precision >= 0.95 and single.recall >= 0.9, single


# ---- the seeds ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds() -> tuple[Comparison, dict[str, str]]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present in this checkout")
    from storyfold.clean import clean
    from storyfold.ingest import iter_documents

    arts = [clean(doc) for doc in iter_documents([str(SEEDS)])]
    names = {a.id: Path(a.path or "").name[:3] for a in arts}
    return compare_story(arts), names


def test_seeds_the_vassal_quote_is_grouped_and_altered(seeds) -> None:
    comp, names = seeds
    g = _group(comp, "vassal")
    kinds = {names[v.article]: v.kind for v in g.variants}
    assert kinds == {"001": "verbatim", "004": "altered"}
    assert "France values the path" in g.variants[0].text
    assert "This is the path for your country" in g.variants[1].text
    assert g.speaker == "Emmanuel Macron"


def test_seeds_neighbours_friends_and_allies_differ_in_punctuation_only(seeds) -> None:
    comp, names = seeds
    g = _group(comp, "neighbours, friends")
    assert {names[v.article]: v.kind for v in g.variants} == {"001": "verbatim",
                                                             "004": "punctuation"}
    assert g.speaker == "Sergei Lavrov"


def test_seeds_single_source_claims(seeds) -> None:
    comp, names = seeds
    uranium = next(c for c in comp.claims if "uranium" in c.text)
    assert [names[a] for a in uranium.support] == ["000"] and uranium.single_source
    peskov = [c for c in comp.claims if "Peskov" in c.text]
    assert peskov and all(c.single_source and [names[a] for a in c.support] == ["001"]
                          for c in peskov)
    assert any(not c.single_source for c in comp.claims)


def test_seeds_arrival_date_conflict(seeds) -> None:
    comp, names = seeds
    [arrival] = [c for c in comp.conflicts if c.kind == "date" and "arrive" in c.slot]
    values = {v.value: sorted(names[a] for a in v.articles) for v in arrival.values}
    assert values["2023-11-08"] == ["000"]
    assert "004" in values["2023-11-01"]


# ---- the article cache --------------------------------------------------------------------------
def _labelled_stories() -> list[tuple[list[Article], dict[str, str | None]]]:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_compare import load_story

    return [load_story(p)[:2] for p in sorted(FIXTURES.glob("*.json"))]


def test_two_threads_through_one_cache_give_what_one_thread_gives() -> None:
    stories = _labelled_stories()
    alone = [compare_story(arts, derived).to_json() for arts, derived in stories]
    cache = AnalysisCache()
    start = threading.Barrier(2)
    results: dict[str, list[dict]] = {}
    errors: list[BaseException] = []

    def work(name: str, order: list[int]) -> None:
        try:
            start.wait()
            out = {k: compare_story(*stories[k], cache=cache).to_json() for k in order}
            results[name] = [out[k] for k in range(len(stories))]
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    ks = list(range(len(stories)))
    threads = [threading.Thread(target=work, args=("forward", ks)),
               threading.Thread(target=work, args=("backward", ks[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results["forward"] == alone and results["backward"] == alone
    assert len(cache) == sum(len(arts) for arts, _ in stories)


def test_the_article_cache_is_bounded_and_keeps_the_recently_used() -> None:
    arts = [_art(f"a{i}", 9, f"Nora Lind said the ferry {i} ran aground off Tolva.")
            for i in range(3)]
    cache = AnalysisCache(size=2)
    first = analyze_articles(arts[:2], cache)
    assert analyze_articles(arts[:1], cache)[0] is first[0]  # a0 read again from the cache
    analyze_articles(arts[2:], cache)  # a2 joins: a1, the least recently used, goes
    assert len(cache) == 2
    assert cache.get(article_key(arts[0])) is first[0]
    assert cache.get(article_key(arts[1])) is None
    assert cache.get(article_key(arts[2])) is not None
