"""HTML pages through trafilatura, the field's standard main-text extractor."""

from __future__ import annotations

import logging

import trafilatura

from storyfold.errors import IngestError
from storyfold.model import RawDocument

log = logging.getLogger(__name__)

_TIME_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "dc.date.issued", "sailthru.date",
)


def published_timestamp(html: str) -> str | None:
    """The publisher's own full timestamp from standard meta tags.

    trafilatura (htmldate) reduces dates to the day; when outlets publish the same story
    on the same day, the time of day is what tells who was first.
    """
    try:
        from lxml import html as lxml_html

        tree = lxml_html.fromstring(html.encode("utf-8", "replace")[:500_000])
    except Exception:  # noqa: BLE001 - broken markup simply has no usable timestamp
        return None
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = meta.get("content") or ""
        if key in _TIME_META and "T" in value:
            return value.strip()
    return None


def read_html(path: str, html: str, record: str | None = None) -> RawDocument:
    """Extract main text and metadata; a page with no article text is an error, not an article."""
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura/lxml raise many kinds on hostile markup
        raise IngestError(path, f"HTML could not be parsed ({type(exc).__name__})") from exc
    if doc is None:
        raise IngestError(path, "HTML has no extractable article text")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    title = (data.get("title") or "").strip() or None
    if title and text.startswith(title):
        # trafilatura keeps the <h1> as the first line; the title lives in its own field
        text = text[len(title):].lstrip("\n ")
    if len(text.split()) < 5:
        raise IngestError(path, "HTML has no article text (fewer than 5 words extracted)")
    day = data.get("date")
    stamp = published_timestamp(html)
    if stamp and (day is None or stamp.startswith(str(day)[:10])):
        day = stamp
    meta = {
        "title": title,
        "date": day,
        "date_from": "metadata",
        "author": data.get("author"),
        "source": data.get("sitename") or data.get("hostname"),
        "url": data.get("url"),
        "lang": data.get("language"),
    }
    return RawDocument(
        path=path, kind="html", body=text, meta={k: v for k, v in meta.items() if v},
        record=record,
    )
