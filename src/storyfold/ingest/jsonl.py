"""JSON and JSON Lines records: `title`, `text`, `date`, `url`, `source`; other fields kept.

Records come from outside (files, `POST /api/articles`), so every field is checked here, at the
one place both doors share: a field of the wrong type (a list where a title belongs, an object
as `lang`) makes the record one `IngestError` naming the field, never a value that reaches the
store and fails there for the whole batch.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from storyfold.errors import IngestError
from storyfold.model import RawDocument

log = logging.getLogger(__name__)

_TEXT_KEYS = ("text", "body", "content", "maintext", "article")
_DATE_KEYS = ("date", "published", "date_publish", "published_at", "pubDate")
_META_KEYS = ("title", "url", "source", "author", "lang")  # text or null
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_KNOWN = {"title", "url", "source", "author", "lang", "id", "html", *_TEXT_KEYS, *_DATE_KEYS}


def megabytes(n: int) -> str:
    """A size limit for messages: whole MB as before, two digits below one (`--max-file-mb
    0.02`), so a small limit never reads "0 MB"."""
    return f"{n / 1e6:.0f}" if n >= 1e6 else f"{n / 1e6:.2g}"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _bad(where: str, key: str, value: Any, expected: str) -> IngestError:
    return IngestError(where, f"field {key!r} must be {expected}, not {_type_name(value)}")


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_fields(rec: dict[str, Any], where: str) -> None:
    """Raise one IngestError for the first field whose type cannot be what it names."""
    for key in (*_META_KEYS, *_TEXT_KEYS, "html"):
        value = rec.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad(where, key, value, "text")
    rid = rec.get("id")
    if rid is not None and not isinstance(rid, str) and not _is_number(rid):
        raise _bad(where, "id", rid, "text or a number")
    for key in _DATE_KEYS:  # a number may be a timestamp: kept as its text, as before
        value = rec.get(key)
        if value is not None and not isinstance(value, str) and not _is_number(value):
            raise _bad(where, key, value, "text or a number")


def _clean_strings(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with lone surrogates (JSON allows `"\\ud800"`, UTF-8 does not) replaced by
    U+FFFD in its text fields: left in, they fail the tokenizer and the store for the batch."""
    return {k: (_LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v)
            for k, v in rec.items()}


def _extra(rec: dict[str, Any], where: str) -> dict[str, Any]:
    """Unknown fields, kept when they can be stored as JSON; others dropped with the reason."""
    kept: dict[str, Any] = {}
    for key, value in rec.items():
        if key in _KNOWN:
            continue
        try:
            json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as exc:  # UnicodeError is a ValueError
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            log.warning("%s: dropped field %r (not storable as JSON: %s)", where, key, reason)
            continue
        kept[key] = value
    return kept


def record_to_document(path: str, rec: Any, where: str) -> RawDocument:
    """Map one record; records carrying raw HTML go through the HTML extractor."""
    if not isinstance(rec, dict):
        raise IngestError(f"{path}:{where}", "JSON record is not an object")
    _check_fields(rec, f"{path}:{where}")
    rec = _clean_strings(rec)
    rid = str(rec.get("id") or where)
    meta: dict[str, Any] = {
        "title": rec.get("title"),
        "url": rec.get("url"),
        "source": rec.get("source"),
        "author": rec.get("author"),
        "lang": rec.get("lang"),
        "date_from": "metadata",
    }
    for key in _DATE_KEYS:
        if rec.get(key):
            meta["date"] = str(rec[key])
            break
    meta["extra"] = _extra(rec, f"{path}:{where}")
    text = next((rec[k] for k in _TEXT_KEYS if isinstance(rec.get(k), str) and rec[k].strip()),
                None)
    if text is None and isinstance(rec.get("html"), str):
        from storyfold.ingest.html import read_html

        doc = read_html(f"{path}:{where}", rec["html"], record=rid)
        merged = {**doc.meta, **{k: v for k, v in meta.items() if v}}
        return RawDocument(path=path, kind="html", body=doc.body, meta=merged, record=rid)
    if text is None and isinstance(rec.get("title"), str) and rec["title"].strip():
        text = rec["title"]  # headline-only items (feeds, wires) are still news
    if text is None:
        raise IngestError(f"{path}:{where}", "JSON record has no text (expected a 'text' field)")
    return RawDocument(
        path=path, kind="json", body=text, meta={k: v for k, v in meta.items() if v}, record=rid
    )


def parse_record(text: str) -> Any:
    """`json.loads`, with the failures hostile input can cause turned into ValueError.

    Deep nesting (a line of 100,000 `[`) raises RecursionError inside the parser; integers
    longer than Python's digit limit raise a plain ValueError. Both are one bad record.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("record nested too deeply") from None


def _invalid(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg})"
    return str(exc) if "nested" in str(exc) else f"invalid JSON ({exc})"


def read_json_lines(path: str, lines: Iterable[str],
                    max_chars: int | None = None) -> Iterator[RawDocument | IngestError]:
    """One record per line; a bad line is reported and the rest of the file still counts.

    `max_chars` is the size limit for one record (one article), so a large file of small
    records is read whole while one oversized record is skipped alone."""
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if max_chars is not None and len(line.rstrip("\r\n")) > max_chars:
            yield IngestError(f"{path}:{n}", f"record too large (over the {megabytes(max_chars)} "
                                             "MB limit for one article; raise --max-file-mb)")
            continue
        try:
            rec = parse_record(line)
        except ValueError as exc:
            yield IngestError(f"{path}:{n}", _invalid(exc))
            continue
        try:
            yield record_to_document(path, rec, f"line {n}")
        except IngestError as err:
            yield err


def read_json_document(path: str, text: str) -> Iterator[RawDocument | IngestError]:
    """A whole-file JSON value: one record or an array of records."""
    try:
        value = parse_record(text)
    except ValueError as exc:
        # maybe JSON Lines after all
        if "\n" in text.strip():
            yield from read_json_lines(path, text.splitlines())
            return
        if isinstance(exc, json.JSONDecodeError):
            yield IngestError(path, f"invalid JSON ({exc.msg} at line {exc.lineno})")
        else:
            yield IngestError(path, _invalid(exc))
        return
    records = value if isinstance(value, list) else [value]
    for i, rec in enumerate(records):
        try:
            yield record_to_document(path, rec, f"item {i}")
        except IngestError as err:
            yield err
