"""Readers: every kind of input becomes a document, or one clear error naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyfold.errors import IngestError
from storyfold.ingest import iter_documents
from storyfold.ingest.readers import (
    READERS,
    MalformedInput,
    reader_for,
    reader_for_media_type,
    sniff_kind,
)
from tests.warc_fixtures import warc_file, warc_text

BODY = (
    "KESTREL BAY, Jun 4 (Harbor Wire) — The town council of Kestrel Bay voted on Tuesday to "
    "close the old ferry pier after engineers found cracks in its pilings, officials said."
)


def _docs(*paths: Path):
    return list(iter_documents([str(p) for p in paths]))


def test_seed_style_text_reads_its_leading_date_token(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(f" date 2024-06-04 {BODY}", encoding="utf-8")
    (doc,) = _docs(f)
    assert doc.kind == "text"
    assert doc.meta["date"] == "2024-06-04"
    assert doc.body.startswith("KESTREL BAY")


def test_front_matter_gives_title_source_url_and_keeps_unknown_fields(tmp_path: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text("---\ntitle: Pier closes\nsource: Bay Times\nurl: https://bay.example/p\n"
                 "date: 2024-06-05\ndesk: metro\n---\n" + BODY, encoding="utf-8")
    (doc,) = _docs(f)
    assert doc.meta["title"] == "Pier closes"
    assert doc.meta["source"] == "Bay Times"
    assert doc.meta["extra"] == {"desk": "metro"}
    assert doc.body.startswith("KESTREL BAY")


def test_html_is_extracted_by_content_even_without_an_html_extension(tmp_path: Path) -> None:
    page = (
        "<!doctype html><html><head><title>Pier closes | Bay Times</title>"
        '<meta property="og:site_name" content="Bay Times">'
        '<meta property="article:published_time" content="2024-06-05T08:00:00Z"></head>'
        "<body><nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav><article>"
        f"<h1>Pier closes</h1><p>{BODY}</p><p>Repairs would cost more than a new pier, the "
        "council's engineer told the meeting on Tuesday evening.</p></article>"
        "<footer>Copyright Bay Times. Subscribe to our newsletter.</footer></body></html>"
    )
    f = tmp_path / "page.dat"
    f.write_text(page, encoding="utf-8")
    (doc,) = _docs(f)
    assert doc.kind == "html"
    assert doc.meta["source"] == "Bay Times"
    assert doc.meta["date"].startswith("2024-06-05")
    assert "KESTREL BAY" in doc.body and "Home" not in doc.body


def test_json_lines_keep_extra_fields_and_report_bad_lines(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    good = {"id": "r1", "title": "Pier", "text": BODY, "date": "2024-06-04", "section": "metro"}
    f.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"title": "headline only"})
                 + "\n" + json.dumps({"url": "https://x.example"}) + "\n")
    docs = _docs(f)
    ok = [d for d in docs if not isinstance(d, IngestError)]
    bad = [d for d in docs if isinstance(d, IngestError)]
    assert len(ok) == 2 and ok[0].meta["extra"] == {"section": "metro"} and ok[0].record == "r1"
    assert ok[1].body == "headline only"
    assert [e.path for e in bad] == [f"{f}:2", f"{f}:line 4"]
    assert "invalid JSON" in bad[0].reason and "no text" in bad[1].reason


def test_bad_files_become_one_error_each_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "nul.bin").write_bytes(b"abc\x00\x01\x02" * 100)
    (tmp_path / "huge.txt").write_bytes(b"word " * (11 * 1024 * 1024 // 5))
    (tmp_path / "latin1.txt").write_bytes(("Le café de la gare a rouvert, a déclaré le maire. "
                                           * 5).encode("latin-1"))
    docs = _docs(tmp_path)
    errors = {Path(d.path).name: d.reason for d in docs if isinstance(d, IngestError)}
    good = {Path(d.path).name: d for d in docs if not isinstance(d, IngestError)}
    assert set(errors) == {"empty.txt", "image.txt", "nul.bin", "huge.txt"}
    assert "empty" in errors["empty.txt"]
    assert "PNG" in errors["image.txt"]
    assert "binary" in errors["nul.bin"]
    assert "too large" in errors["huge.txt"]
    assert "café" in good["latin1.txt"].body
    assert "good.txt" in good


def test_missing_path_is_reported_not_raised(tmp_path: Path) -> None:
    (err,) = _docs(tmp_path / "nope")
    assert isinstance(err, IngestError) and "no such file" in err.reason


def test_sniffing_prefers_content_to_extension() -> None:
    assert sniff_kind('{"title": "x", "text": "y"}\n{"title": "z"}', ".txt") == "jsonl"
    assert sniff_kind("<html><body><p>x</p></body></html>", ".txt") == "html"
    assert sniff_kind("<rss version='2.0'><channel></channel></rss>", ".xml") == "feed"
    assert sniff_kind("Just words <b>with</b> a tag.", ".txt") == "text"


# ---- the table of readers ------------------------------------------------------------------------
PAGE = ("<!doctype html><html><head><title>Pier closes</title></head><body><article>"
        f"<h1>Pier closes</h1><p>{BODY}</p></article></body></html>")
RECORD = {"id": "r1", "title": "Pier closes", "text": BODY, "source": "Bay Times",
          "date": "2024-06-04", "desk": "metro"}
# kind -> (file name, content, the Content-Type the API reads it under, or None)
SAMPLES: dict[str, tuple[str, str, str | None]] = {
    "feed": ("news.xml", "<?xml version='1.0'?><rss version='2.0'><channel><title>Bay Times"
             f"</title><item><title>Pier closes</title><description>{BODY}</description>"
             "</item></channel></rss>", None),
    "warc": ("crawl.warc", warc_text([("https://bay.example/pier", 200, "text/html",
                                       PAGE.encode())]), None),
    "warc-paths": ("warc.paths", "crawl-1.warc.gz\n", None),
    "jsonl": ("records.jsonl", json.dumps(RECORD) + "\n" + json.dumps({**RECORD, "id": "r2"}),
              None),
    "json": ("record.json", json.dumps(RECORD, indent=1), "application/json"),
    "html": ("page.html", PAGE, "text/html"),
    "text": ("story.txt", f"---\ntitle: Pier closes\nsource: Bay Times\n---\n{BODY}",
             "text/plain"),
}


def test_the_table_has_one_reader_per_kind_and_text_takes_the_rest() -> None:
    kinds = [r.kind for r in READERS]
    assert len(kinds) == len(set(kinds)) and set(kinds) == set(SAMPLES)
    assert READERS[-1].kind == "text" and READERS[-1].sniff("anything at all", ".bin")


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_kind_is_sniffed_and_read_through_the_table(tmp_path: Path, kind: str) -> None:
    name, content, _ = SAMPLES[kind]
    assert reader_for(content, Path(name).suffix).kind == kind
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    if kind == "warc-paths":  # the list names a WARC next to it
        warc_file(tmp_path / "crawl-1.warc.gz", [("https://bay.example/pier", 200, "text/html",
                                                  PAGE.encode())])
    docs = _docs(f)
    assert docs and not any(isinstance(d, IngestError) for d in docs)
    assert all("KESTREL BAY" in d.body for d in docs)
    made = {"jsonl": "json", "feed": "text", "warc": "html", "warc-paths": "html"}
    assert {d.kind for d in docs} == {made.get(kind, kind)}
    assert len(docs) == (2 if kind == "jsonl" else 1)


@pytest.mark.parametrize("kind", [k for k, v in SAMPLES.items() if v[2]])
def test_the_api_and_the_walker_pick_the_same_reader_for_the_same_bytes(
        tmp_path: Path, kind: str) -> None:
    name, content, ctype = SAMPLES[kind]
    assert ctype is not None
    walker = reader_for(content, Path(name).suffix)
    api = reader_for_media_type(f"{ctype}; charset=utf-8")
    assert api is walker and api.read_one is not None
    posted = api.read_one("api", content)
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    (walked,) = _docs(f)
    assert not isinstance(walked, IngestError)
    assert (posted.kind, posted.body, posted.meta) == (walked.kind, walked.body, walked.meta)


def test_content_types_map_to_readers_as_the_api_documents() -> None:
    kind = {ct: (r.kind if (r := reader_for_media_type(ct)) else None) for ct in (
        "", "application/json", "application/ld+json", "Application/JSON; charset=utf-8",
        "text/html", "application/xhtml+xml", "text/plain", "application/xml",
        "application/rss+xml", "text/csv")}
    assert kind == {"": "json", "application/json": "json", "application/ld+json": "json",
                    "Application/JSON; charset=utf-8": "json", "text/html": "html",
                    "application/xhtml+xml": "html", "text/plain": "text",
                    "application/xml": None, "application/rss+xml": None, "text/csv": None}


def test_one_posted_record_must_be_a_json_object() -> None:
    reader = reader_for_media_type("application/json")
    assert reader is not None and reader.read_one is not None
    with pytest.raises(MalformedInput, match=r"^not valid JSON \(.* at line 1\)$"):
        reader.read_one("api", "{not json")
    with pytest.raises(IngestError, match="not an object"):
        reader.read_one("api", "[1, 2]")
    assert reader.read_one("api", json.dumps(RECORD)).record == "r1"


# ---- hostile input (issue 13) -------------------------------------------------------------------
def _split(docs: list) -> tuple[list, list[IngestError]]:
    return ([d for d in docs if not isinstance(d, IngestError)],
            [d for d in docs if isinstance(d, IngestError)])


_WRONG = [(f, v) for f in ("lang", "url", "title", "source", "author", "text", "date", "id",
                           "html")
          for v in (["en", "fr"], {"a": 1}, True, 7)
          if not (f in {"date", "id"} and v == 7)]  # a number is a fine timestamp or id


@pytest.mark.parametrize(("field", "value"), _WRONG)
def test_a_record_field_of_the_wrong_type_is_one_error_naming_the_field(
        tmp_path: Path, field: str, value: object) -> None:
    f = tmp_path / "feed.jsonl"
    bad = {"title": "Pier closes", "text": BODY, field: value}
    f.write_text(json.dumps({"title": "Pier", "text": BODY}) + "\n" + json.dumps(bad) + "\n"
                 + json.dumps({"title": "Ferry", "text": BODY + " More."}) + "\n")
    ok, errors = _split(_docs(f))
    assert [d.meta["title"] for d in ok] == ["Pier", "Ferry"]
    (err,) = errors
    assert err.path == f"{f}:line 2" and f"field {field!r} must be" in err.reason


def test_a_deeply_nested_line_is_one_error_and_the_file_goes_on(tmp_path: Path) -> None:
    f = tmp_path / "deep.jsonl"
    f.write_text("[" * 100_000 + "\n" + json.dumps({"title": "Pier", "text": BODY}) + "\n")
    ok, errors = _split(_docs(f))
    assert len(ok) == 1 and len(errors) == 1 and "nested too deeply" in errors[0].reason
    g = tmp_path / "deep.json"
    g.write_text("[" * 100_000)
    (err,) = _docs(g)
    assert isinstance(err, IngestError) and "nested too deeply" in err.reason


def test_the_api_record_gets_the_same_checks() -> None:
    reader = reader_for_media_type("application/json")
    assert reader is not None and reader.read_one is not None
    with pytest.raises(IngestError, match="field 'lang' must be text, not a list"):
        reader.read_one("request", json.dumps({"text": BODY, "lang": ["en"]}))
    with pytest.raises(MalformedInput, match="nested too deeply"):
        reader.read_one("request", "[" * 100_000)


def test_extra_fields_are_kept_when_storable_as_json_and_dropped_otherwise() -> None:
    from storyfold.ingest.jsonl import record_to_document

    doc = record_to_document("x", {"text": BODY, "tags": ["a", {"b": 1}], "n": float("nan")}, "1")
    assert doc.meta["extra"] == {"tags": ["a", {"b": 1}]}


def test_large_json_lines_with_a_long_first_record_are_read_record_by_record(
        tmp_path: Path) -> None:
    long_first = {"title": "Long one", "text": BODY + " " + "filler words here " * 5000}
    rows = [long_first] + [{"id": f"r{i}", "title": f"Pier {i}", "text": BODY}
                           for i in range(1000)]
    content = "".join(json.dumps(r) + "\n" for r in rows)
    assert len(json.dumps(long_first)) > 65536
    for name in ("big.jsonl", "big.txt"):  # by its suffix, or by reading its first line through
        f = tmp_path / name
        f.write_text(content, encoding="utf-8")
        docs = list(iter_documents([str(f)], max_bytes=len(content) // 2))
        ok, errors = _split(docs)
        assert errors == [] and len(ok) == 1001 and ok[0].meta["title"] == "Long one"
    # the limit is then one record's: the long one alone is too large
    docs = list(iter_documents([str(tmp_path / "big.jsonl")], max_bytes=65536))
    ok, errors = _split(docs)
    assert len(ok) == 1000 and len(errors) == 1 and "record too large" in errors[0].reason
    assert errors[0].path.endswith("big.jsonl:1")


# Our own sentences, one per language, with the accented letters each uses most.
WESTERN = {
    "fr": "Le maire a déclaré à la presse que la gare rouvrira à l'été, après des mois de "
          "travaux coûteux sur les quais où les trains s'arrêtaient.",
    "fr-short": "Le maire a déclaré à la presse que la gare rouvrira à l'été.",
    "de": "Die Brücke über den Fluss wird für Fußgänger erst nächste Woche geöffnet, sagte "
          "die Bürgermeisterin.",
    "es": "El alcalde dijo que mañana habrá más autobuses en la región y que la estación "
          "abrirá según lo previsto.",
}


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize("lang", sorted(WESTERN))
def test_western_european_text_in_a_legacy_encoding_is_read_as_written(
        tmp_path: Path, lang: str, encoding: str) -> None:
    f = tmp_path / f"{lang}.txt"
    f.write_bytes(WESTERN[lang].encode(encoding))
    (doc,) = _docs(f)
    assert not isinstance(doc, IngestError) and doc.body == WESTERN[lang]


def test_cyrillic_in_cp1251_is_not_taken_for_western_text(tmp_path: Path) -> None:
    text = "Мэр города сказал журналистам, что вокзал снова откроется летом после ремонта."
    f = tmp_path / "ru.txt"
    f.write_bytes(text.encode("cp1251"))
    (doc,) = _docs(f)
    assert not isinstance(doc, IngestError) and doc.body == text


def test_a_guessed_encoding_is_named_and_a_sure_one_is_not(tmp_path: Path) -> None:
    """Bytes that are neither UTF-8 nor Western text are read by a statistical guess; the
    document says which, so the run can tell the user what to check."""
    text = "Мэр города сказал журналистам, что вокзал снова откроется летом после ремонта."
    (tmp_path / "ru.txt").write_bytes(text.encode("cp1251"))
    (tmp_path / "fr.txt").write_bytes(WESTERN["fr-short"].encode("latin-1"))
    (tmp_path / "en.txt").write_text(BODY, encoding="utf-8")
    docs = {Path(d.path).name: d for d in _docs(tmp_path) if not isinstance(d, IngestError)}
    assert docs["ru.txt"].encoding_guess == "cp1251"
    assert docs["fr.txt"].encoding_guess is None and docs["en.txt"].encoding_guess is None


def test_a_run_says_which_file_was_read_by_a_guessed_encoding(tmp_path: Path) -> None:
    from storyfold.pipeline import Pipeline
    from storyfold.store import open_store

    text = ("Мэр города сказал журналистам, что вокзал снова откроется летом после ремонта. "
            * 4)
    (tmp_path / "ru.txt").write_bytes(text.encode("cp1251"))
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    report = Pipeline(store, provenance=False).add(iter_documents([str(tmp_path / "ru.txt")]))
    assert report.added == 1
    assert [w for w in report.warnings if "ru.txt" in w and "cp1251" in w and "guess" in w]


def test_a_file_name_that_is_not_utf8_is_read_and_printable(tmp_path: Path) -> None:
    import os

    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(BODY.encode())
    (doc,) = _docs(tmp_path)
    assert not isinstance(doc, IngestError) and doc.path.endswith("caf\\xe9.txt")
    doc.path.encode("utf-8")  # storable and printable: no lone surrogates


def test_things_that_are_not_regular_files_are_one_error_each_and_never_block(
        tmp_path: Path) -> None:
    import os

    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "dangling.jsonl").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop.jsonl").symlink_to(tmp_path / "loop.jsonl")
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    (tmp_path / "dir.jsonl" / "inner.txt").write_text(BODY, encoding="utf-8")
    docs = _docs(tmp_path)
    ok, errors = _split(docs)
    assert sorted(Path(d.path).name for d in ok) == ["good.txt", "inner.txt"]
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert set(reasons) == {"dangling.jsonl", "loop.jsonl", "pipe.jsonl"}
    assert "broken symbolic link" in reasons["dangling.jsonl"]
    assert "symbolic links" in reasons["loop.jsonl"]
    assert reasons["pipe.jsonl"] == "not a regular file"
    (fifo,) = _docs(tmp_path / "pipe.jsonl")  # named directly
    assert isinstance(fifo, IngestError) and fifo.reason == "not a regular file"


def test_an_unreadable_file_is_one_error(tmp_path: Path) -> None:
    import os

    f = tmp_path / "secret.txt"
    f.write_text(BODY, encoding="utf-8")
    f.chmod(0)
    if os.access(f, os.R_OK):
        pytest.skip("running as root: mode 000 does not stop reading")
    (err,) = _docs(tmp_path)
    assert isinstance(err, IngestError) and "cannot read (Permission denied)" in err.reason


def test_utf8_with_one_stray_byte_keeps_its_accents(tmp_path: Path) -> None:
    text = WESTERN["fr"]
    f = tmp_path / "damaged.txt"
    f.write_bytes(text.encode("utf-8") + b" \xff fin.")
    (doc,) = _docs(f)
    assert not isinstance(doc, IngestError) and doc.body == text + " \ufffd fin."


def test_a_number_is_still_a_fine_id_or_date_and_lone_surrogates_are_replaced() -> None:
    from storyfold.ingest.jsonl import record_to_document

    doc = record_to_document("x", {"id": 7, "date": 20240604, "text": BODY + " \ud800"}, "1")
    assert doc.record == "7" and doc.meta["date"] == "20240604"
    assert doc.body.endswith("\ufffd")


def test_a_line_of_binary_junk_in_a_small_json_lines_file_is_that_lines_error_only(
        tmp_path: Path) -> None:
    """Found by the fuzz suite: a JSON Lines file under 64 KB was decoded whole, so one line
    holding NUL bytes made it "a binary file" and cost every good record in it."""
    good = json.dumps({"id": "g1", "title": "Harbour", "text": BODY})
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(good.encode() + b"\n" + b"junk \x00\x01\x02 junk\n" + good.replace(
        "g1", "g2").encode() + b"\n")
    docs = list(iter_documents([str(f)]))
    errors = [d for d in docs if isinstance(d, IngestError)]
    assert [d.record for d in docs if not isinstance(d, IngestError)] == ["g1", "g2"]
    assert len(errors) == 1 and errors[0].path.endswith("mixed.jsonl:2")
