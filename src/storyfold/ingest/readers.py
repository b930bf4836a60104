"""The table of readers: one entry per kind of input, used by the file walker and the API.

Why one table: `storyfold run` sniffs a file's kind from its content and `POST /api/articles`
picks a kind from the request's Content-Type; before this table each had its own dispatch, so
a new kind had to be taught to both and they could drift. Now both ask `READERS`, and a kind is
read the same way whichever door it came in by.

How to add a reader (a feed, WARC, ...):
1. Write its read function in a module of its own under `storyfold/ingest/`:
   `read(name, text) -> Iterator[RawDocument | IngestError]`, one error value per unusable
   record (raising `IngestError` for the whole input is fine too: the walker turns it into one
   error value). If the kind can be read line by line without holding the file in memory, also
   give `read_lines(name, lines, max_chars=None)`: the walker then streams files of any
   size, and `max_chars` (the `--max-file-mb` limit) applies to each record, not the file.
2. Add one `Reader` to `READERS` below, at the place in the priority order where its `sniff`
   should be asked (the first reader whose `sniff` says yes reads the file; `text` is last and
   takes everything). `sniff(head, suffix)` sees the first 4,096 characters of the decoded file
   (BOM removed) and the lower-case file suffix; decide by content, let the suffix break ties.
3. To accept it on `POST /api/articles`, give `media_types` (the Content-Types it answers to)
   and `read_one(name, text) -> RawDocument` (one article; raise `IngestError` when it has no
   usable article, `MalformedInput` when the body is not valid syntax for its kind).
4. Add its sample to `tests/test_ingest.py::SAMPLES`: the table tests then check that it is
   sniffed, read, and chosen alike by the walker and the API.

Feeds (each entry a document), WARC and WARC.gz (each HTML response a document, streamed;
`sniff_bytes`/`read_stream`, since a gzipped archive is not text) and `warc.paths` lists are
read here too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from storyfold.errors import IngestError
from storyfold.ingest.feed import read_feed
from storyfold.ingest.html import read_html
from storyfold.ingest.jsonl import (
    parse_record,
    read_json_document,
    read_json_lines,
    record_to_document,
)
from storyfold.ingest.text import read_text
from storyfold.ingest.warc import (
    is_warc_bytes,
    read_paths,
    read_warc,
    read_warc_text,
)
from storyfold.model import RawDocument

Documents = Iterator[RawDocument | IngestError]

_SNIFF_CHARS = 4096
JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})  # names that mean one record per line
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article|div|p)\b",
                         re.I | re.S)
_HTML_ANY = re.compile(r"<(html|body|article|p|div)\b[^>]*>", re.I)
_FEED = re.compile(r"^\s*(<\?xml[^>]*>\s*)?<(rss|feed|rdf:RDF)\b", re.I)


class LineReader(Protocol):
    """A streaming read: (name, lines, largest record in characters) -> documents and errors."""

    def __call__(self, name: str, lines: Iterable[str], /,
                 max_chars: int | None = None) -> Documents: ...


class MalformedInput(ValueError):
    """A body sent as one kind is not valid syntax for it (the client sent broken JSON)."""


@dataclass(frozen=True)
class Reader:
    """One kind of input: how to recognise it, how to read it, which Content-Types mean it."""

    kind: str  # the name errors and RawDocument.kind use ("html", "json", ...)
    sniff: Callable[[str, str], bool]  # (decoded head, lower-case suffix) -> is it this kind?
    read: Callable[[str, str], Documents]  # (name, whole text) -> documents and errors
    read_lines: LineReader | None = None  # streaming read, one record per line
    media_types: tuple[str, ...] = ()  # Content-Types POST /api/articles reads with it
    read_one: Callable[[str, str], RawDocument] | None = None  # one article (the API)
    # binary kinds (WARC.gz): recognised from the file's first bytes before any decoding,
    # then read from the open file, streamed: (name, file, largest record in bytes)
    sniff_bytes: Callable[[bytes, str], bool] | None = None
    read_stream: Callable[[str, BinaryIO, int], Documents] | None = None


# ---- sniffing -----------------------------------------------------------------------------------
def _head(text: str) -> tuple[str, str]:
    head = text[:_SNIFF_CHARS].lstrip("\ufeff")
    return head, head.lstrip()


def _is_feed(text: str, suffix: str) -> bool:
    return bool(_FEED.match(_head(text)[0]))


def _is_warc(text: str, suffix: str) -> bool:
    return _head(text)[1].startswith("WARC/")


def _is_json_value(text: str, suffix: str) -> bool:
    stripped = _head(text)[1]
    return stripped.startswith("{") or stripped.startswith("[")


def _is_json_lines(text: str, suffix: str) -> bool:
    """A first line that is a whole object means one record per line, unless named `.json`.

    (A first record longer than the sniff window: the file walker decides, see `files.py`.)"""
    if not _is_json_value(text, suffix):
        return False
    first = _head(text)[1].split("\n", 1)[0].strip()
    return first.startswith("{") and first.endswith("}") and suffix != ".json"


def _is_html(text: str, suffix: str) -> bool:
    head = _head(text)[0]
    return bool(_HTML_START.match(head)
                or (suffix in {".html", ".htm"} and _HTML_ANY.search(head)))


def _always(text: str, suffix: str) -> bool:
    return True


def _is_warc_paths(text: str, suffix: str) -> bool:
    """A `warc.paths` list (CC-NEWS publishes one per month): WARC file names, one a line."""
    lines = [ln.strip() for ln in _head(text)[0].splitlines() if ln.strip()]
    return suffix == ".paths" and bool(lines) and all(
        ln.endswith((".warc", ".warc.gz")) for ln in (lines[:-1] or lines))


def _read_warc_paths(name: str, text: str) -> Documents:
    import io

    from storyfold.ingest.files import DEFAULT_MAX_BYTES

    return read_paths(name, io.BytesIO(text.encode("utf-8")), DEFAULT_MAX_BYTES)


# ---- reading ------------------------------------------------------------------------------------
def _read_json_lines_text(name: str, text: str) -> Documents:
    return read_json_lines(name, text.splitlines())


def _one_json_record(name: str, text: str) -> RawDocument:
    """One posted record: an object, not an array (each POST is one article)."""
    try:
        rec = parse_record(text)
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except ValueError as exc:  # nested too deeply, an integer too long
        raise MalformedInput(f"not valid JSON ({exc})") from exc
    return record_to_document(name, rec, "request")


def _one(read: Callable[[str, str], RawDocument]) -> Callable[[str, str], Documents]:
    def read_all(name: str, text: str) -> Documents:
        yield read(name, text)
    return read_all


READERS: tuple[Reader, ...] = (
    Reader("feed", _is_feed, read_feed),
    Reader("warc", _is_warc, read_warc_text, sniff_bytes=is_warc_bytes,
           read_stream=read_warc),
    Reader("warc-paths", _is_warc_paths, _read_warc_paths),
    Reader("jsonl", _is_json_lines, _read_json_lines_text, read_lines=read_json_lines),
    Reader("json", _is_json_value, read_json_document,
           # no Content-Type at all: JSON, the API's documented default
           media_types=("application/json", ""), read_one=_one_json_record),
    Reader("html", _is_html, _one(read_html),
           media_types=("text/html", "application/xhtml+xml"), read_one=read_html),
    Reader("text", _always, _one(read_text), media_types=("text/plain",), read_one=read_text),
)


def reader_for_bytes(head: bytes, suffix: str = "") -> Reader | None:
    """The binary reader whose `sniff_bytes` claims a file's first bytes, or None."""
    return next((r for r in READERS if r.sniff_bytes and r.sniff_bytes(head, suffix)), None)


def reader_for(text: str, suffix: str = "") -> Reader:
    """The reader of a decoded file (or its first part): the first in `READERS` that claims it."""
    return next(r for r in READERS if r.sniff(text, suffix))


def sniff_kind(text: str, suffix: str = "") -> str:
    return reader_for(text, suffix).kind


def reader_for_media_type(content_type: str) -> Reader | None:
    """The reader for a request's Content-Type (parameters such as charset ignored), or None.

    A structured-syntax suffix (RFC 6839: `application/ld+json`) falls back to its base type
    (`application/json`) when no reader names the full type.
    """
    ctype = content_type.split(";")[0].strip().lower()
    for candidate in (ctype, _suffix_base(ctype)):
        for reader in READERS:
            if candidate is not None and candidate in reader.media_types and reader.read_one:
                return reader
    return None


def _suffix_base(ctype: str) -> str | None:
    if ctype.endswith("+json"):
        return "application/json"
    return None

