"""CLI: listing, one story, JSON contract, eval on labelled files, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from storyfold.cli import app

from .test_pipeline import ELECTION, QUAKE, QUAKE_REWRITE

runner = CliRunner()


def _corpus(tmp_path: Path) -> Path:
    rows = [
        {"id": "q1", "title": "Quake kills 14 in Miraval", "text": QUAKE, "date": "2025-02-03",
         "source": "Harbor Wire", "cluster": "quake"},
        {"id": "q2", "title": "Tremor topples Miraval blocks", "text": QUAKE_REWRITE,
         "date": "2025-02-04", "source": "Daily Meridian", "cluster": "quake"},
        {"id": "e1", "title": "Lind elected Torvik mayor", "text": ELECTION, "date": "2025-02-03",
         "source": "Civic Post", "cluster": "vote"},
    ]
    f = tmp_path / "labelled.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return f


def test_stories_and_story_speak_the_documented_json_shape(tmp_path: Path, db_url: str,
                                                           embedder) -> None:
    f = _corpus(tmp_path)
    assert runner.invoke(app, ["run", str(f), "--db", db_url, "-q"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["stories", "--db", db_url, "--json"]).stdout)
    assert len(listed["stories"]) == 2
    for s in listed["stories"]:
        assert {"id", "headline", "first_seen", "articles"} <= set(s)
        for a in s["articles"]:
            assert {"id", "path", "source", "title", "published", "role", "derived_from",
                    "links"} <= set(a)
            assert a["role"] in {"original", "copy", "rewrite", "independent"}
            for ln in a["links"]:
                assert {"to", "kind", "score"} <= set(ln)
                assert ln["kind"] in {"exact", "near", "rewrite", "same_story"}
    quake = next(s for s in listed["stories"] if len(s["articles"]) == 2)
    one = runner.invoke(app, ["story", quake["id"], "--db", db_url, "--json"])
    assert json.loads(one.stdout)["id"] == quake["id"]
    table = runner.invoke(app, ["story", quake["id"], "--db", db_url])
    assert "Quake kills 14" in table.stdout and "rewrite" in table.stdout


def test_unknown_story_is_one_clear_error(db_url: str) -> None:
    result = runner.invoke(app, ["story", "nope", "--db", db_url])
    assert result.exit_code == 2 and "no story with id 'nope'" in result.stderr


def test_eval_scores_stories_from_a_labelled_file(tmp_path: Path, embedder) -> None:
    result = runner.invoke(app, ["eval", str(_corpus(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["articles"] == 3 and figures["n_gold"] == 2
    assert figures["bcubed_f1"] == 1.0 and figures["pairwise_f1"] == 1.0
    assert figures["docs_per_s"] > 0 and figures["peak_rss_mb"] > 0


def test_eval_pairs_reports_cross_validated_accuracy(tmp_path: Path, embedder) -> None:
    pairs = [
        ("The council closed the pier on Tuesday.", "On Tuesday the pier was closed by the "
         "council.", 1),
        ("Rescuers pulled two children from the rubble.", "Two children were rescued from the "
         "debris by rescue teams.", 1),
        ("The bank raised rates by a quarter point.", "Shares of the bank fell sharply on "
         "Friday.", 0),
        ("The mayor promised to freeze bus fares.", "Heavy snow closed the mountain pass.", 0),
    ] * 3
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps({"id1": str(i), "id2": f"{i}b", "text1": a, "text2": b,
                                     "label": y}) + "\n" for i, (a, b, y) in enumerate(pairs)))
    figures = json.loads(runner.invoke(app, ["eval", str(f), "--mode", "pairs", "--json",
                                             ]).stdout)
    assert figures["pairs"] == 12 and figures["cv_accuracy"] == 1.0
