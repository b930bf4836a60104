"""The pipeline: incremental, idempotent, time-aware, and safe with bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.ingest import iter_documents

QUAKE = (
    "MIRAVAL, Feb 3 (Harbor Wire) — A magnitude 6.1 earthquake struck the coastal town of "
    "Miraval early on Monday, collapsing two apartment blocks and killing at least 14 people, "
    "the regional governor Ilse Brandt said. Rescue teams with dogs searched the rubble through "
    "the night. “We are still hearing voices under the concrete,” Brandt told reporters at the "
    "scene. The quake was centred 12 km offshore at a depth of 10 km, the national seismology "
    "institute said, and was followed by more than 30 aftershocks."
)
QUAKE_REWRITE = (
    "At least fourteen people died when a 6.1-magnitude tremor hit Miraval on Monday morning and "
    "brought down two residential buildings, according to governor Ilse Brandt. Search crews and "
    "sniffer dogs combed the debris overnight. Brandt said rescuers could still hear people "
    "trapped beneath the slabs. Seismologists placed the epicentre about 12 kilometres off the "
    "coast, 10 km deep; dozens of aftershocks followed."
)
ELECTION = (
    "TORVIK, Feb 3 — Voters in the city of Torvik elected the independent candidate Jonas Lind "
    "as mayor on Sunday with 54 percent of the vote, ending two decades of rule by the Harbour "
    "Party. Turnout was 61 percent. Lind promised to freeze bus fares and build 3,000 homes. "
    "“This city wanted a change and it voted for one,” Lind told supporters in the town square."
)


def _write(folder: Path, name: str, body: str, date: str, source: str) -> Path:
    p = folder / name
    p.write_text(f"---\nsource: {source}\ndate: {date}\n---\n{body}\n", encoding="utf-8")
    return p


def test_rewrite_joins_the_original_and_unrelated_news_stays_apart(pipeline, tmp_path) -> None:
    _write(tmp_path, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    _write(tmp_path, "b.txt", QUAKE_REWRITE, "2025-02-04", "Daily Meridian")
    _write(tmp_path, "c.txt", ELECTION, "2025-02-03", "Civic Post")
    report = pipeline.add(iter_documents([str(tmp_path)]))
    a = report.assignments
    ids = {Path(x.path).name: x.id for x in pipeline.store.articles(a).values()}
    assert a[ids["a.txt"]] == a[ids["b.txt"]] != a[ids["c.txt"]]
    story = pipeline.store.story(a[ids["a.txt"]])
    roles = {m.article_id: (m.role, m.derived_from) for m in story.members}
    assert roles[ids["a.txt"]] == ("original", None)
    assert roles[ids["b.txt"]] == ("rewrite", ids["a.txt"])


def test_a_copy_shares_its_sources_sentence_vectors_instead_of_being_encoded_again(
        pipeline, tmp_path) -> None:
    """Sentence vectors (for telling a rewrite from independent reporting) cost more than
    anything else in a run; a copy's lead sentences are its source's, so they are not encoded."""
    _write(tmp_path, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    _write(tmp_path, "b.txt", QUAKE_REWRITE, "2025-02-04", "Daily Meridian")
    _write(tmp_path, "c.txt", QUAKE + " The story was first reported by Harbor Wire.",
           "2025-02-04", "Copy Desk")
    encoded: list[str] = []
    real = pipeline.embedder.embed

    def counting(texts, max_tokens=None):  # noqa: ANN001, ANN202
        encoded.extend(texts)
        return real(texts, max_tokens)

    pipeline.embedder.embed = counting
    report = pipeline.add(iter_documents([str(tmp_path)]))
    ids = {Path(x.path).name: x.id for x in pipeline.store.articles(report.assignments).values()}
    assert len(set(report.assignments.values())) == 1
    stored = pipeline.store.sentence_vectors(ids.values())
    copy, source = ids["c.txt"], ids["a.txt"]
    assert ids["b.txt"] in stored and len({copy, source} & stored.keys()) == 1
    shared = "Rescue teams with dogs searched the rubble through the night."
    assert encoded.count(shared) == 1  # one lead sentence of the two, encoded once
    roles = {m.article_id: m.role for m in pipeline.store.story(report.assignments[source]).members}
    assert roles[copy] == "copy" and roles[ids["b.txt"]] == "rewrite"


def test_rerunning_the_same_files_changes_nothing(pipeline, tmp_path) -> None:
    _write(tmp_path, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    _write(tmp_path, "c.txt", ELECTION, "2025-02-03", "Civic Post")
    first = pipeline.add(iter_documents([str(tmp_path)]))
    before = pipeline.store.article_count()
    second = pipeline.add(iter_documents([str(tmp_path)]))
    after = pipeline.store.article_count()
    assert first.added == 2 and second.added == 0 and second.already_stored == 2
    assert before == after == 2


def test_a_later_article_joins_the_existing_story_without_recomputing_it(
    pipeline, tmp_path
) -> None:
    first = tmp_path / "day1"
    later = tmp_path / "day2"
    first.mkdir()
    later.mkdir()
    _write(first, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    r1 = pipeline.add(iter_documents([str(first)]))
    (sid,) = r1.touched
    _write(later, "copy.txt", QUAKE + "\nAdvertisement", "2025-02-03", "Valley Courier")
    r2 = pipeline.add(iter_documents([str(later)]))
    assert r2.touched == {sid} and r2.new_stories == 0
    roles = {m.role for m in pipeline.store.story(sid).members}
    assert roles == {"original", "copy"}


def test_the_same_words_a_year_apart_are_another_story(pipeline, tmp_path) -> None:
    _write(tmp_path, "a.txt", QUAKE, "2024-02-03", "Harbor Wire")
    _write(tmp_path, "b.txt", QUAKE, "2025-02-03", "Valley Courier")
    report = pipeline.add(iter_documents([str(tmp_path)]))
    assert len(set(report.assignments.values())) == 2


def test_cli_run_reports_each_bad_file_in_one_line_and_stores_the_good_ones(
    tmp_path: Path, db_url: str, embedder
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    _write(corpus, "good1.txt", QUAKE, "2025-02-03", "Harbor Wire")
    (corpus / "good2.html").write_text(
        f"<html><head><title>Torvik vote</title></head><body><article><p>{ELECTION}</p>"
        "</article></body></html>", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.dat").write_bytes(bytes(range(256)) * 64)
    (corpus / "latin1.txt").write_bytes(QUAKE_REWRITE.replace("—", "-").replace("“", '"')
                                        .replace("”", '"').encode("latin-1") + " café".encode(
                                            "latin-1"))
    big = corpus / "big.txt"
    with big.open("wb") as fh:
        for _ in range(50):
            fh.write(b"lorem ipsum dolor sit amet " * 40000)
    (corpus / "broken.html").write_text("<html><body><div><p>unclosed <b>tags &&& <<<</p",
                                        encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(corpus), "--db", db_url, "--json", "-q"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("skipped")]
    named = {ln.split(":")[0].split("/")[-1] for ln in lines}
    assert named == {"empty.txt", "binary.dat", "big.txt", "broken.html"}, lines
    payload = json.loads(result.stdout)
    stored = {Path(a["path"]).name for s in payload["stories"] for a in s["articles"]}
    assert stored == {"good1.txt", "good2.html", "latin1.txt"}
    again = runner.invoke(app, ["run", str(corpus), "--db", db_url, "-q"])
    assert again.exit_code == 0
    assert "added 0 article(s), 3 already stored" in again.stderr


def test_the_settings_a_pipeline_is_given_are_the_ones_its_stages_use(
    tmp_path: Path, db_url: str, embedder
) -> None:
    from dataclasses import replace

    from storyfold.pipeline import Pipeline
    from storyfold.settings import DEFAULTS
    from storyfold.store import open_store

    corpus = tmp_path / "in"
    corpus.mkdir()
    _write(corpus, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    _write(corpus, "b.txt", QUAKE_REWRITE, "2025-02-04", "Daily Meridian")
    # neither placement nor the merge pass may put the rewrite with its source
    strict = replace(DEFAULTS, place=replace(DEFAULTS.place, threshold=1.0),
                     consolidate=replace(DEFAULTS.consolidate, merge_threshold=1.0))
    store = open_store(db_url)
    try:
        apart = Pipeline(store, strict, embedder=embedder).add(iter_documents([str(corpus)]))
        assert apart.added == 2 and len(set(apart.assignments.values())) == 2
    finally:
        store.close()
    wordy = replace(DEFAULTS, clean=replace(DEFAULTS.clean, min_words=500))
    store = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        none = Pipeline(store, wordy, embedder=embedder).add(iter_documents([str(corpus)]))
        assert none.added == 0 and len(none.errors) == 2
        assert {e.reason for e in none.errors} == {"no article text after cleaning"}
    finally:
        store.close()


def test_a_store_remembers_its_settings_and_a_run_with_others_is_warned(
    tmp_path: Path, db_url: str
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    _write(corpus, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    runner = CliRunner()
    first = runner.invoke(app, ["run", str(corpus), "--db", db_url, "-q"])
    assert first.exit_code == 0 and "other settings" not in first.stderr
    again = runner.invoke(app, ["run", str(corpus), "--db", db_url, "-q"])
    assert again.exit_code == 0 and "other settings" not in again.stderr
    _write(corpus, "b.txt", ELECTION, "2025-02-03", "Torvik Post")
    changed = runner.invoke(app, ["run", str(corpus), "--db", db_url, "-q"],
                            env={"STORYFOLD_PLACE__THRESHOLD": "0.4"})
    assert changed.exit_code == 0
    assert "warning: this store was built with other settings" in changed.stderr
    # only what shapes stored results counts: the terminal's limits do not
    shown = runner.invoke(app, ["run", str(corpus), "--db", db_url, "-q"],
                          env={"STORYFOLD_PLACE__THRESHOLD": "0.4",
                               "STORYFOLD_OUTPUT__MAX_CLAIMS": "3"})
    assert shown.exit_code == 0 and "other settings" not in shown.stderr


# ---- a run that never finished -----------------------------------------------------------------
class Killed(BaseException):
    """Stands for SIGKILL between placement and provenance (tests/test_crash.py kills real
    processes); a BaseException, so nothing on the way catches it."""


def _interrupted_run(pipeline, tmp_path: Path, monkeypatch) -> None:
    """A run that placed its articles and died before provenance: stories without headline."""
    _write(tmp_path, "a.txt", QUAKE, "2025-02-03", "Harbor Wire")
    _write(tmp_path, "b.txt", QUAKE_REWRITE, "2025-02-04", "Daily Meridian")
    _write(tmp_path, "c.txt", ELECTION, "2025-02-03", "Civic Post")

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    with monkeypatch.context() as m:
        m.setattr("storyfold.pipeline.reanalyze", killed)
        with pytest.raises(Killed):
            pipeline.add(iter_documents([str(tmp_path)]))
    stored = list(pipeline.store.iter_stories())
    assert pipeline.store.article_count() == 3 and all(s.headline is None for s in stored)
    assert pipeline.store.pending() == {s.id for s in stored}


def _finished(store) -> None:  # noqa: ANN001
    for rec in store.iter_stories():
        assert rec.headline
        assert [m.role for m in rec.members].count("original") == 1
    assert store.pending() == set()


def test_the_next_run_finishes_what_a_killed_run_left_even_with_nothing_new(
    pipeline, tmp_path, monkeypatch
) -> None:
    _interrupted_run(pipeline, tmp_path, monkeypatch)
    again = pipeline.add(iter_documents([str(tmp_path)]))
    assert again.added == 0 and again.already_stored == 3
    assert again.resumed == {s.id for s in pipeline.store.iter_stories()} == again.touched
    _finished(pipeline.store)
    roles = sorted(m.role for s in pipeline.store.iter_stories() for m in s.members)
    assert roles == ["original", "original", "rewrite"]  # as an uninterrupted run leaves them


def test_repair_finishes_pending_work_and_says_what_it_did(
    pipeline, tmp_path, db_url, monkeypatch
) -> None:
    _interrupted_run(pipeline, tmp_path, monkeypatch)
    runner = CliRunner()
    done = runner.invoke(app, ["repair", "--db", db_url])
    assert done.exit_code == 0, done.output
    assert "finished 2 stories an interrupted run left pending" in done.output
    _finished(pipeline.store)
    nothing = runner.invoke(app, ["repair", "--db", db_url])
    assert nothing.exit_code == 0 and "nothing to repair" in nothing.output


@pytest.mark.parametrize("analyze", [True, False], ids=["run", "run --no-analyze"])
def test_a_run_leaves_its_stories_analysed_and_their_headline_stays(
        db_url: str, embedder, tmp_path: Path, analyze: bool) -> None:
    from storyfold.analyze.service import fresh_analysis, story_analysis
    from storyfold.pipeline import Pipeline
    from storyfold.store import open_store

    _write(tmp_path, "a.txt", "Quake collapses two blocks in Miraval\n\n" + QUAKE,
           "2025-02-03", "Harbor Wire")
    _write(tmp_path, "b.txt", "Fourteen dead as tremor hits coastal town\n\n" + QUAKE_REWRITE,
           "2025-02-04", "Daily Meridian")
    store = open_store(db_url)
    report = Pipeline(store, embedder=embedder, analyze=analyze).add(
        iter_documents([str(tmp_path)]))
    (sid,) = set(report.assignments.values())
    rec = store.story(sid)
    assert (fresh_analysis(store, rec) is not None) == analyze
    before = rec.headline
    shown = story_analysis(store, rec, embedder=embedder)  # the first read
    assert store.story(sid).headline == before == shown["writeup"]["headline"]
    store.close()
