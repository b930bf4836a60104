"""The text toolkit: one splitter with its three boundary rules, tokens, calendar, headlines."""

from __future__ import annotations

import re

from storyfold.text.calendar import CALENDAR_WORDS, MONTHS, month_number, month_pattern
from storyfold.text.headline import clean_title, cut_words, headline_from_sentence
from storyfold.text.numbers import same_value
from storyfold.text.sentences import CONTAINMENT, LEAD, READING, sentence_spans, sentences
from storyfold.text.tokens import tokens, words

TEXT = ('Mr. Lind said: "We follow the path. This is the path." Officials agreed. '
        "U.S. officials met at 7 p.m. Talks went on.\n"
        "A second paragraph without a stop\nand a third one.")


def test_reading_keeps_quotes_and_abbreviations_whole() -> None:
    got = [TEXT[s:e] for s, e in sentence_spans(TEXT)]
    assert got[0] == 'Mr. Lind said: "We follow the path. This is the path."'
    assert "U.S. officials met at 7 p.m." in got and "Talks went on." in got
    assert sentences(TEXT, READING) == got


def test_lead_cuts_at_every_stop_before_a_capital_and_drops_the_closing_mark() -> None:
    got = sentences(TEXT, LEAD)
    assert got[:3] == ["Mr.", 'Lind said: "We follow the path.', "This is the path."]
    assert "A second paragraph without a stop" in got  # a line break always ends one
    assert sentences(TEXT, LEAD, min_words=5, limit=1) == ['Lind said: "We follow the path.']


def test_containment_cuts_after_any_stop_but_not_at_line_breaks() -> None:
    got = sentences(TEXT, CONTAINMENT)
    assert "U.S." in got  # even before a lower-case word
    assert got[-1] == "A second paragraph without a stop\nand a third one."


def test_tokens_for_matching_words_for_reading() -> None:
    assert tokens("Russia's 3.5% rise") == ["russia", "s", "3", "5", "rise"]
    assert words("Russia’s 3.5% rise") == ["russia's", "3.5", "rise"]


def test_one_month_table_behind_patterns_and_word_lists() -> None:
    explicit = re.compile(
        r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
        r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
    derived = re.compile(r"\b" + month_pattern())
    text = "On Sept. 3, Sep 4, September 5, June 1, Jun. 2, May 7 and Mayor Dec (December)."
    assert [m.span() for m in derived.finditer(text)] == [m.span() for m in
                                                          explicit.finditer(text)]
    assert not re.fullmatch(month_pattern(frozenset({"may"})), "May")
    assert month_number("Sept.") == 9 and month_number("december") == 12
    assert {"monday", "sept", "may"} <= CALENDAR_WORDS and set(MONTHS) < CALENDAR_WORDS


def test_numbers_within_tolerance_are_one_value() -> None:
    assert same_value(2_500_000_000, 2_512_000_000, 0.005)
    assert not same_value(14, 12, 0.01)


def test_headlines() -> None:
    assert clean_title("Ferry runs aground off Tolva - Daily Meridian", "Daily Meridian") == (
        "Ferry runs aground off Tolva")
    long = " ".join(f"w{i}" for i in range(20))
    assert cut_words(long.split(), clean_end=False) == " ".join(long.split()[:14]) + "…"
    assert headline_from_sentence("The ferry ran aground on Tuesday, the coastguard said.") == (
        "The ferry ran aground")
