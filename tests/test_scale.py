"""Scale-out on Ray: the per-article work on workers, placement in one place, and the same
stories as a plain run.

The seam first, without Ray: documents prepared by a worker (`Preparer`, in this process)
and placed by `Pipeline.add_prepared` give the stories and the vectors of `Pipeline.add`.
Then a few real Ray runs (a local Ray with 2 CPUs, started once for the module; skipped,
saying why, where Ray is not installed): `run --engine ray` on PostgreSQL against a plain
run on SQLite, and `backfill` over WARC files, interrupted and finished.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.eval.metrics import bcubed
from storyfold.fingerprint import Embedder
from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.prepare import Prepared
from storyfold.scale.worker import Preparer
from storyfold.settings import DEFAULTS
from storyfold.store import Store, open_store
from tests.conftest import EXAMPLES
from tests.pg import PgServer
from tests.test_crash import _generate, _stored  # _stored: articles committed, read-only
from tests.warc_fixtures import article_page, warc_file

CHUNK = 16  # small chunks: copies fall in other chunks than their sources, as in a long run
SETTINGS = replace(DEFAULTS, place=replace(DEFAULTS.place, chunk=CHUNK))
ENV = {"STORYFOLD_PLACE__CHUNK": str(CHUNK)}
HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="ray is not installed (storyfold[scale])")


def _corpus(path: Path, n: int, seed: int) -> Path:
    """A generated corpus (stories, copies, rewrites), articles cut short to embed quickly."""
    with path.open("w", encoding="utf-8") as fh:
        for rec in _generate(n, seed=seed):
            rec["text"] = " ".join(str(rec["text"]).split()[:40])
            fh.write(json.dumps(rec) + "\n")
    return path


def _partition(store: Store) -> dict[str, str]:
    return {m.article_id: rec.id for rec in store.iter_stories() for m in rec.members}


def _b3(want: dict[str, str], got: dict[str, str]) -> float:
    assert set(got) == set(want)
    ids = sorted(want)
    return bcubed([want[i] for i in ids], [got[i] for i in ids])[2]


def _plain(paths: list[str], url: str, embedder: Embedder) -> dict[str, str]:
    store = open_store(url)
    try:
        Pipeline(store, SETTINGS, embedder=embedder, analyze=False).add(iter_documents(paths))
        return _partition(store)
    finally:
        store.close()


# ---- the seam, without Ray ------------------------------------------------------------------
def test_articles_prepared_on_a_worker_are_placed_as_a_plain_run_places_them(
        tmp_path: Path, embedder: Embedder) -> None:
    data = str(_corpus(tmp_path / "corpus.jsonl", 100, seed=5))
    plain = open_store(f"sqlite:///{tmp_path / 'plain.db'}")
    worked = open_store(f"sqlite:///{tmp_path / 'worked.db'}")
    try:
        Pipeline(plain, SETTINGS, embedder=embedder, analyze=False).add(iter_documents([data]))
        worker = Preparer(SETTINGS)
        docs = iter(iter_documents([data]))

        def prepared() -> Iterator[Prepared]:  # batches that cut across the pipeline's chunks
            while batch := list(islice(docs, 24)):
                yield from worker.documents(batch)

        pipe = Pipeline(worked, SETTINGS, embedder=embedder, analyze=False)
        report = pipe.add_prepared(prepared())
        assert report.added == 100
        assert pipe.reused > 0  # the corpus holds exact copies, found against the store
        assert _partition(worked) == _partition(plain)
        ids = sorted(_partition(plain))
        want, got = plain.fingerprints(ids), worked.fingerprints(ids)
        # each copy took the vector the plain run gave it (its source's, or its own when
        # its source was not stored yet): only the encoder's rounding differs
        worst = max(float(np.abs(want[i].embedding - got[i].embedding).max()) for i in ids)
        assert worst < 0.01
    finally:
        plain.close()
        worked.close()


def test_a_worker_reading_the_store_leaves_out_what_is_stored_and_changes_no_story(
        tmp_path: Path, embedder: Embedder) -> None:
    first = str(_corpus(tmp_path / "first.jsonl", 60, seed=5))
    later = tmp_path / "later.jsonl"  # the same texts republished by another outlet
    with later.open("w", encoding="utf-8") as fh:
        for line in Path(first).read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            rec.update(id="re-" + str(rec["id"]), source="Harbour Aggregator",
                       url=str(rec["url"]).replace("https://", "https://re."))
            fh.write(json.dumps(rec) + "\n")
    plain = open_store(f"sqlite:///{tmp_path / 'plain.db'}")  # the same two runs, plainly
    try:
        for path in (first, str(later)):
            Pipeline(plain, SETTINGS, embedder=embedder, analyze=False).add(
                iter_documents([path]))
        want = _partition(plain)
    finally:
        plain.close()
    url = f"sqlite:///{tmp_path / 'worked.db'}"
    worked = open_store(url)  # the placer's store: made first, as `run` makes it
    try:
        Pipeline(worked, SETTINGS, embedder=embedder, analyze=False).add(iter_documents([first]))
        worker = Preparer(SETTINGS, store_url=url)

        def prepared() -> Iterator[Prepared]:
            docs = iter(iter_documents([str(later)]))
            while batch := list(islice(docs, 24)):
                yield from worker.documents(batch)

        pipe = Pipeline(worked, SETTINGS, embedder=embedder, analyze=False)
        done = pipe.add_prepared(prepared())
        # (a wire copy credited to the wire keeps the wire's identity: some are stored already)
        assert done.added > 30 and done.added + done.already_stored == 60
        # every republished text took its stored source's vector (or was stored under the
        # wire's identity already): the encoder ran on none of them
        assert worker.embedder.texts == 0 and worker.skipped >= done.added
        skipped = worker.skipped
        assert _partition(worked) == want  # the stories are the plain run's
        # run again: every article is stored, so nothing is encoded and nothing changes
        report = Pipeline(worked, SETTINGS, embedder=embedder,
                          analyze=False).add_prepared(prepared())
        assert report.added == 0 and report.already_stored == 60
        assert worker.skipped == 2 * skipped and worker.embedder.texts == 0
        assert _partition(worked) == want
    finally:
        worked.close()


def test_a_worker_that_cannot_open_the_store_encodes_everything(tmp_path: Path) -> None:
    data = str(_corpus(tmp_path / "corpus.jsonl", 10, seed=9))
    worker = Preparer(SETTINGS, store_url=f"sqlite:///{tmp_path / 'elsewhere' / 'no.db'}")
    out = worker.documents(list(iter_documents([data])))
    assert worker.store() is None and worker.skipped == 0
    assert all(p.fingerprint is not None for p in out if p.article is not None)
    assert not (tmp_path / "elsewhere" / "no.db").exists()  # reading never creates a store


def test_a_worker_hands_a_warc_file_back_in_bounded_batches(tmp_path: Path) -> None:
    corpus = _generate(7, seed=23)
    path = _warcs(tmp_path / "crawl", corpus, files=1)[0]
    settings = replace(SETTINGS, scale=replace(SETTINGS.scale, batch=3))
    worker = Preparer(settings)
    batches = worker.file(str(path), 10_000_000)
    first = next(batches)  # made before the rest of the file is read or encoded
    assert len(first) == 3 and worker.articles == 3
    rest = list(batches)
    assert [len(b) for b in rest] == [3, 1]
    assert [p.article.title for b in (first, *rest) for p in b if p.article] == [
        rec["title"] for rec in corpus]  # in record order


def test_without_ray_the_ray_engine_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if not installed
    db = tmp_path / "s.db"
    for args in (["run", str(EXAMPLES / "corpus"), "--engine", "ray"],
                 ["backfill", str(tmp_path)]):
        result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{db}"])
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "pip install 'storyfold[scale]'" in lines[0]
    assert not db.exists()  # nothing was started


def test_an_unknown_engine_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(EXAMPLES / "corpus"), "--engine", "spark",
                                      "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert "unknown engine 'spark'; use local or ray" in result.output


# ---- on a local Ray ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    """One local Ray with 2 CPUs for the module: the commands use it as it is."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output[-2000:]
    return result.output


