"""Imports from Miniflux and the Google Reader API, against fixture servers that answer as the
APIs are documented (tests/reader_fixtures.py): pages in order, the cursor kept, a failed
import resumed with nothing lost or stored twice, credentials refused in one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.errors import ReaderError
from storyfold.follow.fetcher import Fetcher
from storyfold.follow.importers import GoogleReader, Miniflux
from storyfold.settings import FetchSettings
from storyfold.store import open_store
from tests.follow_server import serve
from tests.reader_fixtures import FEEDS, GoogleReaderServer, MinifluxServer, articles

runner = CliRunner()
OPEN = {"STORYFOLD_ALLOW_PRIVATE_NETWORKS": "1"}
ITEMS = articles(5)


@pytest.fixture
def fx():
    with serve() as fixture:
        yield fixture


@pytest.fixture
def fetcher():
    with Fetcher(FetchSettings(allow_private_networks=True)) as f:
        yield f


def test_miniflux_entries_are_read_in_pages_after_the_cursor(fx, fetcher) -> None:
    server = MinifluxServer("tok", ITEMS)
    server.install(fx)
    client = Miniflux(fetcher, fx.url("/"), "tok", page=2)
    pages = list(client.pages(None))
    assert [cursor for _, cursor in pages] == ["2", "4", "5"]
    assert server.asked == [0, 2, 4]
    docs = [d for page, _ in pages for d in page]
    assert [d.meta["title"] for d in docs] == [a["title"] for a in ITEMS]
    assert docs[0].meta["source"] == "Lanford Courier" and docs[0].body == ITEMS[0]["text"]
    assert docs[0].meta["url"] == ITEMS[0]["url"] and docs[0].record == "miniflux:1"
    assert list(client.pages("5")) == [] and server.asked[-1] == 5
    assert [s.url for s in client.subscriptions()] == [u for u, _, _ in FEEDS]


def test_miniflux_refuses_a_bad_token_in_one_error(fx, fetcher) -> None:
    MinifluxServer("tok", ITEMS).install(fx)
    with pytest.raises(ReaderError, match="refused the credentials"):
        list(Miniflux(fetcher, fx.url(""), "wrong").pages(None))


def test_google_reader_logs_in_and_follows_continuations(fx, fetcher) -> None:
    server = GoogleReaderServer("ana", "pw", ITEMS)
    server.install(fx)
    client = GoogleReader(fetcher, fx.url("/api/greader.php"), "ana", "pw", page=2)
    pages = list(client.pages(None))
    assert len(pages) == 3 and fx.bodies == [b"Email=ana&Passwd=pw"]  # one login
    docs = [d for page, _ in pages for d in page]
    assert [d.meta["title"] for d in docs] == [a["title"] for a in ITEMS]
    assert docs[0].meta["source"] == "Marrow Herald" and docs[0].meta["url"] == ITEMS[0]["url"]
    assert pages[-1][1] == str(ITEMS[-1]["published"] * 1_000_000)
    again = list(client.pages(pages[-1][1]))  # from the newest second on: only that one
    assert [d.meta["title"] for page, _ in again for d in page] == [ITEMS[-1]["title"]]
    assert [s.title for s in client.subscriptions()] == [t for _, t, _ in FEEDS]
    bad = GoogleReader(fetcher, fx.url("/api/greader.php"), "ana", "nope")
    with pytest.raises(ReaderError, match="login refused"):
        list(bad.pages(None))


def test_cli_miniflux_import_resumes_after_a_failure_without_duplicates(
        fx, db_url: str, embedder) -> None:
    server = MinifluxServer("tok", ITEMS, fail_after=3)
    server.install(fx)
    args = ["import", "miniflux", fx.url(""), "--token", "tok", "--db", db_url]
    env = {**OPEN, "STORYFOLD_MINIFLUX_TOKEN": ""}
    first = runner.invoke(app, args, env=env)  # one page from entry 0: the server answers
    assert first.exit_code == 0, first.output
    assert "added 5 article(s)" in first.output
    store = open_store(db_url)
    try:
        assert store.import_cursor(f"miniflux:{fx.url('')}") == "5"
        assert store.article_count() == 5
    finally:
        store.close()
    server.items = ITEMS + articles(8, seed=11)[:3]  # three more arrive; the server fails
    # on pages after entry 3, so the next import fails on its first page
    failed = runner.invoke(app, args, env=env)
    assert failed.exit_code == 2 and "HTTP 500" in failed.output
    assert "resumes from there" in failed.output
    server.fail_after = None
    done = runner.invoke(app, [*args, "--subscribe"], env=env)
    assert done.exit_code == 0, done.output
    assert "added 3 article(s)" in done.output and "2 new source(s)" in done.output
    assert server.asked == [0, 5, 5]  # each import starts after the last stored entry
    store = open_store(db_url)
    try:
        assert store.article_count() == 8
        assert store.import_cursor(f"miniflux:{fx.url('')}") == "8"
        assert [s.url for s in store.sources()] == [u for u, _, _ in FEEDS]
    finally:
        store.close()


def test_cli_greader_import_and_the_private_network_guard(fx, db_url: str, embedder) -> None:
    GoogleReaderServer("ana", "pw", ITEMS).install(fx)
    args = ["import", "greader", fx.url("/api/greader.php"), "--user", "ana", "--db", db_url]
    refused = runner.invoke(app, args, env={"STORYFOLD_GREADER_PASSWORD": "pw",
                                            "STORYFOLD_ALLOW_PRIVATE_NETWORKS": "0"})
    assert refused.exit_code == 2 and "loopback" in refused.output and fx.requests == []
    got = runner.invoke(app, args, env={**OPEN, "STORYFOLD_GREADER_PASSWORD": "pw"})
    assert got.exit_code == 0, got.output
    assert "added 5 article(s)" in got.output
    again = runner.invoke(app, args, env={**OPEN, "STORYFOLD_GREADER_PASSWORD": "pw"})
    assert "added 0 article(s), 1 already stored" in again.output
