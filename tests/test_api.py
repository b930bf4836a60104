"""The JSON API: the CLI's story JSON over HTTP, pagination, search, writes behind a token,
problem details for every client error — and a schema-driven run against the live server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storyfold.cli import app as cli_app
from storyfold.store import open_store
from storyfold.store.sqlite import fts_query
from storyfold.web.app import create_app

runner = CliRunner()


def _get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def _post(url: str, body: bytes, ctype: str, token: str | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": ctype})
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _is_problem(status: int, headers: dict, body: dict, code: int) -> None:
    assert status == code, body
    assert headers.get("content-type", "").startswith("application/problem+json")
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == code
    assert body["detail"]


# ---- reading ----------------------------------------------------------------------------------
def test_story_endpoint_returns_what_the_cli_prints(live_server: str, served_store: str) -> None:
    _, _, page = _get(f"{live_server}/api/stories?limit=100")
    for story in page["stories"]:
        printed = runner.invoke(cli_app, ["story", story["id"], "--db", served_store, "--json"])
        assert printed.exit_code == 0
        status, _, served = _get(f"{live_server}/api/stories/{story['id']}")
        assert status == 200
        assert served == json.loads(printed.stdout)


def test_stories_are_newest_first_and_the_cursor_walks_every_page(live_server: str) -> None:
    _, _, everything = _get(f"{live_server}/api/stories?limit=100")
    ids = [s["id"] for s in everything["stories"]]
    assert len(ids) >= 2 and everything["next_cursor"] is None
    firsts = [s["first_seen"] or "" for s in everything["stories"]]
    assert firsts == sorted(firsts, reverse=True)
    walked, cursor = [], None
    for _ in range(len(ids) + 1):
        url = f"{live_server}/api/stories?limit=1" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = _get(url)
        assert status == 200 and len(page["stories"]) <= 1
        walked += [s["id"] for s in page["stories"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == ids


def test_story_filters(live_server: str) -> None:
    def ids(query: str) -> list[str]:
        status, _, page = _get(f"{live_server}/api/stories?{query}")
        assert status == 200, page
        return [s["id"] for s in page["stories"]]

    bridge = ids("q=harbour+bridge+Lanford")
    assert len(bridge) == 1
    assert ids("source=Coastal%20Review") == bridge
    assert bridge[0] in ids("since=2025-03-05&until=2025-03-05")
    assert bridge[0] not in ids("since=2025-03-06")
    assert bridge[0] not in ids("until=2025-03-03")
    assert ids("q=zzzqqq+nothing") == []
    assert ids("q=%22%29%28*NEAR") is not None  # FTS syntax is just words
    status, headers, body = _get(f"{live_server}/api/stories?since=2025-03-06&until=2025-03-01")
    _is_problem(status, headers, body, 400)
    assert "swap" in body["detail"]


def test_article_endpoint_has_text_metadata_removed_boilerplate_and_links(live_server: str) -> None:
    _, _, page = _get(f"{live_server}/api/stories?source=Lanford%20Post")
    story = page["stories"][0]
    copy = next(a for a in story["articles"] if a["source"] == "Lanford Post")
    status, _, art = _get(f"{live_server}/api/articles/{copy['id']}")
    assert status == 200
    assert art["story_id"] == story["id"] and art["role"] == copy["role"]
    assert "harbour bridge" in art["text"] and "Read more" not in art["text"]
    assert any("Read more" in r["text"] for r in art["removed"])
    assert art["links"] and {"to", "kind", "score"} <= set(art["links"][0])
    assert art["url"] == "https://post.example/bridge" and art["published"].startswith("2025-03-04")


def test_search_fuses_full_text_and_meaning(live_server: str) -> None:
    status, _, res = _get(f"{live_server}/api/search?q=Varga+harbour+bridge")
    assert status == 200
    top = res["results"][0]
    assert top["article"]["source"] in {"Meridian Wire", "Lanford Post", "Coastal Review"}
    assert top["text_rank"] is not None and top["semantic_rank"] is not None
    assert any(p["match"] for p in top["snippet"])
    # no shared word with the articles: found by meaning alone
    _, _, res = _get(f"{live_server}/api/search?q=" + urllib.request.quote(
        "viaduct inaugurated across the port"))
    sources = [r["article"]["source"] for r in res["results"][:3]]
    assert {"Meridian Wire", "Lanford Post", "Coastal Review"} & set(sources)
    assert any(r["text_rank"] is None and r["semantic_rank"] for r in res["results"])


@pytest.mark.parametrize("q", ['"', '"unbalanced', "NEAR(a b", "title:x", "*", "a AND", "^x",
                               ")))", "-", "\u00e9t\u00e9 \u4e2d\u6587", "x" * 500, "'; DROP"])
def test_any_search_text_is_words_never_an_error(live_server: str, q: str) -> None:
    status, _, res = _get(f"{live_server}/api/search?q=" + urllib.request.quote(q))
    assert status == 200 and isinstance(res["results"], list)


def test_fts_query_quotes_every_term() -> None:
    assert fts_query('Macron "vassal" OR NEAR(x)') == (
        '"Macron" AND "vassal" AND "OR" AND "NEAR" AND "x"')
    assert fts_query("!!! ???") is None


def test_similar_stories_are_other_stories(live_server: str) -> None:
    _, _, page = _get(f"{live_server}/api/stories?limit=100")
    for story in page["stories"]:
        status, _, sim = _get(f"{live_server}/api/stories/{story['id']}/similar")
        assert status == 200 and sim["story_id"] == story["id"]
        assert story["id"] not in {s["id"] for s in sim["similar"]}
        for s in sim["similar"]:
            assert {"id", "headline", "score", "shared_names"} <= set(s)
    status, headers, body = _get(f"{live_server}/api/stories/nope/similar")
    _is_problem(status, headers, body, 404)


def test_similar_stories_follow_the_search_settings(served_store: str, embedder) -> None:
    from dataclasses import replace

    from storyfold.settings import DEFAULTS
    from storyfold.web.service import Services

    def similar(**search: float) -> dict[str, list[dict]]:
        settings = replace(DEFAULTS, search=replace(DEFAULTS.search, **search))
        svc = Services(served_store, settings=settings, embedder=embedder)
        try:
            ids = [s["id"] for s in svc.stories(q=None, since=None, until=None, source=None,
                                                limit=100, cursor=None)[0]]
            return {sid: svc.similar(sid, limit=20) for sid in ids}
        finally:
            svc.close()

    # (the fixture's two events are 31 days apart: a wide window holds both)
    loose, default = similar(similar_min=0.0, similar_days=3650), similar(similar_days=3650)
    assert any(loose.values()), "with no minimum, some other story is related"
    # stories further apart in time than `similar_days` are never read, let alone listed
    near = similar(similar_min=0.0, similar_days=1)
    assert not any(near.values()), "no two fixture events are within a day of each other"
    for sid, found in default.items():
        assert all(s["score"] >= DEFAULTS.search.similar_min for s in found)
        assert {s["id"] for s in found} <= {s["id"] for s in loose[sid]}
    # all weight on the embedding: the score is the centroid cosine itself
    embedding_only = similar(similar_min=0.0, similar_embedding_weight=1.0, similar_days=3650)
    assert any(embedding_only.values())
    for found in embedding_only.values():
        assert all(s["score"] == s["embedding_similarity"] for s in found)


def test_client_errors_are_problem_details(live_server: str) -> None:
    for path, code in [("/api/stories/nope", 404), ("/api/articles/nope", 404),
                       ("/api/stories/" + "x" * 5000, 404),
                       ("/api/stories?limit=0", 422), ("/api/stories?limit=x", 422),
                       ("/api/stories?since=2024-02-30", 422), ("/api/stories?cursor=%25%25", 400),
                       ("/api/search", 422), ("/api/nothing-here", 404)]:
        status, headers, body = _get(live_server + path)
        _is_problem(status, headers, body, code)
        assert len(body["detail"]) < 300 and "\n" not in body["detail"]


# ---- writing ----------------------------------------------------------------------------------
def test_writes_are_refused_without_the_token(live_server: str) -> None:
    article = json.dumps({"text": "A new article " * 10}).encode()
    status, body = _post(f"{live_server}/api/articles", article, "application/json")
    assert status == 401 and "Bearer" in body["detail"]
    status, body = _post(f"{live_server}/api/articles", article, "application/json", "wrong")
    assert status == 401


def test_writes_are_off_when_the_server_has_no_token(db_url: str, monkeypatch) -> None:
    monkeypatch.delenv("STORYFOLD_TOKEN", raising=False)
    open_store(db_url).close()
    with TestClient(create_app(db_url, warm=False)) as client:
        resp = client.post("/api/articles", json={"text": "words " * 10},
                           headers={"Authorization": "Bearer anything"})
        assert resp.status_code == 403
        assert "STORYFOLD_TOKEN" in resp.json()["detail"]
        assert resp.headers["content-type"].startswith("application/problem+json")
    monkeypatch.setenv("STORYFOLD_TOKEN", "from-env")
    with TestClient(create_app(db_url, warm=False)) as client:
        assert client.post("/api/articles", json={"text": "w " * 9}).status_code == 401


QUAKE = ("A magnitude 6.1 earthquake struck near Tolva on Monday, damaging 40 buildings and "
         "injuring 12 people, the regional civil protection agency said. Rescue teams searched "
         "collapsed houses in the old town through the night.")


def test_post_article_joins_a_story_and_is_idempotent(db_url: str, embedder) -> None:
    open_store(db_url).close()
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(create_app(db_url, token="s3cret", warm=False)) as client:
        first = client.post("/api/articles", headers=auth, json={
            "title": "Quake hits Tolva", "text": QUAKE, "source": "Tolva Times",
            "date": "2025-06-02T09:00:00Z", "url": "https://tolva.example/quake"})
        assert first.status_code == 201, first.json()
        data = first.json()
        assert data["added"] and data["story"]["articles"][0]["id"] == data["article_id"]
        again = client.post("/api/articles", headers=auth, json={
            "title": "Quake hits Tolva", "text": QUAKE, "source": "Tolva Times"})
        assert again.status_code == 200 and again.json()["added"] is False
        html = ("<html><head><title>Tolva quake</title><meta property='og:site_name' "
                "content='Coast News'></head><body><article><h1>Tolva quake</h1><p>"
                + QUAKE + " Copied by Coast News.</p></article></body></html>")
        copy = client.post("/api/articles", headers={**auth, "Content-Type": "text/html"},
                           content=html.encode())
        assert copy.status_code == 201, copy.json()
        assert copy.json()["story"]["id"] == data["story"]["id"]
        assert len(copy.json()["story"]["articles"]) == 2
        listed = client.get("/api/stories").json()["stories"]
        assert [s["id"] for s in listed] == [data["story"]["id"]]
        # bad bodies are the client's to fix
        cases = [(b"{not json", "application/json", 400), (b"\xff\xfe", "application/json", 400),
                 (b"[1, 2]", "application/json", 422), (b'{"text": "too short"}',
                                                         "application/json", 422),
                 (b"hello", "application/xml", 415), (b"x" * (2 * 1024 * 1024 + 1),
                                                      "text/plain", 413)]
        for body, ctype, code in cases:
            resp = client.post("/api/articles", headers={**auth, "Content-Type": ctype},
                               content=body)
            assert resp.status_code == code, (ctype, body[:20], resp.json())
            assert resp.json()["detail"]


def test_a_written_story_is_analysed_in_the_background_before_anyone_reads_it(
        db_url: str, embedder) -> None:
    from storyfold.analyze.service import fresh_analysis

    open_store(db_url).close()
    auth = {"Authorization": "Bearer s3cret"}
    with TestClient(create_app(db_url, token="s3cret", warm=False)) as client:
        posted = client.post("/api/articles", headers=auth, json={
            "title": "Quake hits Tolva", "text": QUAKE, "source": "Tolva Times",
            "date": "2025-06-02T09:00:00Z"})
        assert posted.status_code == 201, posted.json()
        services = client.app.state.services
        assert services.background.idle(timeout=120)
        st = open_store(db_url)
        rec = st.story(posted.json()["story"]["id"])
        cached = fresh_analysis(st, rec)
        assert cached is not None and services.background.done >= 1
        # one headline: the write-up keeps the one provenance chose
        assert cached["writeup"]["headline"] == rec.headline == "Quake hits Tolva"
        st.close()


def test_the_body_limit_is_the_serve_setting(db_url: str) -> None:
    from dataclasses import replace

    from storyfold.settings import DEFAULTS, ServeSettings

    open_store(db_url).close()
    settings = replace(DEFAULTS, serve=ServeSettings(max_body_bytes=100))
    auth = {"Authorization": "Bearer s3cret", "Content-Type": "text/plain"}
    with TestClient(create_app(db_url, token="s3cret", warm=False, settings=settings)) as client:
        resp = client.post("/api/articles", headers=auth, content=b"x" * 101)
        assert resp.status_code == 413
        assert resp.json()["detail"] == "article body is 101 bytes; the limit is 100"


def test_a_chunked_body_is_cut_off_at_the_limit_as_it_arrives(db_url: str) -> None:
    """No Content-Length to check first: the server stops reading past the limit instead of
    holding the whole body in memory (driven through ASGI: test clients read it all first)."""
    import asyncio
    from dataclasses import replace

    from storyfold.settings import DEFAULTS, ServeSettings

    open_store(db_url).close()
    settings = replace(DEFAULTS, serve=ServeSettings(max_body_bytes=100))
    app = create_app(db_url, token="s3cret", warm=False, settings=settings)
    sent: list[int] = []
    answer: list[dict] = []

    async def receive() -> dict:
        sent.append(60)
        return {"type": "http.request", "body": b"x" * 60, "more_body": len(sent) < 1000}

    async def send(message: dict) -> None:
        answer.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/articles", "raw_path":
             b"/api/articles", "query_string": b"", "root_path": "",
             "headers": [(b"authorization", b"Bearer s3cret"), (b"content-type", b"text/plain"),
                         (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    assert answer[0]["status"] == 413
    assert sum(sent) <= 200  # stopped soon after the limit, not read to the end


def test_consolidations_merge_records_where_the_story_went(db_url: str) -> None:
    """The alias the API and pages follow is written by the merge itself."""
    from storyfold.consolidate import merge
    from storyfold.place import StoryIndex, state_of
    from tests.store.backends import Fed, add, when

    store = open_store(db_url)
    try:
        fed = Fed()
        text = "Lanford opened its new harbour bridge on Tuesday after six years of work."
        for aid in ("a1", "a2"):  # one event told twice, placed apart (same fingerprint)
            add(store, fed, aid, "Bridge opens", text, seed=7, published=when(4))
        states = [state_of(f"s{aid}", [fed.fingerprints[aid]], [when(4)]) for aid in ("a1", "a2")]
        with store.transaction():
            for state, aid in zip(states, ("a1", "a2"), strict=True):
                store.save_story_state(state)
                store.set_membership(aid, state.id, 1.0)
        index = StoryIndex(states, {"harbour": 2}, 2)
        changes = merge(store, index, {"sa1", "sa2"})
        kept = [s.id for s in store.story_states()]
        assert len(kept) == 1, "the two one-article stories are one event"
        gone = ({"sa1", "sa2"} - set(kept)).pop()
        assert store.resolve_story(gone) == kept[0]
        assert set(changes.assignments.values()) == {kept[0]}
    finally:
        store.close()


# ---- the command ---------------------------------------------------------------------------------
def test_storyfold_serve_listens_on_loopback_by_default(served_store: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "STORYFOLD_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from storyfold.cli import app; app()", "serve", "--db",
         served_store, "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, page = _get(f"http://127.0.0.1:{port}/api/stories?limit=1")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.2)
        assert status == 200 and page["stories"]
        status, body = _post(f"http://127.0.0.1:{port}/api/articles", b"{}", "application/json")
        assert status == 403
    finally:
        proc.terminate()
        proc.wait(20)


def test_serve_reports_a_bad_store_url_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(cli_app, ["serve", "--db", "mysql://nope"])
    assert result.exit_code == 2
    assert "unknown store URL" in result.output


# ---- schema-driven ---------------------------------------------------------------------------
OPERATIONS = [("GET", "/api/stories"), ("GET", "/api/stories/{story_id}"),
              ("GET", "/api/stories/{story_id}/similar"), ("GET", "/api/articles/{article_id}"),
              ("GET", "/api/search"), ("POST", "/api/articles")]


@pytest.fixture
def api_schema(live_server: str):
    schemathesis = pytest.importorskip("schemathesis")
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


def test_the_schema_lists_every_operation(api_schema) -> None:
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_conforms_to_its_openapi_schema(api_schema, method: str, path: str) -> None:
    """Generated requests (without the token): no 5xx; documented statuses, bodies, types.

    Left out: schemathesis' "schema-valid data must be accepted" check. OpenAPI cannot say
    that a cursor must be one the server issued or that `since` must not follow `until`;
    those requests get a 400 problem (tested above), which is the answer a client needs.
    (schemathesis' own pytest loader does not run under pytest 9, so hypothesis drives the
    operation's strategy here directly.)"""
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import positive_data_acceptance

    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:  # noqa: ANN001
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()


# ---- hostile input, failed writes, merged stories, server paths (issue 13) --------------------
def _nested_cursor(depth: int) -> str:
    import base64

    return base64.urlsafe_b64encode(b"[" * depth).decode().rstrip("=")


@pytest.mark.parametrize(("query", "code"), [
    ("until=9999-12-31", 400),  # the day after it is not a date
    ("since=9999-12-31&until=9999-12-31", 400),
    ("since=0001-01-01&until=0001-01-01", 200),
    ("since=9999-12-30", 200),
    (f"cursor={_nested_cursor(1500)}", 400),  # json.loads: RecursionError
    ("cursor=WyJhIl0", 400),  # base64 of ["a"]: JSON, but not a cursor
    ("cursor=%00%FF%FE", 400),
    ("limit=99999999999999999999999999", 422),
    ("q=" + "x" * 501, 422),
    ("cursor=" + "x" * 2001, 422),
])
def test_any_story_list_parameter_is_a_problem_never_a_500(db_url: str, query: str,
                                                           code: int) -> None:
    open_store(db_url).close()
    with TestClient(create_app(db_url, warm=False), raise_server_exceptions=False) as client:
        resp = client.get(f"/api/stories?{query}")
        if code == 200:
            assert resp.status_code == 200 and resp.json()["stories"] == []
            return
        _is_problem(resp.status_code, dict(resp.headers), resp.json(), code)
        assert "\n" not in resp.json()["detail"]


@pytest.mark.parametrize("body", [
    b"[" * 100_000,
    b'{"text": ' + b"[" * 100_000 + b"}",
    b'{"text": ' + b"1" * 5000 + b"}",  # more digits than Python converts
])
def test_hostile_json_bodies_are_problems_never_a_500(db_url: str, body: bytes) -> None:
    open_store(db_url).close()
    auth = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}
    with TestClient(create_app(db_url, token="s3cret", warm=False),
                    raise_server_exceptions=False) as client:
        resp = client.post("/api/articles", headers=auth, content=body)
        _is_problem(resp.status_code, dict(resp.headers), resp.json(), 400)
        assert "\n" not in resp.json()["detail"]


