"""Showing a story: comparison and write-up computed on first display, cached per membership.

The fixture below is a small story written for these tests (a library roof gives way under
snow in Orlen): the wire original (Tuesday), an aggregator's verbatim copy with a photo
caption and a "SIMILAR NEWS" trailer, a rewrite that moves the day to Wednesday and rewords a
quote, and an independent local report with its own witness; plus an unrelated story (a
harbour strike), so that the store holds more than one story. test_cli.py and
test_summary.py use it too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyfold.analyze.service import fresh_analysis
from storyfold.errors import StoreError
from storyfold.ingest import iter_documents
from storyfold.output.json import story_detail, story_json
from storyfold.store import open_store

ORIGINAL = (
    "ORLEN, March 4 (Harbor Wire) — Part of the roof of the Orlen Public Library collapsed on "
    "Tuesday morning after days of heavy snow, injuring two staff members and forcing the "
    "evacuation of about 40 visitors, city officials said.\n\n"
    "The reading room's timber ceiling gave way at about 9:30 a.m., Fire Captain Mara Quist "
    "said. Both injured workers were taken to Orlen General Hospital with cuts and bruises.\n\n"
    "“We heard a crack like a rifle shot, and then the plaster came down,” said librarian "
    "Tomas Ekberg. “Everyone was outside within three minutes.”\n\n"
    "City engineer Pavla Rind said snow on the flat roof had reached nearly 60 centimetres. "
    "The library, built in 1962, will stay closed for at least two weeks while inspectors "
    "check the structure.\n\n"
    "Mayor Jonna Vale said the city would review every public building with a flat roof "
    "before the next storm."
)
CAPTION = "Firefighters stand outside the Orlen Public Library on Tuesday. Photo via Harbor Wire"
TRAILER = ("SIMILAR NEWS:\n\nMetro Digest: Snowstorm closes the northern highway for a second "
           "night\n\nSource: metrodigest | Read more ⮕")
REWRITE = (
    "Heavy snow brought down part of the roof of Orlen's public library on Wednesday, hurting "
    "two employees and prompting about 40 visitors to flee the building, according to city "
    "officials.\n\n"
    "The timber ceiling above the reading room collapsed shortly after 9:30 a.m., said Fire "
    "Captain Mara Quist, adding that the two injured staff were treated at Orlen General "
    "Hospital for cuts and bruises.\n\n"
    "“We heard a crack like a gunshot, and then the plaster fell,” librarian Tomas Ekberg "
    "said. “Everyone was outside within three minutes.”\n\n"
    "According to city engineer Pavla Rind, almost 60 centimetres of snow had built up on the "
    "flat roof. The 1962 building is expected to remain shut for at least two weeks for "
    "structural checks."
)
INDEPENDENT = (
    "ORLEN — Patrons who were inside the Orlen Public Library when its roof collapsed on "
    "Tuesday described a sudden roar and a cloud of dust.\n\n"
    "“I was reading the newspapers and the whole ceiling bowed,” said Ida Marsh, 67, a "
    "retired nurse. “Then it just dropped.”\n\n"
    "Two staff members were hurt, Fire Captain Mara Quist said, and about 40 people left the "
    "building safely.\n\n"
    "The city said the library will remain closed for at least two weeks."
)
STRIKE = (
    "PORT KESSEL, March 4 (Harbor Wire) — Dock workers at Port Kessel walked off the job on "
    "Tuesday in a dispute over night-shift pay, halting the loading of about a dozen cargo "
    "ships, the Kessel Dockers Union said.\n\n"
    "“We will stay out until the night rate is restored,” union secretary Arno Velde told "
    "reporters at the gate. The port authority said talks would resume on Thursday.\n\n"
    "The strike is the first at the port since 2019, when a three-day stoppage delayed fruit "
    "shipments across the region."
)

TITLES = {
    "orig": "Roof collapses at Orlen public library, two staff hurt [updated]",
    "copy": "Roof collapses at Orlen public library, two staff hurt [updated]",
    "rewrite": "Snow-laden roof caves in at Orlen library",
    "local": "Library roof gives way under snow; patrons recall escape",
    "strike": "Port Kessel dock workers strike over night pay",
}


def records() -> list[dict]:
    """The fixture as JSON Lines records (the copy carries its caption and trailer)."""
    return [
        {"id": "orig", "title": TITLES["orig"], "text": ORIGINAL, "date": "2025-03-04",
         "source": "Harbor Wire", "url": "https://harborwire.example/orlen-library-roof"},
        {"id": "copy", "title": TITLES["copy"], "date": "2025-03-04",
         "text": f"{CAPTION}\n\n{ORIGINAL}\n\n{TRAILER}", "source": "Metro Digest",
         "url": "https://metrodigest.example/story/orlen-library-roof-1182"},
        {"id": "rewrite", "title": TITLES["rewrite"], "text": REWRITE, "date": "2025-03-05",
         "source": "Valley Post", "url": "https://valleypost.example/orlen-library-roof"},
        {"id": "local", "title": TITLES["local"], "text": INDEPENDENT, "date": "2025-03-04",
         "source": "Orlen Courier", "url": "https://orlencourier.example/library-roof"},
        {"id": "strike", "title": TITLES["strike"], "text": STRIKE, "date": "2025-03-04",
         "source": "Harbor Wire", "url": "https://harborwire.example/port-kessel-strike"},
    ]


def write(tmp_path: Path, ids: list[str] | None = None, name: str = "orlen.jsonl") -> Path:
    """Write (some of) the records to a JSON Lines file and return its path."""
    rows = [r for r in records() if ids is None or r["id"] in ids]
    f = tmp_path / name
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                 encoding="utf-8")
    return f


# ---- helpers --------------------------------------------------------------------------------
class CountingEmbedder:
    """The real embedder, counting the sentences it is asked to embed."""

    def __init__(self, real) -> None:
        self.real = real
        self.texts: list[str] = []

    def embed(self, texts, max_tokens=None):
        self.texts.extend(texts)
        return self.real.embed(texts, max_tokens=max_tokens)


def _library(pipeline):
    return next(r for r in pipeline.store.iter_stories() if len(r.members) > 1)


def _strike(pipeline):
    return next(r for r in pipeline.store.iter_stories() if len(r.members) == 1)


# ---- tests ----------------------------------------------------------------------------------
def test_detail_adds_comparison_and_writeup_keeping_the_story_shape(
        pipeline, tmp_path: Path, embedder) -> None:
    pipeline.add(iter_documents([str(write(tmp_path))]))
    rec = _library(pipeline)
    data = story_detail(pipeline.store, rec, embedder)
    plain = story_json(pipeline.store, rec, with_evidence=True)
    assert set(plain) <= set(data)
    assert {"quotes", "claims", "conflicts", "entities", "summary", "timeline", "events"} <= set(
        data)
    assert [a["id"] for a in data["articles"]] == [a["id"] for a in plain["articles"]]
    for a in data["articles"]:
        assert {"derived_from", "evidence"} <= set(a)
    json.dumps(data)  # JSON-ready throughout
    ids = {a["id"] for a in data["articles"]}
    for s in data["summary"]:
        assert {"text", "citations", "single_source"} <= set(s)
        assert s["citations"] and set(s["citations"]) <= ids
    assert [t["article"] for t in data["timeline"]] and {t["article"] for t in
                                                          data["timeline"]} == ids
    assert data["headline"] in {TITLES["orig"], TITLES["rewrite"], TITLES["local"]}


def test_a_story_shown_again_is_read_from_the_cache(pipeline, tmp_path: Path, embedder,
                                                    monkeypatch) -> None:
    pipeline.add(iter_documents([str(write(tmp_path))]))
    rec = _library(pipeline)
    first = story_detail(pipeline.store, rec, embedder)

    def boom(*_a, **_k):
        raise AssertionError("recomputed a story whose membership did not change")

    monkeypatch.setattr("storyfold.analyze.compare.compare_story", boom)
    again = story_detail(pipeline.store, pipeline.store.story(rec.id), embedder)
    assert again == json.loads(json.dumps(first))


def test_a_new_member_recomputes_only_its_story_and_embeds_only_its_sentences(
        pipeline, tmp_path: Path, embedder, monkeypatch) -> None:
    pipeline.add(iter_documents([str(write(tmp_path, ["orig", "copy", "local", "strike"]))]))
    counting = CountingEmbedder(embedder)
    library, strike = _library(pipeline), _strike(pipeline)
    story_detail(pipeline.store, library, counting)
    story_detail(pipeline.store, strike, counting)
    strike_before = pipeline.store.writeup(strike.id)
    key_before = pipeline.store.writeup(library.id)[0]
    saved: list[str] = []
    save_writeup = pipeline.store.save_writeup

    def recording(story_id: str, *a, **k) -> None:
        saved.append(story_id)
        save_writeup(story_id, *a, **k)

    monkeypatch.setattr(pipeline.store, "save_writeup", recording)

    report = pipeline.add(iter_documents([str(write(tmp_path, ["rewrite"], "more.jsonl"))]))
    assert report.added == 1 and set(report.assignments.values()) == {library.id}
    counting.texts.clear()
    library = pipeline.store.story(library.id)
    data = story_detail(pipeline.store, library, counting)
    assert pipeline.store.writeup(library.id)[0] != key_before
    assert len(data["articles"]) == 4
    # nothing of the members already shown was embedded again (the newcomer's sentences
    # may come from the lead-sentence vectors `run` stored; titles are for the headline)
    rewrite_text = " ".join(REWRITE.split())
    embedded = [t for t in counting.texts if t not in TITLES.values()]
    assert all(t in rewrite_text for t in embedded)
    assert set(pipeline.store.summary_vectors(m.article_id for m in library.members)) == {
        m.article_id for m in library.members}
    # the other story was not touched
    assert saved == [library.id]
    assert strike_before is not None and pipeline.store.writeup(strike.id) == strike_before


def test_a_store_that_cannot_cache_still_shows_the_story(pipeline, tmp_path: Path, embedder,
                                                         monkeypatch, caplog) -> None:
    pipeline.analyze = False  # `run --no-analyze`: the story is analysed when shown
    pipeline.add(iter_documents([str(write(tmp_path))]))
    rec = _library(pipeline)

    def refuse(*_a, **_k):
        raise StoreError("cannot cache: read-only store")

    monkeypatch.setattr(pipeline.store, "save_writeup", refuse)
    data = story_detail(pipeline.store, rec, embedder)
    assert data["summary"] and "read-only" in caplog.text
    assert pipeline.store.writeup(rec.id) is None


def test_listings_and_the_writeup_show_one_headline_until_membership_changes(
        pipeline, tmp_path: Path, embedder) -> None:
    pipeline.analyze = False  # `run --no-analyze`: the story is analysed when shown
    pipeline.add(iter_documents([str(write(tmp_path, ["orig", "copy", "local"]))]))
    rec = _library(pipeline)
    pipeline.store.save_writeup(rec.id, "other-key", {"writeup": {"headline": "Stale"}})
    assert story_json(pipeline.store, pipeline.store.story(rec.id))["headline"] != "Stale"
    data = story_detail(pipeline.store, rec, embedder)
    assert story_json(pipeline.store, pipeline.store.story(rec.id))["headline"] == data[
        "headline"]
    pipeline.add(iter_documents([str(write(tmp_path, ["rewrite"], "more.jsonl"))]))
    rec = pipeline.store.story(rec.id)
    assert len(rec.members) == 4 and fresh_analysis(pipeline.store, rec) is None


def test_a_writeup_cannot_be_cached_for_an_unknown_story(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(StoreError):
        store.save_writeup("no-such-story", "k", {})
    store.close()


def test_markdown_escaping_leaves_article_text_inert() -> None:
    from storyfold.output.markdown import md_escape

    assert md_escape("*bold* _it_ [a](http://x) <b>x</b> `c` a|b ~~s~~ &amp; AT&T") == (
        "\\*bold\\* \\_it\\_ \\[a\\](http://x) \\<b\\>x\\</b\\> \\`c\\` a\\|b \\~\\~s\\~\\~ "
        "\\&amp; AT&T")
    assert md_escape("# Not a heading") == "\\# Not a heading"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("1. not a list either") == "1\\. not a list either"
    assert md_escape("> not a quote\n\nsecond paragraph") == "\\> not a quote second paragraph"


def test_an_analyzer_kept_between_views_reads_only_the_new_member(
        pipeline, tmp_path: Path, embedder, monkeypatch) -> None:
    pipeline.analyze = False  # `run --no-analyze`: the story is analysed when shown
    from storyfold.analyze import analysis
    from storyfold.analyze.service import StoryAnalyzer, story_analysis

    pipeline.add(iter_documents([str(write(tmp_path, ["orig", "copy", "local"]))]))
    read: list[str] = []
    annotate = analysis.annotate

    def counting(texts, *a, **k):
        read.extend(texts)
        return annotate(texts, *a, **k)

    monkeypatch.setattr(analysis, "annotate", counting)
    analyzer = StoryAnalyzer(embedder=embedder)
    story_analysis(pipeline.store, _library(pipeline), analyzer=analyzer)
    assert len(read) == 3 and len(analyzer.cache) == 3  # compare and write-up: one read each
    pipeline.add(iter_documents([str(write(tmp_path, ["rewrite"], "more.jsonl"))]))
    read.clear()
    data = story_analysis(pipeline.store, _library(pipeline), analyzer=analyzer)
    assert len(data["comparison"]["entities"]) and len(read) == 1
    assert " ".join(read[0].split()) == " ".join(REWRITE.split())
