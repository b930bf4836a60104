"""The follow commands end to end: `sources add|import-opml|list|remove`, `watch --once`,
`fetch`, and `watch` killed with SIGKILL then restarted (a real process)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.store import open_store
from tests.follow_feeds import STORIES, atom, home, opml, page, rss20
from tests.follow_server import serve
from tests.test_crash import _generate

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
OPEN = {"STORYFOLD_ALLOW_PRIVATE_NETWORKS": "1"}


@pytest.fixture
def fx():
    with serve() as fixture:
        yield fixture


def sources(db: str) -> list[dict]:
    got = runner.invoke(app, ["sources", "list", "--db", db, "--json"], env=OPEN)
    assert got.exit_code == 0, got.output
    return json.loads(got.stdout)["sources"]


def test_a_home_page_adds_the_feeds_it_announces(fx, db_url: str) -> None:
    base = fx.url("")
    fx.static("/", home([("/rss.xml", "application/rss+xml"), ("/atom.xml",
                                                                "application/atom+xml"),
                         ("/gone.xml", "application/rss+xml")]))
    fx.static("/rss.xml", rss20(base, STORIES), ctype="application/rss+xml")
    fx.static("/atom.xml", atom(base, STORIES), ctype="application/atom+xml")
    got = runner.invoke(app, ["sources", "add", fx.url("/"), "--db", db_url], env=OPEN)
    assert got.exit_code == 0, got.output
    listed = sources(db_url)
    assert [(s["url"], s["title"]) for s in listed] == [
        (fx.url("/rss.xml"), "Lanford Courier"), (fx.url("/atom.xml"), "Marrow Herald")]
    assert listed[0]["status"] is None and listed[0]["articles"] == 0
    again = runner.invoke(app, ["sources", "add", fx.url("/rss.xml"), "--db", db_url], env=OPEN)
    assert again.exit_code == 0 and "already followed" in again.output
    assert len(sources(db_url)) == 2


def test_without_the_setting_a_loopback_source_is_refused_in_one_line(fx, db_url: str,
                                                                      tmp_path) -> None:
    fx.static("/rss.xml", rss20(fx.url(""), STORIES), ctype="application/rss+xml")
    got = runner.invoke(app, ["sources", "add", fx.url("/rss.xml"), "--db", db_url],
                        env={"STORYFOLD_ALLOW_PRIVATE_NETWORKS": "0"})
    assert got.exit_code == 1
    lines = [line for line in got.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "loopback" in lines[0] and "ALLOW_PRIVATE_NETWORKS" in lines[0]
    assert sources(db_url) == [] and fx.requests == []


def test_a_page_that_is_not_a_feed_is_one_error_and_adds_nothing(fx, db_url: str) -> None:
    fx.static("/plain", "<!doctype html><html><body><p>No feeds here.</p></body></html>")
    got = runner.invoke(app, ["sources", "add", fx.url("/plain"), "--db", db_url], env=OPEN)
    assert got.exit_code == 1 and "announces no feed" in got.output
    assert sources(db_url) == []


def test_opml_subscriptions_are_imported_without_entities(tmp_path, db_url: str) -> None:
    f = tmp_path / "subs.opml"
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-read")
    text = opml([("https://a.example/feed", "A"), ("https://b.example/rss", "B & Co")])
    text = text.replace("<?xml version='1.0'?>", "<?xml version='1.0'?><!DOCTYPE opml "
                        f"[<!ENTITY x SYSTEM 'file://{secret}'>]>").replace(
        "<title>subs</title>", "<title>&x;</title>")
    f.write_text(text)
    got = runner.invoke(app, ["sources", "import-opml", str(f), "--db", db_url])
    assert got.exit_code == 0, got.output
    assert "2 added" in got.output and "do-not-read" not in got.output
    assert [(s["url"], s["title"]) for s in sources(db_url)] == [
        ("https://a.example/feed", "A"), ("https://b.example/rss", "B & Co")]
    again = runner.invoke(app, ["sources", "import-opml", str(f), "--db", db_url])
    assert "0 added, 2 already followed" in again.output
    removed = runner.invoke(app, ["sources", "remove", "https://a.example/feed", "9", "--db",
                                  db_url])
    assert removed.exit_code == 1 and "no source 9" in removed.output
    assert [s["url"] for s in sources(db_url)] == ["https://b.example/rss"]


def test_watch_once_prints_one_json_line_per_event(fx, db_url: str, embedder) -> None:
    fx.static("/rss.xml", rss20(fx.url(""), STORIES), ctype="application/rss+xml")
    store = open_store(db_url)
    store.add_source(fx.url("/rss.xml"))
    store.close()
    got = runner.invoke(app, ["watch", "--once", "--db", db_url], env=OPEN)
    assert got.exit_code == 0, got.output
    events = [json.loads(line) for line in got.stdout.splitlines() if line.strip()]
    assert [e["event"] for e in events] == ["poll", "batch", "stop"]
    assert events[0]["url"] == fx.url("/rss.xml") and events[0]["new_entries"] == 3
    assert events[-1]["added"] == 3
    listed = sources(db_url)[0]
    assert listed["articles"] == 3 and listed["status"] == "ok" and listed["next_fetch"]


def test_fetch_stores_pages_and_a_refused_fetch_stores_nothing(fx, tmp_path, embedder) -> None:
    for s in STORIES:
        fx.static(f"/news/{s['id']}.html", page(s))
    db = tmp_path / "fetch.db"
    refused = runner.invoke(app, ["fetch", fx.url("/news/ferry.html"), "--db", str(db)],
                            env={"STORYFOLD_ALLOW_PRIVATE_NETWORKS": "0"})
    assert refused.exit_code == 1 and "loopback" in refused.output and not db.exists()
    got = runner.invoke(app, ["fetch", *(fx.url(f"/news/{s['id']}.html") for s in STORIES),
                              fx.url("/missing"), "--db", str(db), "--json"], env=OPEN)
    assert got.exit_code == 0, got.output
    assert "HTTP 404" in got.output and "added 3 article(s)" in got.output
    store = open_store(f"sqlite:///{db}")
    try:
        assert store.article_count() == 3
    finally:
        store.close()


# ---- kill -9 during watch ---------------------------------------------------------------
N_FEEDS, PER_FEED = 4, 8


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_watch_killed_with_sigkill_then_restarted_loses_and_duplicates_nothing(
        fx, tmp_path) -> None:
    texts: dict[str, dict] = {}  # the corpus has exact copies: keep one of each text
    for r in _generate(3 * N_FEEDS * PER_FEED, seed=29):
        texts.setdefault(" ".join(str(r["text"]).split()[:90]), r)
    records = list(texts.values())[: N_FEEDS * PER_FEED]
    base = fx.url("")
    for n in range(N_FEEDS):
        items = [{"id": f"{n}-{i}", "title": str(r["title"]), "date": "2026-12-01T08:00:00Z",
                  "text": [" ".join(str(r["text"]).split()[:90])]}
                 for i, r in enumerate(records[n * PER_FEED:(n + 1) * PER_FEED])]
        fx.static(f"/feed{n}.xml", rss20(base, items, title=f"Outlet {n}"),
                  ctype="application/rss+xml")
    db = tmp_path / "watch.db"
    store = open_store(f"sqlite:///{db}")
    for n in range(N_FEEDS):
        store.add_source(fx.url(f"/feed{n}.xml"))
    store.close()
    env = {**os.environ, **OPEN, "STORYFOLD_WATCH__BATCH": "6", "STORYFOLD_PLACE__CHUNK": "4",
           "STORYFOLD_WATCH__HOST_DELAY_S": "0",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "storyfold.cli", "watch", "--once", "--db", str(db)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and _stored(db) < 8:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    assert _stored(db) < N_FEEDS * PER_FEED, "the run ended before it could be killed"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    store = open_store(f"sqlite:///{db}")
    try:
        assert store.article_count() == N_FEEDS * PER_FEED
        assert [s.articles for s in store.sources()] == [PER_FEED] * N_FEEDS
        assert all(s.last_status == "ok" for s in store.sources())
        assert store.pending() == set()
    finally:
        store.close()


def test_sigterm_finishes_the_batch_and_exits_cleanly(fx, tmp_path) -> None:
    fx.static("/rss.xml", rss20(fx.url(""), STORIES), ctype="application/rss+xml")
    db = tmp_path / "term.db"
    store = open_store(f"sqlite:///{db}")
    store.add_source(fx.url("/rss.xml"))
    store.close()
    env = {**os.environ, **OPEN, "STORYFOLD_WATCH__IDLE_S": "0.2",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "storyfold.cli", "watch", "--db", str(db)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the poll: the batch it starts is under way
    assert json.loads(first)["event"] == "poll"
    proc.send_signal(signal.SIGTERM)
    rest, errors = proc.communicate(timeout=300)
    assert proc.returncode == 0, errors
    events = [json.loads(line)["event"] for line in rest.splitlines() if line.strip()]
    assert events[-1] == "stop" and "batch" in events  # the batch was finished, then it stopped
    store = open_store(f"sqlite:///{db}")
    try:
        assert store.article_count() == 3 and store.sources()[0].articles == 3
    finally:
        store.close()
