"""Direct quotations: what counts as one, where it is, and who said it."""

from __future__ import annotations

from datetime import UTC, datetime

from storyfold.analyze.quotes import Quote, find_quotes
from storyfold.model import Article


def _article(text: str, aid: str = "a1") -> Article:
    return Article(id=aid, source="test", url=None, title=None, text=text,
                   published=datetime(2024, 3, 14, tzinfo=UTC))


def _quotes(text: str) -> list[Quote]:
    return find_quotes(_article(text))


def test_a_quote_split_around_he_said_is_one_utterance() -> None:
    text = ("Harbour master Lena Dahl inspected the pier. “We will rebuild the pier,” she said, "
            "“and it will be stronger than before.”")
    [q] = _quotes(text)
    assert q.text == "We will rebuild the pier and it will be stronger than before."
    assert q.speaker == "Lena Dahl"
    assert len(q.parts) == 2
    assert text[q.parts[0][0] : q.parts[0][1]] == "We will rebuild the pier,"


def test_span_points_at_the_quoted_words_in_the_article() -> None:
    text = "The council met on Monday. “Nobody will lose their home,” said Mayor Ana Ruiz."
    [q] = _quotes(text)
    assert text[q.start : q.end] == "Nobody will lose their home,"
    assert q.text == "Nobody will lose their home"


def test_straight_quotes_and_nested_single_quotes() -> None:
    text = ('Farmer Owen Pryce said: "They told us \'stay indoors\' and we did. '
            'Then the water came."')
    [q] = _quotes(text)
    assert q.text == "They told us 'stay indoors' and we did. Then the water came."
    assert q.speaker == "Owen Pryce"
    assert not q.partial


def test_single_quote_marks_are_quotes_where_a_paragraph_uses_no_double_ones() -> None:
    [q] = _quotes("'It was the best night of my life,' said goalkeeper Rui Matos.")
    assert q.text == "It was the best night of my life"
    assert q.speaker == "Rui Matos"


def test_a_fragment_inside_the_reporters_sentence_is_partial() -> None:
    text = ("Foreign Minister Idris Kamara accused the bloc of trying to lure away its "
            "“neighbours, friends and partners” with trade deals.")
    [q] = _quotes(text)
    assert q.partial
    assert q.text == "neighbours, friends and partners"
    assert q.speaker == "Idris Kamara"


def test_explicit_attributions_before_and_after_the_quote() -> None:
    text = (
        "“The bridge is safe,” said engineer Maja Novak.\n\n"
        "Transport chief Piet Claes told reporters: “We will reopen it on Friday.”\n\n"
        "“It was a hard week,” Novak told Claes at the site.\n\n"
        "According to Piet Claes, “traffic will be back to normal by June.”"
    )
    speakers = [q.speaker for q in _quotes(text)]
    assert speakers == ["Maja Novak", "Piet Claes", "Maja Novak", "Piet Claes"]


def test_pronoun_attribution_takes_the_last_person_named_before() -> None:
    text = ("Coach Dario Russo watched from the bench. Later, captain Elin Berg spoke to fans. "
            "“We deserved this,” she said.")
    [q] = _quotes(text)
    assert q.speaker == "Elin Berg"
    assert q.how == "pronoun"


def test_a_title_resolves_to_the_person_who_holds_it() -> None:
    text = ("Finance Minister Carla Benz and central bank governor Tomas Ek met on Monday.\n\n"
            "“Inflation is falling faster than we hoped,” the minister said.")
    [q] = _quotes(text)
    assert q.speaker == "Carla Benz"
    assert q.how == "title"


def test_a_quote_nobody_is_named_for_has_no_speaker() -> None:
    [q] = _quotes("Neighbours described the smoke as “thick enough to chew”.")
    assert q.speaker is None


def test_a_second_quote_without_attribution_continues_the_previous_speaker() -> None:
    text = ("“I do not expect a deal this week,” negotiator Aino Virta said. "
            "“But we are closer than we were.”")
    first, second = _quotes(text)
    assert first.speaker == second.speaker == "Aino Virta"
    assert second.how == "continuation"
