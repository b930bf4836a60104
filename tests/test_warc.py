"""WARC input for `run`: HTML responses of a crawl become articles, streamed record by record;
a CC-NEWS-style folder and a `warc.paths` list are read alike (fixtures written with warcio)."""

from __future__ import annotations

import gzip
from pathlib import Path

from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.errors import IngestError
from storyfold.ingest import iter_documents
from storyfold.store import open_store
from tests.follow_feeds import STORIES, text_of
from tests.warc_fixtures import article_page, warc_file

runner = CliRunner()


def crawl() -> list[tuple[str, int, str, bytes]]:
    pages = [(f"https://courier.example/news/{s['id']}", 200, "text/html; charset=utf-8",
              article_page(s["title"], text_of(s)).encode()) for s in STORIES]
    return [pages[0],
            ("https://courier.example/logo.png", 200, "image/png", b"\x89PNG\r\n\x1a\n"),
            ("https://courier.example/gone", 404, "text/html", b"<html>not here</html>"),
            pages[1],
            ("https://courier.example/empty", 200, "text/html", b"<html><body></body></html>"),
            pages[2]]


def test_html_responses_of_a_warc_gz_are_articles_and_the_rest_is_passed_over(
        tmp_path: Path) -> None:
    f = warc_file(tmp_path / "crawl.warc.gz", crawl())
    got = list(iter_documents([str(f)]))
    docs = [d for d in got if not isinstance(d, IngestError)]
    errors = [d for d in got if isinstance(d, IngestError)]
    assert [d.meta["url"] for d in docs] == [f"https://courier.example/news/{s['id']}"
                                             for s in STORIES]
    assert [d.meta["title"] for d in docs] == [s["title"] for s in STORIES]
    assert "Amalia Renner" in docs[0].body and "Home" not in docs[0].body
    assert all(d.kind == "html" and d.meta.get("date") for d in docs)  # WARC-Date at least
    (empty,) = errors  # the empty page is one error; the image and the 404 are not articles
    assert "courier.example/empty" in str(empty)


def test_an_uncompressed_warc_is_read_too(tmp_path: Path) -> None:
    plain = warc_file(tmp_path / "crawl.warc", crawl()[:1], gzip=False)
    (doc,) = list(iter_documents([str(plain)]))
    assert not isinstance(doc, IngestError) and doc.meta["title"] == STORIES[0]["title"]


def test_a_file_that_is_not_a_warc_inside_is_one_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.warc"
    bad.write_bytes(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: nonsense\r\n\r\n")
    got = list(iter_documents([str(bad)]))
    assert len(got) == 1 and isinstance(got[0], IngestError)
    assert "WARC holds no HTML response" in got[0].reason


def test_a_record_over_the_limit_is_one_error_and_the_others_are_read(tmp_path: Path) -> None:
    big = ("https://courier.example/huge", 200, "text/html",
           article_page("Huge", "word " * 400_000).encode())
    f = warc_file(tmp_path / "crawl.warc.gz", [big, *crawl()[:1]])
    got = list(iter_documents([str(f)], max_bytes=1024 * 1024))
    assert isinstance(got[0], IngestError) and "larger than" in got[0].reason
    assert not isinstance(got[1], IngestError) and got[1].meta["title"] == STORIES[0]["title"]


def test_a_cc_news_folder_and_a_paths_list(tmp_path: Path, db_url: str, embedder) -> None:
    month = tmp_path / "crawl-data" / "CC-NEWS" / "2026" / "12"
    month.mkdir(parents=True)
    warc_file(month / "CC-NEWS-20261201-00000.warc.gz", crawl()[:3])
    warc_file(month / "CC-NEWS-20261201-00001.warc.gz", crawl()[3:])
    listing = tmp_path / "warc.paths"
    listing.write_text("crawl-data/CC-NEWS/2026/12/CC-NEWS-20261201-00000.warc.gz\n"
                       "crawl-data/CC-NEWS/2026/12/CC-NEWS-20261201-00001.warc.gz\n"
                       "crawl-data/CC-NEWS/2026/12/CC-NEWS-20261201-00002.warc.gz\n")
    from_list = list(iter_documents([str(listing)]))
    missing = [d for d in from_list if isinstance(d, IngestError) and "not found" in d.reason]
    assert len(missing) == 1 and "00002" in str(missing[0])
    got = runner.invoke(app, ["run", str(tmp_path / "crawl-data"), "--db", db_url, "-q"])
    assert got.exit_code == 0, got.output
    assert "added 3 article(s)" in got.output
    store = open_store(db_url)
    try:
        assert store.article_count() == 3
    finally:
        store.close()
    gz = gzip.compress(b"not a warc at all")
    (tmp_path / "other.gz").write_bytes(gz)
    (err,) = list(iter_documents([str(tmp_path / "other.gz")]))
    assert isinstance(err, IngestError)  # gzip that is no WARC: the usual binary-file line
