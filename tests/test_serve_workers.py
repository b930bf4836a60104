"""`storyfold serve --workers 2` on PostgreSQL: two processes serve one shared store, each
having opened it itself."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import open_store
from tests.conftest import FIXTURE_ARTICLES, ROOT
from tests.pg import PgServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_several_workers_serve_one_postgresql_store(pg_server: PgServer, embedder: Embedder,
                                                    tmp_path: Path) -> None:
    url = pg_server.store_url(tmp_path)
    (tmp_path / "a.jsonl").write_text(
        "\n".join(json.dumps(rec) for rec in FIXTURE_ARTICLES) + "\n", encoding="utf-8")
    store = open_store(url)
    try:
        Pipeline(store, embedder=embedder).add(iter_documents([str(tmp_path / "a.jsonl")]))
        want = {rec.id for rec in store.iter_stories()}
    finally:
        store.close()
    port = _free_port()
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyfold.cli", "serve", "--db", url, "--port", str(port),
             "--workers", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        pids: set[str] = set()
        deadline = time.monotonic() + 180
        while len(pids) < 2:  # each worker says so once it has started its app
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            pids = set(re.findall(r"Started server process \[(\d+)\]",
                                  log.read_text(errors="replace")))
            time.sleep(0.2)
        got: set[str] = set()
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(8):  # requests spread over the workers; every one reads the store
                page = client.get("/api/stories", params={"limit": 50})
                assert page.status_code == 200, page.text
                got |= {s["id"] for s in page.json()["stories"]}
                hits = client.get("/api/search", params={"q": "harbour bridge"})
                assert hits.status_code == 200 and hits.json()["results"], hits.text
                # the embedding side answered too: from PostgreSQL's HNSW index, in no
                # worker's memory
                assert any(r["semantic_rank"] for r in hits.json()["results"]), hits.text
        assert got == want and len(pids) == 2
    finally:
        proc.terminate()
        proc.wait(60)