def test_a_failed_write_leaves_the_servers_story_index_as_stored(db_url: str, embedder,
                                                                 monkeypatch) -> None:
    import sqlite3

    from storyfold.store.sqlite import SQLiteStore

    open_store(db_url).close()
    auth = {"Authorization": "Bearer s3cret"}
    copy = {"title": "Tolva quake", "text": QUAKE + " Copied by Coast News.",
            "source": "Coast News", "date": "2025-06-02T11:00:00Z"}
    app = create_app(db_url, token="s3cret", warm=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.post("/api/articles", headers=auth, json={
            "title": "Quake hits Tolva", "text": QUAKE, "source": "Tolva Times",
            "date": "2025-06-02T09:00:00Z"})
        assert first.status_code == 201
        sid = first.json()["story"]["id"]

        real = SQLiteStore.set_membership
        calls = []

        def fails_once(self, *args, **kwargs):  # noqa: ANN001, ANN202
            calls.append(args)
            if len(calls) == 1:
                raise sqlite3.OperationalError("disk I/O error")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(SQLiteStore, "set_membership", fails_once)
        failed = client.post("/api/articles", headers=auth, json=copy)
        _is_problem(failed.status_code, dict(failed.headers), failed.json(), 503)
        assert "send it again" in failed.json()["detail"]

        def in_step() -> int:
            services = app.state.services
            stored = len(services.store().story_member_ids(sid))
            assert services._pipeline.index().get(sid).size == stored
            return stored

        assert in_step() == 1  # the failed article is neither stored nor counted
        again = client.post("/api/articles", headers=auth, json=copy)
        assert again.status_code == 201, again.json()
        assert again.json()["story"]["id"] == sid
        assert len(again.json()["story"]["articles"]) == 2
        assert in_step() == 2


def test_a_merged_story_id_says_which_story_it_became(db_url: str, embedder) -> None:
    open_store(db_url).close()
    auth = {"Authorization": "Bearer s3cret"}
    ferry = ("The ferry timetable between Lanford and Brill changes next week as the harbour "
             "crossing reopens for traffic, the port authority said on Friday. Extra sailings "
             "run at weekends through the summer season.")
    with TestClient(create_app(db_url, token="s3cret", warm=False)) as client:
        ids = []
        for title, text in (("Quake hits Tolva", QUAKE), ("Ferry timetable", ferry)):
            resp = client.post("/api/articles", headers=auth,
                               json={"title": title, "text": text, "source": "Wire"})
            assert resp.status_code == 201
            ids.append(resp.json()["story"]["id"])
        old, new = ids
        assert old != new
        store = open_store(db_url)  # what consolidate's merge does, by hand
        with store.transaction():
            store.move_members(store.story_member_ids(old), new)
            store.record_alias(old, new)
            store.delete_story(old)
        store.close()
        for path in (f"/api/stories/{old}", f"/api/stories/{old}/similar"):
            resp = client.get(path)
            _is_problem(resp.status_code, dict(resp.headers), resp.json(), 404)
            body = resp.json()
            assert body["type"] == "/problems/story-merged"
            assert body["merged_into"] == new and body["location"] == f"/api/stories/{new}"
            assert new in body["detail"]
            assert resp.headers["link"] == f'</api/stories/{new}>; rel="alternate"'
        assert client.get(f"/api/stories/{new}").status_code == 200
        assert "merged_into" not in client.get("/api/stories/nope").json()
        assert "merged_into" in client.get("/openapi.json").json()["components"]["schemas"][
            "Problem"]["properties"]


def test_error_answers_never_show_the_stores_path(tmp_path: Path, monkeypatch) -> None:
    from storyfold.errors import StoreError
    from storyfold.web.service import Services

    path = tmp_path / "private" / "news.db"
    path.parent.mkdir()
    open_store(str(path)).close()
    for url in (str(path), f"sqlite:///{path}"):
        with TestClient(create_app(url, warm=False), raise_server_exceptions=False) as client:
            for where in ("/api/stories/nope", "/api/stories/nope/similar", "/api/articles/x",
                          "/stories/nope", "/articles/x", "/api/nothing"):
                resp = client.get(where)
                assert resp.status_code == 404
                assert str(tmp_path) not in resp.text and "news.db" not in resp.text

            def broken(self, story_id: str) -> dict:  # noqa: ARG001
                raise StoreError(f"cannot open SQLite store {str(path)!r}: disk I/O error")

            monkeypatch.setattr(Services, "story", broken)
            for where in ("/api/stories/x", "/stories/x"):
                resp = client.get(where)
                assert resp.status_code == 503  # the store's failure, not the client's
                assert str(tmp_path) not in resp.text and "news.db" not in resp.text
                assert "the store" in resp.text
            monkeypatch.undo()


def test_connections_of_ended_threads_are_closed(db_url: str) -> None:
    """The server's thread pool retires idle threads: their connections must not pile up."""
    import sqlite3
    import threading

    from storyfold.web.service import Services

    open_store(db_url).close()
    svc = Services(db_url)
    try:
        held = []

        def read() -> None:
            held.append(svc.store())
            svc.store().article_count()

        for _ in range(10):
            t = threading.Thread(target=read)
            t.start()
            t.join()
        assert svc.open_stores() <= 2  # this thread's and the last reader's
        svc.store().article_count()
        with pytest.raises(sqlite3.ProgrammingError):  # an ended thread's: closed
            held[0].article_count()
    finally:
        svc.close()
    assert svc.open_stores() == 0
