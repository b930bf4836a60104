"""Cleaning: RawDocument → Article. Pure; everything dropped is kept in `removed`."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

from storyfold.clean.dateline import (
    caption_credit,
    find_dateline,
    looks_like_caption,
    text_credits,
    wire_name,
)
from storyfold.clean.dates import find_full_date, parse_date
from storyfold.clean.language import article_language
from storyfold.clean.trailers import strip_native_trailers, strip_trailers
from storyfold.model import Article, Credit, DateSource, RawDocument, Removed
from storyfold.settings import DEFAULTS, CleanSettings
from storyfold.text.languages import (
    LANGUAGES,
    find_native_date,
    native_credits,
    native_dateline,
)

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b]+")


def normalize_text(text: str) -> str:
    """Canonical form for exact-copy hashing: case, quotes, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def article_id(text: str, source: str | None) -> str:
    """Stable id: the same text from the same source is the same article, however re-read."""
    key = normalize_text(text) + "\x00" + (source or "")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _paragraphs(body: str) -> list[str]:
    body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    return [_WS.sub(" ", line).strip() for line in body.split("\n") if line.strip()]


def _split_captions(lines: list[str]) -> tuple[list[str], list[str]]:
    """Separate photo captions, including one glued to the dateline with no space."""
    captions: list[str] = []
    kept: list[str] = []
    for i, line in enumerate(lines):
        if i < 3 and not kept and looks_like_caption(line):
            captions.append(line)
            continue
        if not kept:
            dl = find_dateline(line)
            if dl is not None and dl.start > 0:
                prefix = line[: dl.start].strip()
                if len(prefix.split()) >= 3:
                    captions.append(prefix.rstrip(" —–-"))
                    line = line[dl.start:]
        elif len(line.split()) <= 40 and looks_like_caption(line):
            captions.append(line)
            continue
        kept.append(line)
    return kept, captions


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _published(
    raw: RawDocument, captions: list[str], dateline_date: str | None, body: str
) -> tuple[datetime | None, DateSource | None]:
    """Best date and where it came from, most trustworthy first."""
    meta_date = parse_date(raw.meta.get("date"))
    if meta_date is not None:
        src = raw.meta.get("date_from", "metadata")
        return meta_date, ("header" if src == "header" else "metadata")
    caption_date = next((d for c in captions if (d := find_full_date(c))), None)
    text_date = find_full_date(body[:3000])
    if dateline_date:
        year_from = caption_date or text_date
        if year_from is not None:
            dl = parse_date(f"{dateline_date} {year_from.year}")
            if dl is not None:
                return dl, "dateline"
    if caption_date is not None:
        return caption_date, "caption"
    if text_date is not None:
        return text_date, "text"
    return None, None


def clean(raw: RawDocument, settings: CleanSettings = DEFAULTS.clean) -> Article:
    """Turn a raw document into an Article with boilerplate, captions and credits separated."""
    lines = _paragraphs(raw.body)
    title = raw.meta.get("title") or None
    lang = article_language(raw.meta.get("lang"), title, "\n".join(lines), settings)
    lines, removed = strip_trailers(lines, settings.trailer_after_words)
    lines, more = strip_native_trailers(lines, lang, settings.trailer_after_words)
    removed.extend(more)
    lines, captions = _split_captions(lines)
    removed = [*removed, *(Removed(c, "caption") for c in captions)]
    text = "\n\n".join(lines)
    dateline = find_dateline(text)
    credits: list[Credit] = []
    if dateline and dateline.wire:
        credits.append(Credit(dateline.wire, "dateline"))
    for c in captions:
        agency = caption_credit(c)
        if agency:
            credits.append(Credit(agency, "caption"))
    credits.extend(text_credits(text))
    native = native_dateline(text) if dateline is None and lang in LANGUAGES else None
    credits.extend([Credit(native[1], "dateline")] if native else [])
    credits.extend(Credit(agency, "text") for agency in native_credits(text, lang))
    author = raw.meta.get("author")
    if isinstance(author, str) and author.strip().lower() in {k.lower() for k in _wire_keys()}:
        credits.append(Credit(wire_name(author), "byline"))
    unique: dict[tuple[str, str], Credit] = {(c.agency, c.where): c for c in credits}
    published, published_from = _published(
        raw, captions, dateline.date_text if dateline else None, text
    )
    if published is None and (found := find_native_date(text[:3000], lang)) is not None:
        published, published_from = found, "text"
    url = raw.meta.get("url") or None
    source = raw.meta.get("source") or _domain(url)
    identity_source = source or url or raw.path
    return Article(
        id=article_id((title or "") + "\n" + text, identity_source),
        source=source,
        url=url,
        title=title,
        text=text,
        published=published,
        published_from=published_from,
        dateline=dateline.place if dateline else (native[0] if native else None),
        credits=list(unique.values()),
        captions=captions,
        removed=removed,
        lang=lang,
        author=author if isinstance(author, str) else None,
        path=raw.path,
        record=raw.record,
        extra=dict(raw.meta.get("extra") or {}),
    )


def _wire_keys() -> list[str]:
    from storyfold.clean.dateline import WIRES

    return [*WIRES, *WIRES.values()]
