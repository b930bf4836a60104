"""`storyfold run --db postgresql://…` folds the sample corpus into the stories SQLite gives.

A real `storyfold run` process on PostgreSQL (the embedded server of tests/pg.py, or
$STORYFOLD_TEST_PG_URL's) against the same pipeline on SQLite, compared on the partition into
stories, the roles and the headlines: the backend stores what the stages compute and must
change none of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import Store, open_store
from tests.conftest import EXAMPLES, ROOT
from tests.pg import PgServer

ENV = {**os.environ,
       "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def _run(db: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "storyfold.cli", "run", str(EXAMPLES / "corpus"), "--db", db,
         "-q"], env=ENV, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _stories(store: Store) -> dict[frozenset[str], tuple[str | None, dict[str, str]]]:
    """Each story as its set of members → (headline, member → role)."""
    return {
        frozenset(m.article_id for m in rec.members):
            (rec.headline, {m.article_id: m.role for m in rec.members})
        for rec in store.iter_stories()
    }


def test_a_run_on_postgresql_gives_the_stories_of_a_run_on_sqlite(
        pg_server: PgServer, pipeline: Pipeline, tmp_path: Path) -> None:
    pg_url = pg_server.store_url(tmp_path)
    _run(pg_url)
    pipeline.add(iter_documents([str(EXAMPLES / "corpus")]))  # on SQLite, in this process
    lite, pg = pipeline.store, open_store(pg_url)
    try:
        assert pg.article_count() == lite.article_count() >= 40
        want, got = _stories(lite), _stories(pg)
        assert set(got) == set(want)  # the same partition into stories
        assert got == want  # with the same headlines and roles
        assert pg.pending() == set()
        assert [s for s, _ in pg.outlets()] == [s for s, _ in lite.outlets()]
    finally:
        pg.close()