@needs_ray
def test_run_on_ray_gives_the_stories_of_a_plain_run_and_writes_to_postgresql(
        ray_local: None, pg_server: PgServer, tmp_path: Path, embedder: Embedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = str(_corpus(tmp_path / "corpus.jsonl", 150, seed=11))
    pg_url = pg_server.store_url(tmp_path)
    out = _cli(["run", data, "--engine", "ray", "--workers", "2", "--db", pg_url, "-q",
                "--no-analyze", "--json"], monkeypatch)
    want = _plain([data], f"sqlite:///{tmp_path / 'plain.db'}", embedder)
    assert f"added {len(want)} article(s)" in out  # every article the plain run stored
    store = open_store(pg_url)
    try:
        assert _b3(want, _partition(store)) >= 0.99
        assert store.pending() == set()
    finally:
        store.close()


def _warcs(folder: Path, corpus: list[dict[str, str | None]], files: int) -> list[Path]:
    """The corpus as `files` WARC files (crawl-time names), its articles as HTML pages."""
    folder.mkdir(exist_ok=True)
    per = -(-len(corpus) // files)
    out = []
    for k in range(files):
        pages = [(f"https://news.example/{rec['id']}", 200, "text/html; charset=utf-8",
                  article_page(str(rec["title"]), str(rec["text"])).encode())
                 for rec in corpus[k * per:(k + 1) * per]]
        out.append(warc_file(folder / f"CC-NEWS-2026120{k + 1}000000-0000{k}.warc.gz", pages))
    return out


def _counts(out: str) -> dict[str, int]:
    """'added 36 article(s), 24 already stored, 0 skipped; …' → {added: 36, …}."""
    line = next(ln for ln in out.splitlines() if ln.startswith("added "))
    added, stored, skipped = line.split(";")[0].split(", ")
    return {"added": int(added.split()[1]), "already stored": int(stored.split()[0]),
            "skipped": int(skipped.split()[0])}


@needs_ray
def test_a_backfill_of_warc_files_gives_a_plain_runs_stories_and_a_rerun_adds_nothing(
        ray_local: None, tmp_path: Path, embedder: Embedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _generate(120, seed=3)
    for rec in corpus:
        rec["text"] = " ".join(str(rec["text"]).split()[:40])
    folder = tmp_path / "crawl"
    _warcs(folder, corpus, files=3)
    (folder / "README.txt").write_text("not a crawl file\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    args = ["backfill", str(folder), "--db", url, "--workers", "2", "-q", "--no-analyze"]
    out = _cli(args, monkeypatch)
    assert "README.txt: not a WARC file" in out  # one line for what is not a crawl file
    done = _counts(out)
    assert done["added"] + done["already stored"] == 120 and done["skipped"] == 1
    want = _plain([str(folder)], f"sqlite:///{tmp_path / 'plain.db'}", embedder)
    assert done["added"] == len(want)
    store = open_store(url)
    try:
        stories = _partition(store)
        assert _b3(want, stories) >= 0.99
        assert store.pending() == set()
    finally:
        store.close()
    # run again (as after a kill): every record is met, none is placed twice, nothing moves
    again = _counts(_cli(args, monkeypatch))
    assert again["added"] == 0 and again["already stored"] == 120
    store = open_store(url)
    try:
        assert _partition(store) == stories
    finally:
        store.close()


# ---- a Ray run killed mid-way -----------------------------------------------------------------
@needs_ray
def test_a_ray_run_killed_mid_way_and_run_again_ends_as_a_clean_run(
        ray_local: None, tmp_path: Path, embedder: Embedder) -> None:
    """SIGKILL to the driver of `run --engine ray` (a real process, on the module's Ray:
    its workers die with their owner), after its first chunks are committed; the same
    command again finishes with a clean run's articles and stories, and no traceback."""
    import ray

    data = str(_corpus(tmp_path / "corpus.jsonl", 90, seed=17))
    db = tmp_path / "killed.db"
    env = {**os.environ, **ENV, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    address = ray.get_runtime_context().gcs_address
    args = [sys.executable, "-m", "storyfold.cli", "run", data, "--engine", "ray",
            "--address", address, "--workers", "2", "--db", f"sqlite:///{db}", "-q",
            "--no-analyze"]
    driver = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    while driver.poll() is None and _stored(db) < CHUNK:
        time.sleep(0.05)
    assert driver.poll() is None, "the run ended before it could be killed"
    driver.send_signal(signal.SIGKILL)
    driver.wait(60)
    assert 0 < _stored(db) < 90  # killed half-way through placement
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Traceback" not in again.stderr
    want = _plain([data], f"sqlite:///{tmp_path / 'plain.db'}", embedder)
    store = open_store(f"sqlite:///{db}")
    try:
        assert _partition(store) == want  # the same articles, in the same stories
        assert store.pending() == set()
        assert all(rec.headline for rec in store.iter_stories())  # provenance done
    finally:
        store.close()


# ---- language shards on Ray -----------------------------------------------------------------
@needs_ray
def test_run_on_ray_places_each_language_shard_as_its_own_placer(
        ray_local: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mixed-language corpus through `run --engine ray`: the stories of a plain run, cut
    only where it put a translation into its original's story (`tests/test_shards.py`), and
    the cross-language links the shard placers make without Ray."""
    from tests.test_shards import MIXED, b3, by_shard, links, partition, sharded
    from tests.test_shards import SETTINGS as MIXED_SETTINGS

    monkeypatch.setenv("STORYFOLD_PLACE__CHUNK", str(MIXED_SETTINGS.place.chunk))
    monkeypatch.setenv("STORYFOLD_LANGUAGES__MULTILINGUAL", "true")
    url = f"sqlite:///{tmp_path / 'ray.db'}"
    result = CliRunner().invoke(app, ["run", *MIXED, "--engine", "ray", "--workers", "2",
                                      "--db", url, "-q", "--no-analyze"])
    assert result.exit_code == 0, result.output[-2000:]
    plain = open_store(f"sqlite:///{tmp_path / 'plain.db'}")
    here = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    store = open_store(url)
    try:
        embedder = Embedder()
        Pipeline(plain, MIXED_SETTINGS, embedder=embedder, analyze=False).add(
            iter_documents(MIXED))
        worker = Preparer(MIXED_SETTINGS)
        sharded(here, worker.documents(list(iter_documents(MIXED))))
        assert b3(by_shard(plain, ""), partition(store)) == 1.0
        assert len({shard for _, shard in by_shard(store, "").values()}) == 4
        assert links(store) and links(store) == links(here)
        assert store.pending() == set()
    finally:
        for s in (plain, here, store):
            s.close()
