"""Plain-text articles: scraped dumps (a leading `date YYYY-MM-DD` token) or front matter."""

from __future__ import annotations

import re

from storyfold.model import RawDocument

_DATE_TOKEN = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
_FRONT_MATTER = re.compile(r"^\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_KNOWN = {"title", "source", "url", "date", "author", "lang"}


def read_text(path: str, text: str) -> RawDocument:
    """Pull metadata from the two header styles we know; the body is left for cleaning."""
    meta: dict[str, object] = {}
    body = text
    m = _FRONT_MATTER.match(text)
    if m:
        extra: dict[str, str] = {}
        for line in m.group(1).splitlines():
            kv = _KEY_VALUE.match(line.strip())
            if not kv:
                continue
            key, value = kv.group(1).lower(), kv.group(2).strip().strip('"').strip("'")
            if key in _KNOWN:
                meta[key] = value
            else:
                extra[key] = value
        if extra:
            meta["extra"] = extra
        body = text[m.end():]
    d = _DATE_TOKEN.match(body)
    if d:
        meta.setdefault("date", d.group(1))
        meta["date_from"] = "header"
        body = body[d.end():]
    return RawDocument(path=path, kind="text", body=body, meta=meta)
