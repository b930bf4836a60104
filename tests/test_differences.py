"""Differences a reader can trust (issue 14): figures and dates compared across aligned
sentences, restatements that agree left alone, aliases resolved before comparing, conflicts
shown with their sentences, support counted in independent reporting lines, and the
original found from the text when the dates carry no time of day.

Every story here is written for the test; the labelled stories in fixtures/compare are
scored as a whole in test_compare.py and bench/bench_compare.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storyfold.analyze.compare import Comparison, compare_story
from storyfold.analyze.dates import find_dates
from storyfold.analyze.entities import alias_map
from storyfold.analyze.numbers import find_numbers
from storyfold.analyze.support import support_label
from storyfold.model import Article, Link
from storyfold.provenance.content import coverage, source_evidence, specifics, story_specifics
from storyfold.provenance.roles import choose_original, derive, original_choice
from storyfold.settings import DEFAULTS


def _art(aid: str, day: int, text: str, month: int = 3) -> Article:
    """An article of 2025 (12 March 2025 is a Wednesday)."""
    return Article(id=aid, source=aid, url=None, title=None, text=text,
                   published=datetime(2025, month, day, tzinfo=UTC))


def _numbers(comp: Comparison) -> list[set[str]]:
    return [{v.value for v in c.values} for c in comp.conflicts if c.kind == "number"]


def _dates(comp: Comparison) -> list[set[str]]:
    return [{v.value for v in c.values} for c in comp.conflicts if c.kind == "date"]


# ---- reading figures and dates ---------------------------------------------------------------
def test_number_words_inside_other_words_are_no_figures() -> None:
    found = find_numbers(_art("a", 12, "Freight trains often carry someone's parcels for 9 "
                                       "companies."))
    assert [(n.value, n.unit) for n in found] == [(9.0, "companies")]


def test_a_money_scale_written_onto_the_digits_is_read() -> None:
    [fee] = find_numbers(_art("a", 12, "The club paid £45m for the striker."))
    assert (fee.value, fee.unit) == (45_000_000.0, "GBP")


def test_a_future_weekday_points_forward() -> None:
    a = _art("a", 12, "Letters would go out to every patient by Friday. The bridge closes on "
                      "Monday. The ministry said on Monday that it would act.")
    values = {d.text: d.value for d in find_dates(a)}
    assert values["by Friday"] == "2025-03-14"  # the Friday after Wednesday 12 March
    assert values["on Monday"] in {"2025-03-17", "2025-03-10"}
    said = [d for d in find_dates(a) if "ministry" in d.sentence]
    assert [d.value for d in said] == ["2025-03-10"]  # a cue after the date does not count
    closes = [d for d in find_dates(a) if "closes" in d.sentence]
    assert [d.value for d in closes] == ["2025-03-17"]


# ---- conflicts across aligned sentences --------------------------------------------------------
def test_a_changed_figure_in_a_paraphrase_is_a_conflict_with_its_sentences() -> None:
    a = _art("a", 12, "Records of about 120,000 patients were exposed in a cyber attack on the "
                      "Hollin Health Trust, the trust said.")
    b = _art("b", 12, "The personal details of 210,000 patients were exposed when hackers "
                      "attacked the Hollin Health Trust.")
    comp = compare_story([a, b], {"b": "a"})
    [c] = [c for c in comp.conflicts if c.kind == "number"]
    assert {v.value for v in c.values} == {"120000", "210000"}
    assert "patient" in c.label and c.label != c.slot or "patient" in c.label
    shown = {v.value: v.sentences[0] for v in c.values}
    ev = shown["210000"]
    assert ev["article"] == "b" and "210,000" in ev["sentence"]
    start, end = ev["marks"][0]
    assert ev["sentence"][start:end] == "210,000"


def test_a_reworded_sentence_between_two_aligned_ones_is_compared_by_its_place() -> None:
    # the middle sentences share no word, but each lies between the same two aligned pairs
    a = _art("a", 9, "Clara Ostberg won 28,400 votes in Sunday's Orrin mayoral election. "
                     "Ostberg will be sworn in for a second term on Friday. "
                     "Turnout in the Orrin election was 61%, officials said.", month=6)
    b = _art("b", 9, "Clara Ostberg won the Orrin mayoral election on Sunday with 28,400 votes. "
                     "She will take the oath of office on Thursday. "
                     "Officials put turnout in the Orrin election at 61%.", month=6)
    assert _dates(compare_story([a, b], {"b": "a"})) == [{"2025-06-13", "2025-06-12"}]


def test_an_unqualified_amount_of_money_is_compared() -> None:
    a = _art("a", 6, "The repairs to the Dunmere Bridge are expected to cost $2.1 billion, the "
                     "most in the region's history.")
    b = _art("b", 6, "The repairs to the Dunmere Bridge are expected to cost $2.4 billion, the "
                     "most in the region's history.")
    assert _numbers(compare_story([a, b], {"b": "a"})) == [{"2.1e+09", "2.4e+09"}]


def test_restatements_that_agree_are_no_conflict() -> None:
    a = _art("a", 12, "The plant was shut for 72 hours while inspectors checked it. Only 7% of "
                      "the corals at Kestrel showed no bleaching. The team examined between 60 "
                      "and 70 sites along the Kestrel reef. About 40,000 vehicles cross the "
                      "Dunmere bridge each day.")
    b = _art("b", 12, "The plant was shut for three days while inspectors checked it. Some 93% "
                      "of the corals at Kestrel showed bleaching. The team examined 64 sites "
                      "along the Kestrel reef. Nearly 40,000 vehicles cross the Dunmere bridge "
                      "each day.")
    assert compare_story([a, b], {"b": "a"}).conflicts == []


def test_one_shifted_weekday_is_one_conflict_and_a_restoration_is_no_value() -> None:
    a = _art("a", 17, "Storm Sorrel struck the west coast on Thursday, killing three people. "
                      "LundRail cancelled all services on Thursday.", month=1)
    b = _art("b", 18, "Three people died when Storm Sorrel struck the west coast on Wednesday. "
                      "LundRail cancelled all services on Wednesday. LundRail restored services "
                      "on Saturday after engineers cleared the lines.", month=1)
    assert _dates(compare_story([a, b], {"b": "a"})) == [{"2025-01-16", "2025-01-15"}]


def test_counts_of_two_different_people_do_not_conflict() -> None:
    a = _art("a", 14, "Rhea Lomax won 34 votes in the council ballot. Tobias Wren won 27 votes "
                      "in the council ballot.", month=4)
    b = _art("b", 15, "Tobias Wren won 27 votes in the council ballot, the clerk said.", month=4)
    assert _numbers(compare_story([a, b])) == []


# ---- aliases before comparing ------------------------------------------------------------------
def test_a_form_of_address_and_a_cut_surname_resolve_to_the_full_name() -> None:
    aliases = alias_map([("Prof Hughes", "PERSON"), ("Terry Hughes", "PERSON"),
                         ("Kevin Raul", "PERSON"), ("Kevin Raul Chango-Alverez", "PERSON")])
    assert aliases["Prof Hughes"] == "Terry Hughes"
    assert aliases["Kevin Raul"] == "Kevin Raul Chango-Alverez"


def test_speakers_and_titles_that_are_aliases_do_not_conflict() -> None:
    a = _art("a", 2, "Ashby chief executive Marta Quill said the deal took three weeks. "
                     "“This is the club I wanted to join,” Kevin Raul Chango-Alverez said.",
             month=7)
    b = _art("b", 2, "Ashby CEO Marta Quill said the deal took three weeks. “This is the club "
                     "I wanted to join,” said Kevin Raul.", month=7)
    kinds = {c.kind for c in compare_story([a, b], {"b": "a"}).conflicts}
    assert not kinds & {"title", "speaker", "name"}


# ---- support in independent reporting lines ----------------------------------------------------
def test_support_is_counted_in_independent_reporting_lines() -> None:
    assert support_label(2, 5) == "2 independent reports (5 articles)"
    assert support_label(1, 3) == "1 report (3 articles)"
    assert support_label(1, 1) == "1 article"


def test_an_independent_report_of_a_claim_makes_it_more_than_single_source() -> None:
    a = _art("a", 12, "Records of about 120,000 Hollin Health Trust patients were exposed in a "
                      "cyber attack, the trust said on Wednesday.")
    b = _art("b", 12, "The records of 120,000 Hollin Health Trust patients were exposed in "
                      "the attack.")
    c = _art("c", 13, "Around 120,000 Hollin Health Trust patients were affected by the attack, "
                      "the trust confirmed.")
    comp = compare_story([a, b, c], {"b": "a", "c": None})
    claim = next(cl for cl in comp.claims if cl.article == "a")
    assert "c" in claim.support and not claim.single_source
    assert claim.sources == 2 and claim.support_label.startswith("2 independent reports")
    only_copies = compare_story([a, b], {"b": "a"})
    first = next(cl for cl in only_copies.claims if cl.article == "a")
    assert first.single_source and first.support_label == "1 report (2 articles)"


# ---- provenance from the text ------------------------------------------------------------------
def test_specifics_are_figures_and_names_inside_sentences() -> None:
    got = specifics("The Hollin Health Trust said 120,000 patients were hit. On Monday, "
                    "Okoro-Lindqvist spoke.")
    assert {"hollin", "health", "trust", "120000", "okoro-lindqvist"} <= got
    assert "monday" not in got and "the" not in got


def test_the_source_holds_what_its_rewrites_kept() -> None:
    original = specifics("Dana Okoro of the Hollin trust said 120,000 patients in Ledsham and "
                         "Carrow were hit, and £3.5 million was spent.")
    rewrite = specifics("The trust said 120,000 patients were hit in Ledsham.")
    assert coverage(original, [rewrite]) > coverage(rewrite, [original])


def test_same_day_members_are_ordered_by_content_when_no_time_is_given() -> None:
    day = datetime(2025, 3, 12, tzinfo=UTC)
    text = ("Dana Okoro of the Hollin Health Trust said 120,000 patients in Ledsham and Carrow "
            "were affected, and that Calder Lane would investigate at a cost of £3.5 million.")
    rewrite_1 = "The Hollin Health Trust said 120,000 patients were affected in Ledsham."
    rewrite_2 = "Dana Okoro said patients in Carrow were affected and Calder Lane would look."
    arts = [Article(id=i, source=i, url=None, title=None, text=t, published=day)
            for i, t in (("r1", rewrite_1), ("orig", text), ("r2", rewrite_2))]
    links = [Link("orig", "r1", "rewrite", 0.8), Link("orig", "r2", "rewrite", 0.8),
             Link("r1", "r2", "rewrite", 0.8)]
    assert choose_original(arts, links).id == "orig"


def _same_day(*texts: tuple[str, str]) -> list[Article]:
    day = datetime(2025, 3, 12, tzinfo=UTC)
    return [Article(id=i, source=i, url=None, title=None, text=t, published=day)
            for i, t in texts]


def test_a_rewrite_that_kept_everything_and_added_names_is_not_the_source() -> None:
    # the LLM-style rewrite holds all of the source's details and adds names of its own; the
    # three other rewrites kept most of the source's, none of the additions
    source = ("Dana Okoro of the Hollin Health Trust said 120,000 patients in Ledsham and "
              "Carrow were affected, and Calder Lane would review it at a cost of £3.5 million.")
    expanded = ("In a statement, Dana Okoro of the Hollin Health Trust, speaking for Minister "
                "Elsa Varga and the Brennor Board, said 120,000 patients in Ledsham and Carrow "
                "were affected, and Calder Lane would review it at a cost of £3.5 million.")
    short_1 = ("Dana Okoro of the Hollin Health Trust said 120,000 patients in Ledsham and "
               "Carrow were affected.")
    short_2 = ("Dana Okoro of the Hollin Health Trust said patients were affected and Calder "
               "Lane would review it at a cost of £3.5 million.")
    short_3 = ("Dana Okoro said 120,000 patients in Ledsham and Carrow were affected and "
               "Calder Lane would review it at a cost of £3.5 million.")
    arts = _same_day(("a-expanded", expanded), ("b-source", source), ("c-short", short_1),
                     ("d-short", short_2), ("e-short", short_3))
    links = [Link(x.id, y.id, "rewrite", 0.8) for i, x in enumerate(arts) for y in arts[i + 1:]]
    assert original_choice(arts, links).article.id == "b-source"
    spec = story_specifics([a.text for a in arts])
    as_root = [source_evidence(spec[i], spec[:i] + spec[i + 1:], 0.03) for i in range(5)]
    assert as_root[1] - as_root[0] > DEFAULTS.provenance.source_margin  # not a near tie


def test_when_the_details_tie_the_plainer_wording_is_the_source() -> None:
    plain = ("Mayor Clara Ostberg said the Orrin bridge would shut for 12 days. She said the "
             "work would cost £4 million and end in May.")
    wordy = ("Mayor Clara Ostberg indicated the Orrin bridge would be closed for 12 days. She "
             "explained the refurbishment would necessitate £4 million and conclude in May.")
    arts = _same_day(("a-wordy", wordy), ("b-plain", plain))
    choice = original_choice(arts, [Link("a-wordy", "b-plain", "rewrite", 0.8)])
    assert choice.article.id == "b-plain"
    assert choice.decided_by == "wording"


def test_a_rewrite_linked_only_to_a_sibling_rewrite_derives_from_their_source() -> None:
    source = ("Dana Okoro of the Hollin Health Trust said 120,000 patients in Ledsham and "
              "Carrow were affected, and Calder Lane would review it at a cost of £3.5 million.")
    sibling = ("The Hollin Health Trust's Dana Okoro said 120,000 patients in Ledsham and "
               "Carrow were hit; Calder Lane will review it for £3.5 million.")
    free = ("Patients in Carrow and Ledsham, 120,000 of them, were hit, said Dana Okoro of the "
            "Hollin Health Trust.")
    arts = _same_day(("a-source", source), ("b-sibling", sibling), ("c-free", free))
    links = [Link("a-source", "b-sibling", "rewrite", 0.8),
             Link("b-sibling", "c-free", "rewrite", 0.6)]
    members = {m.article_id: m for m in derive(arts, links)[0]}
    assert members["a-source"].role == "original"
    assert members["c-free"].derived_from == "a-source"
    assert members["c-free"].evidence["link"]["sibling"] == "b-sibling"
