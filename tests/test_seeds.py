"""The example that started it: three real articles on one event (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

from storyfold.output.json import story_json


def _by_file(story: dict) -> dict[str, dict]:
    return {Path(a["path"]).name[:3]: a for a in story["articles"]}


def test_the_three_seeds_fold_into_one_story_with_the_wire_copy_as_original(
    pipeline, seeds_dir: Path
) -> None:
    from storyfold.ingest import iter_documents

    report = pipeline.add(iter_documents([str(seeds_dir)]))
    assert report.added == 3 and not report.errors
    stories = [story_json(pipeline.store, r) for r in pipeline.store.iter_stories()]
    assert len(stories) == 1
    arts = _by_file(stories[0])
    assert set(arts) == {"000", "001", "004"}
    orig = arts["004"]
    assert orig["role"] == "original"
    assert orig["published"].startswith("2023-11-01")
    assert orig["dateline"] == "ASTANA"
    assert "Reuters" in {c["agency"] for c in orig["credits"]}
    for key in ("000", "001"):
        assert arts[key]["role"] == "rewrite"
        assert arts[key]["derived_from"] == orig["id"]


def test_no_trailer_text_is_stored_and_trailer_headlines_join_no_story(
    pipeline, seeds_dir: Path
) -> None:
    from storyfold.ingest import iter_documents

    pipeline.add(iter_documents([str(seeds_dir)]))
    store = pipeline.store
    ids = [m.article_id for r in store.iter_stories() for m in r.members]
    texts = [a.text for a in store.articles(ids).values()]
    assert len(texts) == 3
    for text in texts:
        assert "SIMILAR NEWS" not in text
        assert "Read more" not in text
        assert not text.rstrip().endswith("COMMENTS")
        for unrelated in ("mining disaster", "Causeway", "enrolment fee"):
            assert unrelated not in text
