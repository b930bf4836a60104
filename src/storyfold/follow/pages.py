"""A page fetched by URL as a document for the pipeline (`storyfold fetch`, and the entries
whose feed carries only a summary)."""

from __future__ import annotations

from storyfold.errors import FetchError
from storyfold.follow.fetcher import PAGE_TYPES, Fetcher
from storyfold.ingest.html import read_html
from storyfold.ingest.text import read_text
from storyfold.model import RawDocument


def fetch_page(fetcher: Fetcher, url: str, record: str | None = None) -> RawDocument:
    """The article at `url`, extracted like an HTML file (`ingest.html`); FetchError when it
    cannot be fetched, IngestError when it holds no article."""
    resp = fetcher.fetch(url, accept=PAGE_TYPES)
    if resp.status != 200:
        raise FetchError(f"{url}: HTTP {resp.status}")
    text = resp.text()
    if resp.media_type == "text/plain":
        doc = read_text(resp.url, text)
    else:
        doc = read_html(resp.url, text, record=record)
    meta = dict(doc.meta)
    meta["url"] = meta.get("url") or resp.url
    return RawDocument(path=url, kind=doc.kind, body=doc.body, meta=meta, record=record)
