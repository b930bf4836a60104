"""Cleaning: trailers, captions, datelines, credits and dates, with what was removed kept."""

from __future__ import annotations

from datetime import date

from storyfold.clean import article_id, clean, normalize_text
from storyfold.model import RawDocument

LEAD = (
    "Fishermen unload their catch at the harbour in Kestrel Bay, June 3, 2024. — Photo by "
    "Ana Ruiz via Harbor WireKESTREL BAY, Jun 4 — The town council voted on Tuesday to close "
    "the old ferry pier after engineers found cracks in its pilings."
)
BODY = (
    "The pier, built in 1931, carried about 2,000 passengers a day in summer. Council leader "
    "Mara Quist said the decision was painful but unavoidable.\n\n"
    "“We cannot put people on a structure we know is failing,” Quist said."
)
AGGREGATOR_TRAILER = (
    "SIMILAR NEWS:You can also read news stories similar to this one that we have collected.\n\n"
    "BAYTIMES: Storm warning for the coast this weekend\n\nSource: baytimes | Read more ⮕\n\n"
    "OTHERPAPER: Bridge tolls to rise in July\n\nSource: otherpaper | Read more ⮕"
)


def _raw(body: str, **meta) -> RawDocument:
    return RawDocument(path="mem.txt", kind="text", body=body, meta=meta)


def test_aggregator_trailer_is_cut_and_kept_for_audit() -> None:
    a = clean(_raw(f"{LEAD}\n\n{BODY}\n\n{AGGREGATOR_TRAILER}"))
    assert "SIMILAR NEWS" not in a.text and "Read more" not in a.text
    assert "Bridge tolls" not in a.text
    trailer = [r for r in a.removed if r.reason == "trailer"]
    assert trailer and "Bridge tolls" in trailer[0].text


def test_trailing_comments_heading_is_cut_but_the_word_in_prose_is_not() -> None:
    a = clean(_raw(f"{LEAD}\n{BODY}\nReaders left comments on the council page.\nCOMMENTS"))
    assert not a.text.rstrip().endswith("COMMENTS")
    assert "Readers left comments" in a.text


def test_caption_glued_to_the_dateline_is_separated() -> None:
    a = clean(_raw(f"{LEAD}\n\n{BODY}"))
    assert a.text.startswith("KESTREL BAY, Jun 4 —")
    assert a.captions and a.captions[0].startswith("Fishermen unload")
    assert a.dateline == "KESTREL BAY"
    assert ("Harbor Wire", "caption") in {(c.agency, c.where) for c in a.credits}


def test_caption_on_its_own_line_is_separated_and_dates_the_article() -> None:
    caption = ("Council leader Mara Quist speaks in Kestrel Bay, June 4, 2024. "
               "Photo: Ana Ruiz/Harbor Wire")
    a = clean(_raw(f"{caption}\nThe town council has voted to close the old ferry pier.\n{BODY}"))
    assert a.captions == [caption]
    assert a.published is not None and a.published.date() == date(2024, 6, 4)
    assert a.published_from == "caption"


def test_header_date_beats_everything_and_says_where_it_came_from() -> None:
    a = clean(_raw(f"{LEAD}\n{BODY}", date="2024-06-04", date_from="header"))
    assert a.published.date() == date(2024, 6, 4) and a.published_from == "header"


def test_dateline_wire_credit_in_parentheses() -> None:
    a = clean(_raw("OSLO, March 2 (Reuters) - Norway's central bank held rates on Thursday, "
                   "it said in a statement, citing easing inflation and a weaker krone."))
    assert a.dateline == "OSLO"
    assert ("Reuters", "dateline") in {(c.agency, c.where) for c in a.credits}


def test_boilerplate_lines_inside_the_body_are_dropped() -> None:
    a = clean(_raw(f"{LEAD}\nAdvertisement\n{BODY}"))
    assert "Advertisement" not in a.text
    assert any(r.reason == "boilerplate" for r in a.removed)


def test_identity_ignores_case_spacing_and_quote_style_but_not_source() -> None:
    assert normalize_text("“Hello,”  World") == normalize_text('"hello," world')
    assert article_id("Same text", "a.example") == article_id("same  TEXT", "a.example")
    assert article_id("Same text", "a.example") != article_id("Same text", "b.example")
