"""HTML pages through trafilatura, the field's standard main-text extractor."""

from __future__ import annotations

import logging

import trafilatura

from storyfold.errors import IngestError
from storyfold.model import RawDocument

log = logging.getLogger(__name__)


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
    meta = {
        "title": title,
        "date": data.get("date"),
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
