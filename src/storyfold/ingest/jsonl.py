"""JSON and JSON Lines records: `title`, `text`, `date`, `url`, `source`; other fields kept."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from storyfold.errors import IngestError
from storyfold.model import RawDocument

_TEXT_KEYS = ("text", "body", "content", "maintext", "article")
_DATE_KEYS = ("date", "published", "date_publish", "published_at", "pubDate")
_KNOWN = {"title", "url", "source", "author", "lang", "id", "html", *_TEXT_KEYS, *_DATE_KEYS}


def record_to_document(path: str, rec: Any, where: str) -> RawDocument:
    """Map one record; records carrying raw HTML go through the HTML extractor."""
    if not isinstance(rec, dict):
        raise IngestError(f"{path}:{where}", "JSON record is not an object")
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
    meta["extra"] = {k: v for k, v in rec.items() if k not in _KNOWN}
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


def read_json_lines(path: str, lines: Iterable[str]) -> Iterator[RawDocument | IngestError]:
    """One record per line; a bad line is reported and the rest of the file still counts."""
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(f"{path}:{n}", f"invalid JSON ({exc.msg})")
            continue
        try:
            yield record_to_document(path, rec, f"line {n}")
        except IngestError as err:
            yield err


def read_json_document(path: str, text: str) -> Iterator[RawDocument | IngestError]:
    """A whole-file JSON value: one record or an array of records."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        # maybe JSON Lines after all
        if "\n" in text.strip():
            yield from read_json_lines(path, text.splitlines())
            return
        yield IngestError(path, f"invalid JSON ({exc.msg} at line {exc.lineno})")
        return
    records = value if isinstance(value, list) else [value]
    for i, rec in enumerate(records):
        try:
            yield record_to_document(path, rec, f"item {i}")
        except IngestError as err:
            yield err
