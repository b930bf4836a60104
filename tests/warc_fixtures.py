"""WARC files for the tests, written with warcio (the pages are written for these tests)."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def article_page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><nav>Home</nav>"
            f"<article><h1>{title}</h1><p>{body}</p></article></body></html>")


def write_warc(out: io.BufferedIOBase | io.BytesIO,
               responses: list[tuple[str, int, str, bytes]], gzip: bool = True) -> None:
    """A crawl: a warcinfo record, then a request and a response per (url, status, content
    type, payload)."""
    w = WARCWriter(out, gzip=gzip)
    w.write_record(w.create_warcinfo_record("crawl.warc.gz", {"software": "tests"}))
    for url, status, ctype, payload in responses:
        req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        w.write_record(w.create_warc_record(url, "request", http_headers=req))
        http = StatusAndHeaders(f"{status} {'OK' if status == 200 else 'Other'}",
                                [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                            http_headers=http))


def warc_file(path: Path, responses: list[tuple[str, int, str, bytes]], gzip: bool = True
              ) -> Path:
    with path.open("wb") as fh:
        write_warc(fh, responses, gzip=gzip)
    return path


def warc_text(responses: list[tuple[str, int, str, bytes]]) -> str:
    buf = io.BytesIO()
    write_warc(buf, responses, gzip=False)
    return buf.getvalue().decode("utf-8")
