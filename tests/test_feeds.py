"""Reading feeds: every format to the same entries, stable keys, discovery, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyfold.errors import FeedError
from storyfold.follow.feeds import discover_feeds, html_to_text, parse_feed
from tests.follow_feeds import STORIES, atom, home, json_feed, rss091, rss10, rss20, text_of

BASE = "https://news.example"


@pytest.mark.parametrize("build, kind, title", [
    (rss20, "rss20", "Lanford Courier"), (rss091, "rss091u", "Bay Gazette"),
    (rss10, "rss10", "Valley Times"), (atom, "atom10", "Marrow Herald"),
    (json_feed, "json11", "Coast Post"),
])
def test_every_format_gives_the_same_entries(build, kind: str, title: str) -> None:
    feed = parse_feed(build(BASE, STORIES), f"{BASE}/feed")
    assert (feed.kind, feed.title, feed.site_url) == (kind, title, f"{BASE}/")
    assert [e.title for e in feed.entries] == [s["title"] for s in STORIES]
    assert [e.text for e in feed.entries] == [text_of(s) for s in STORIES]
    assert [e.url for e in feed.entries] == [f"{BASE}/news/{s['id']}.html" for s in STORIES]
    assert len({e.key for e in feed.entries}) == 3
    if kind != "rss091u":  # 0.91 has no dates
        assert feed.entries[0].published.startswith("2026-12-01T07:30:00")  # type: ignore[union-attr]


def test_keys_are_ids_then_links_and_stay_the_same_across_reads() -> None:
    assert parse_feed(rss20(BASE, STORIES), BASE).entries[0].key == "courier-ferry"
    assert parse_feed(rss091(BASE, STORIES), BASE).entries[0].key == f"{BASE}/news/ferry.html"
    assert parse_feed(json_feed(BASE, STORIES), BASE).entries[0].key == "coast-ferry"
    bare = ("<rss version='2.0'><channel><title>T</title><item><title>No link</title>"
            "<description>Words without a link or a guid.</description></item></channel></rss>")
    assert parse_feed(bare, BASE).entries[0].key == parse_feed(bare, BASE).entries[0].key


def test_summaries_and_full_content_are_told_apart_and_ttl_is_read() -> None:
    summary = parse_feed(atom(BASE, STORIES, summary=True), BASE).entries[0]
    full = parse_feed(atom(BASE, STORIES), BASE).entries[0]
    assert not summary.has_content and full.has_content
    assert len(summary.text.split()) < 30
    assert parse_feed(rss20(BASE, STORIES, ttl=45), BASE).ttl_minutes == 45.0
    jf = parse_feed(json_feed(BASE, STORIES, summary=True), BASE).entries[0]
    assert not jf.has_content and jf.text


def test_not_feeds_are_one_clear_error() -> None:
    with pytest.raises(FeedError, match="an HTML page"):
        parse_feed("<!doctype html><html><body><p>Hello</p></body></html>", BASE)
    with pytest.raises(FeedError, match="malformed XML|too broken"):
        parse_feed("<?xml version='1.0'?><rss><channel><item><title>Half", BASE)
    with pytest.raises(FeedError, match="jsonfeed.org version"):
        parse_feed(json.dumps({"items": []}), BASE)
    with pytest.raises(FeedError, match="invalid JSON"):
        parse_feed("{not json", BASE)


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile = (f"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file://{secret}'>]>"
               "<rss version='2.0'><channel><title>T &x;</title><item><title>A &x;</title>"
               "<description>Hello &x; world.</description></item></channel></rss>")
    feed = parse_feed(hostile, BASE)
    assert "TOP-SECRET" not in repr(feed)


def test_scripts_and_markup_do_not_reach_the_text() -> None:
    text = html_to_text("<p>One <b>bold</b> line.</p><script>alert(1)</script><p>Two</p>")
    assert text == "One bold line.\n\nTwo"


def test_a_page_announces_its_feeds_with_absolute_urls() -> None:
    page = home([("/rss.xml", "application/rss+xml"), ("atom.xml", "application/atom+xml"),
                 ("/rss.xml", "application/rss+xml"), ("/style.css", "text/css")])
    assert discover_feeds(page, f"{BASE}/section/") == [
        (f"{BASE}/rss.xml", "News"), (f"{BASE}/section/atom.xml", "News")]
    assert discover_feeds("<html><body>nothing</body></html>", BASE) == []
