"""Web archives: WARC and WARC.gz files (one HTML page per response record), and `warc.paths`
lists of local WARC files (as Common Crawl's CC-NEWS publishes them).

Streamed with warcio's `ArchiveIterator`, record by record, from the open file: memory holds
one record's payload at a time (at most the per-article limit), whatever the archive's size.
Only `response` records of status 200 whose payload is HTML are articles; request, metadata
and revisit records, and responses of other types, are passed over silently (a crawl holds
many), while a response that cannot be read or holds no article is one error value.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from storyfold.errors import IngestError
from storyfold.ingest.decode import NotText, decode_bytes
from storyfold.ingest.html import read_html
from storyfold.model import RawDocument

HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc_bytes(head: bytes, suffix: str) -> bool:
    """A WARC, or a gzipped one (each record its own gzip member, as crawlers write them)."""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            return zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


def read_warc(name: str, fh: BinaryIO, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = given = 0
    try:
        for record in ArchiveIterator(fh):
            n += 1
            if record.rec_type != "response":
                continue
            item = _response(name, n, record, max_bytes)
            if item is not None:
                given += 1
                yield item
    except (ArchiveLoadFailed, ValueError, OSError, EOFError, zlib.error) as exc:
        yield IngestError(name, f"WARC unreadable after {n} record(s) ({_line(exc)})")
        return
    if not given:  # one line for a file that gave nothing, as for any unusable input
        yield IngestError(name, f"WARC holds no HTML response of status 200 ({n} record(s))"
                          if n else "WARC unreadable: no record could be parsed")


def _response(name: str, n: int, record: Any, max_bytes: int
              ) -> RawDocument | IngestError | None:
    uri = record.rec_headers.get_header("WARC-Target-URI") or None
    where = f"{name}:{n}"
    http = record.http_headers
    if http is None:
        return None
    status = http.get_statuscode()
    ctype = (http.get_header("Content-Type") or "").lower()
    if status != "200" or ctype.split(";")[0].strip() not in HTML_TYPES:
        return None
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        return IngestError(where, f"response of {uri} larger than the per-article limit")
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in ctype.split(";")[1:]
                    if p.strip().startswith("charset=")), None)
    try:
        html = payload.decode(charset) if charset else decode_bytes(payload)
    except (LookupError, UnicodeDecodeError):
        try:
            html = decode_bytes(payload)
        except NotText as exc:
            return IngestError(where, str(exc))
    except NotText as exc:
        return IngestError(where, str(exc))
    try:
        doc = read_html(name, html, record=uri or str(n))
    except IngestError as exc:
        return IngestError(where, exc.reason + (f" ({uri})" if uri else ""))
    meta = dict(doc.meta)
    if uri:
        meta["url"] = uri
    if "date" not in meta and record.rec_headers.get_header("WARC-Date"):
        meta["date"] = record.rec_headers.get_header("WARC-Date")
        meta["date_from"] = "header"
    return RawDocument(path=name, kind="html", body=doc.body, meta=meta, record=doc.record)


def read_warc_text(name: str, text: str) -> Iterator[RawDocument | IngestError]:
    """An uncompressed WARC already decoded (the table's text entry point)."""
    return read_warc(name, io.BytesIO(text.encode("utf-8", "surrogateescape")),
                     10 * 1024 * 1024)


def read_paths(name: str, fh: BinaryIO, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """Each WARC a `warc.paths` list names, relative to the list's folder; one error for a
    listed file that is missing, the others still read."""
    from storyfold.ingest.files import read_path

    base = Path(name).parent
    for raw in io.TextIOWrapper(fh, encoding="utf-8", errors="replace"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        path = Path(line) if Path(line).is_absolute() else base / line
        if not path.is_file():
            yield IngestError(f"{name}: {line}", "listed WARC file not found (only local "
                                                 "files are read)")
            continue
        yield from read_path(path, max_bytes)


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
