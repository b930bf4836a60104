"""Stories back out as feeds (Atom and JSON Feed), parsed back with feedparser: one entry per
story, updated when it grows, filtered by outlet or words; one story's own feed."""

from __future__ import annotations

import json

import feedparser
from fastapi.testclient import TestClient

from storyfold.follow.feeds import parse_feed
from storyfold.pipeline import Pipeline
from storyfold.store import open_store
from storyfold.web.app import create_app
from tests.follow_feeds import STORIES, text_of


def _add(db_url: str, embedder, stories: list[dict], source: str) -> None:
    from storyfold.model import RawDocument

    store = open_store(db_url)
    try:
        Pipeline(store, embedder=embedder).add(
            RawDocument(path=f"{source}.txt", kind="text", body=text_of(s),
                        meta={"title": s["title"], "source": source, "date": s["date"],
                              "url": f"https://{source.lower().replace(' ', '')}.example/"
                                     f"{s['id']}"})
            for s in stories)
    finally:
        store.close()


def test_the_story_feed_has_one_entry_per_story_and_changes_when_a_story_grows(
        db_url: str, embedder) -> None:
    _add(db_url, embedder, STORIES, "Lanford Courier")
    with TestClient(create_app(db_url, warm=False)) as client:
        atom = client.get("/feeds/stories.atom")
        assert atom.status_code == 200
        assert atom.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(atom.content)
        assert not parsed.bozo and parsed.version == "atom10"
        assert sorted(e.title for e in parsed.entries) == sorted(s["title"] for s in STORIES)
        ferry = next(e for e in parsed.entries if "ferry" in e.title)
        assert ferry.link.startswith("http://testserver/stories/")
        assert "Lanford Courier" in ferry.summary
        before = {e.id: e.storyfold_version for e in parsed.entries}
        as_json = client.get("/feeds/stories.json")
        assert as_json.headers["content-type"].startswith("application/feed+json")
        feed = parse_feed(as_json.content, "http://testserver/feeds/stories.json")
        assert feed.kind == "json11" and len(feed.entries) == 3
        assert {e.key for e in feed.entries} == set(before)

        _add(db_url, embedder, STORIES[:1], "Bay Gazette")  # a second outlet: the story grows
        grown = feedparser.parse(client.get("/feeds/stories.atom").content)
        assert len(grown.entries) == 3  # still one entry per story, not one per copy
        after = {e.id: e.storyfold_version for e in grown.entries}
        changed = [i for i in after if after[i] != before.get(i)]
        assert changed == [ferry.id]
        entry = next(e for e in grown.entries if e.id == ferry.id)
        assert "Bay Gazette" in entry.summary and "2 article(s)" in entry.summary

        by_outlet = feedparser.parse(client.get("/feeds/stories.atom",
                                                params={"source": "Bay Gazette"}).content)
        assert [e.id for e in by_outlet.entries] == [ferry.id]
        by_words = json.loads(client.get("/feeds/stories.json",
                                         params={"q": "orchards apple"}).content)
        assert [i["title"] for i in by_words["items"]] == [STORIES[1]["title"]]

        sid = ferry.id.rsplit("/", 1)[-1]
        one = feedparser.parse(client.get(f"/feeds/stories/{sid}.atom").content)
        assert not one.bozo and len(one.entries) == 2
        assert {e.author for e in one.entries} == {"Lanford Courier", "Bay Gazette"}
        assert "Amalia Renner" in one.entries[0].content[0].value
        one_json = parse_feed(client.get(f"/feeds/stories/{sid}.json").content, "x")
        assert len(one_json.entries) == 2
        assert client.get("/feeds/stories/never-was.atom").status_code == 404


def test_markup_in_articles_stays_text_in_the_feed(db_url: str, embedder) -> None:
    hostile = {"id": "h", "title": "Council <script>alert(1)</script> harbour note",
               "date": "2026-12-01T10:00:00Z",
               "text": ["The council said <img src=x onerror=alert(2)> nothing at all about "
                        "the harbour bridge on Tuesday, the Hostile Gazette reported today."]}
    _add(db_url, embedder, [hostile], "Hostile Gazette")
    with TestClient(create_app(db_url, warm=False)) as client:
        body = client.get("/feeds/stories.atom").text
    assert "<script>" not in body and "&lt;script&gt;" in body
    parsed = feedparser.parse(body)
    assert not parsed.bozo and len(parsed.entries) == 1


def test_the_sources_page_shows_each_sources_health(db_url: str) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    store = open_store(db_url)
    ok, _ = store.add_source("https://courier.example/rss", "Lanford Courier")
    bad, _ = store.add_source("https://broken.example/feed", "<b>Broken</b> Feed")
    gone, _ = store.add_source("https://gone.example/feed")
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    with store.transaction():
        store.update_source(replace(ok, last_fetch=now, last_status="ok",
                                    next_fetch=now + timedelta(minutes=30)))
        store.update_source(replace(bad, last_fetch=now, last_status="http 503", failures=2,
                                    last_error="HTTP 503 <script>x</script>",
                                    next_fetch=now + timedelta(minutes=20)))
        store.update_source(replace(gone, last_fetch=now, last_status="http 410",
                                    disabled="410 Gone on 2026-12-02: the feed is no more"))
    store.close()
    with TestClient(create_app(db_url, warm=False)) as client:
        page = client.get("/sources")
        home = client.get("/").text
    assert page.status_code == 200
    html = page.text
    assert "health-ok" in html and "health-failing" in html and "health-disabled" in html
    assert "2 error(s) in a row" in html and "410 Gone" in html
    assert "<script>x" not in html and "&lt;b&gt;Broken" in html
    assert 'href="/sources"' in home and 'type="application/atom+xml"' in home
