"""Bytes → text, refusing what is not text instead of guessing garbage into the store."""

from __future__ import annotations

import re

import charset_normalizer

_BINARY_MAGIC: dict[bytes, str] = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}


# Letters and signs of Western European text (French, German, Spanish, Portuguese, Italian,
# Dutch, Nordic) and the typography of cp1252: what a cp1252 decoding of such text shows.
_WESTERN = frozenset(
    "àâäáãåæçèéêëìíîïñòóôöõøœùúûüýÿßÀÂÄÁÃÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÖÕØŒÙÚÛÜÝŸ"
    "«»‘’‚“”„–—…•€£¥°ºª§©®¡¿·\u00a0"
)
# Western text is mostly ASCII letters; a cp1251 (Cyrillic) page read as cp1252 is not
_WESTERN_MAX_SHARE = 0.25


_UTF8_MIN_SHARE = 0.9  # share of non-ASCII bytes in valid UTF-8 sequences that means "UTF-8"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


class NotText(ValueError):
    """The bytes are not a text document; the message says what they look like."""


def binary_kind(data: bytes) -> str | None:
    """What a file's first bytes say it is when that is a known binary format, else None."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return what
    return None


def decode_bytes(data: bytes) -> str:
    """Decode with UTF-8 first (the web's default), then a detected legacy encoding.

    Raises NotText for binary data or bytes no encoding explains, so the caller can
    report the file and move on rather than storing mojibake.
    """
    return decode_guessing(data)[0]


def decode_guessing(data: bytes) -> tuple[str, str | None]:
    """`decode_bytes`, and the name of the encoding when it was only a statistical guess
    (charset-normalizer's pick on bytes that are neither UTF-8 nor plain Western text), so
    the caller can tell the user which reading to check; None when the reading is sure."""
    what = binary_kind(data)
    if what is not None:
        raise NotText(f"binary file ({what}), not a text article")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:8192]
    if b"\x00" in head and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")):
        raise NotText("binary file (contains NUL bytes), not a text article")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace") if _mostly_utf8(data) else _western(data)
    guessed = None
    if text is None:
        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise NotText("cannot decode: not UTF-8 and no other text encoding fits")
        text, guessed = str(best), best.encoding
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * max(1, min(len(text), 8192)):
        raise NotText("binary file (control characters), not a text article")
    return text, guessed


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few stray bytes (a truncated file, one pasted Latin-1 word): most bytes
    above ASCII form valid UTF-8 sequences. Read as UTF-8 with U+FFFD for the strays, rather
    than as a legacy code page that would garble every accented letter."""
    sample = data[:20000]
    high = sum(b > 127 for b in sample)
    valid = sum(len(m) for m in _UTF8_SEQUENCE.findall(sample))
    return high > 0 and valid >= _UTF8_MIN_SHARE * high


def _western(data: bytes) -> str | None:
    """cp1252 (a superset of Latin-1's letters) when it reads the bytes as plausible Western
    European text, else None.

    Why not trust charset-normalizer here: on short texts it often picks another single-byte
    code page that decodes the same bytes too (cp1250 turns "à" into "ŕ"), and the store would
    keep that mojibake without a word. A cp1252 reading whose every non-ASCII character is a
    Western letter or cp1252 punctuation, and where those stay a minority of the letters, is
    far more likely right than any other guess.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    sample = text[:20000]
    special = [ch for ch in sample if ord(ch) > 127]
    if not special or any(ch not in _WESTERN for ch in special):
        return None
    letters = sum(ch.isalpha() for ch in sample)
    return text if len(special) <= _WESTERN_MAX_SHARE * max(1, letters) else None
