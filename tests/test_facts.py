"""Numbers, dates (relative ones resolved against the article's date) and claim sentences."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyfold.analyze.dates import date_range
from storyfold.analyze.entities import alias_map, annotate
from storyfold.analyze.facts import Facts, extract_facts
from storyfold.model import Article

FRIDAY = datetime(2023, 11, 10, tzinfo=UTC)  # a Friday


def _facts(text: str, published: datetime | None = FRIDAY) -> Facts:
    art = Article(id="a1", source="t", url=None, title=None, text=text, published=published)
    ann = annotate([text])[0]
    return extract_facts(art, ann.mentions, alias_map([(m.name, m.label) for m in ann.mentions]),
                         ann.tags)


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("arrived on Wednesday", "2023-11-08"),  # most recent Wednesday before Friday
        ("arrived on Friday", "2023-11-10"),  # the article's own day
        ("arrived last Friday", "2023-11-03"),
        ("arrived today", "2023-11-10"),
        ("arrived yesterday", "2023-11-09"),
        ("arrived last week", "2023-10-30/2023-11-05"),
        ("arrived two days ago", "2023-11-08"),
        ("arrived on Nov 1", "2023-11-01"),  # the year the article implies
        ("arrived on 1 November 2021", "2021-11-01"),
        ("arrived on November 1, 2021", "2021-11-01"),
        ("will arrive on Monday", "2023-11-13"),  # the future looks forward
    ],
)
def test_dates_resolve_against_the_article_date(phrase: str, value: str) -> None:
    [d] = _facts(f"Health Minister Rosa Lind {phrase}.").dates
    assert d.value == value


def test_a_relative_date_without_an_article_date_stays_unresolved() -> None:
    [d] = _facts("Minister Rosa Lind arrived on Wednesday.", published=None).dates
    assert d.value is None and d.relative


def test_a_date_knows_the_event_and_subject_it_dates() -> None:
    [d] = _facts("French President Emmanuel Macron arrived in Kazakhstan on Wednesday.").dates
    assert (d.event, d.subject) == ("arrive", "Emmanuel Macron")
    assert date_range("2023-10-30/2023-11-05")[1].isoformat() == "2023-11-05"


def test_numbers_with_what_they_count() -> None:
    facts = _facts(
        "A magnitude 7.1 earthquake struck on Friday, killing at least 14 people. "
        "The company agreed to buy its rival for $2.5 billion. Turnout was 42 percent."
    )
    got = {(n.value, n.unit) for n in facts.numbers}
    assert {(7.1, "magnitude"), (14.0, "people"), (2.5e9, "USD"), (42.0, "percent")} <= got
    killed = next(n for n in facts.numbers if n.unit == "people")
    assert killed.approx == "at least" and killed.about == "people (killing)"
    turnout = next(n for n in facts.numbers if n.unit == "percent")
    assert turnout.about == "percent (turnout)"


def test_the_same_count_phrased_two_ways_fills_one_slot() -> None:
    a = _facts("Storm Ada killed 12 people on Monday.").numbers
    b = _facts("At least 14 people died as Storm Ada hit the coast.").numbers
    assert a[0].slot == b[0].slot


def test_years_and_dateline_days_are_not_counts() -> None:
    text = "LYON, Nov 9 — The bridge, built in 1968, carries 40,000 cars a day."
    facts = _facts(text)
    assert [n.value for n in facts.numbers] == [40000.0]
    assert [d.text for d in facts.dates] == ["in 1968"]


def test_claims_are_fact_bearing_sentences_not_quotes_or_boilerplate() -> None:
    text = (
        "Rescue chief Kwame Boateng said 30 buildings had collapsed in Ostrin on Tuesday.\n\n"
        "“We are still searching for people trapped under the rubble and we will not stop.”\n\n"
        "Subscribe to our newsletter for the latest updates from Ostrin every day.\n\n"
        "It was a sad day."
    )
    claims = [c.text for c in _facts(text).claims]
    assert claims == ["Rescue chief Kwame Boateng said 30 buildings had collapsed in Ostrin on "
                      "Tuesday."]
