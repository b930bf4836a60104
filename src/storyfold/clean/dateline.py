"""Datelines ("ASTANA, Nov 1 (Reuters) —"), photo captions glued to them, and wire credits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyfold.clean.dates import MONTHS
from storyfold.model import Credit

# Wire agencies by the names they are credited with; a parenthesised agency in a
# dateline is a credit even when it is not listed here.
WIRES: dict[str, str] = {
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "bloomberg": "Bloomberg",
    "dpa": "dpa",
    "xinhua": "Xinhua",
    "ansa": "ANSA",
    "efe": "EFE",
    "upi": "UPI",
    "bernama": "Bernama",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "tass": "TASS",
    "interfax": "Interfax",
    "ani": "ANI",
    "pti": "PTI",
    "ians": "IANS",
    "pa": "PA",
    "anadolu": "Anadolu",
}
_WIRE_NAMES = "|".join(sorted((re.escape(k) for k in WIRES), key=len, reverse=True))

# PLACE[, Region][, Mon D] [(Agency)] — ; PLACE is upper case and may be glued to the
# preceding caption ("...via ReutersASTANA, Nov 1 —"), hence no word boundary before it.
DATELINE = re.compile(
    r"(?<![A-Z])(?P<place>[A-Z][A-Z'’.\-]+(?:[ \-][A-Z][A-Z'’.\-]+){0,3})"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+){0,2}))?"
    rf"(?:,\s*(?P<date>{MONTHS}\s+\d{{1,2}}))?"
    r"\s*(?:\((?P<wire>[A-Z][A-Za-z .&\-]{1,40})\))?"
    r"\s*(?:[—–]|--?|:)\s*(?=[A-Z“\"‘'])"
)
_CREDIT_TAIL = re.compile(
    r"(?:\b(?:photo|pic|picture|image|handout|file photo|photograph)\b[^.\n]{0,120}?"
    r"(?:\bvia\b|\bby\b|/|:)\s*|\bvia\s+|/)"
    rf"(?P<agency>(?i:{_WIRE_NAMES})|[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+){{0,3}})\.?\s*$"
)
_CAPTION_HINT = re.compile(
    r"\b(photo|pic|picture|handout|file photo|photograph|getty images|via)\b", re.I
)
_TEXT_CREDIT = re.compile(rf"\((?P<agency>(?i:{_WIRE_NAMES}))\)\s*[—–-]")


@dataclass(frozen=True)
class Dateline:
    place: str
    date_text: str | None
    wire: str | None
    start: int
    end: int


def wire_name(name: str) -> str:
    """Canonical agency name; unknown agencies keep their own spelling."""
    return WIRES.get(name.strip().lower(), name.strip())


def find_dateline(text: str, limit: int = 800) -> Dateline | None:
    """The first plausible dateline near the start of the text.

    A bare upper-case word followed by a dash is too weak on its own ("UPDATE —"),
    so we want a date, an agency, or a multi-letter place at a paragraph start.
    """
    for m in DATELINE.finditer(text[:limit]):
        place = m.group("place").strip(" -")
        has_date = m.group("date") is not None
        has_wire = m.group("wire") is not None
        sep = text[m.end() - 3 : m.end()]
        at_start = m.start() == 0 or text[m.start() - 1] in "\n"
        if len(place.replace(" ", "")) < 3:
            continue
        if has_date or has_wire or (at_start and ":" not in sep and len(place) >= 4):
            return Dateline(place=place,
                            date_text=m.group("date"),
                            wire=wire_name(m.group("wire")) if has_wire else None,
                            start=m.start(), end=m.end())
    return None


def caption_credit(caption: str) -> str | None:
    """The agency a photo caption credits ("... handout pic via Reuters")."""
    m = _CREDIT_TAIL.search(caption.strip())
    return wire_name(m.group("agency")) if m else None


def looks_like_caption(paragraph: str) -> bool:
    """A short paragraph that ends in a photo credit is a caption, not body text."""
    words = len(paragraph.split())
    return words <= 80 and bool(_CREDIT_TAIL.search(paragraph.strip())) and bool(
        _CAPTION_HINT.search(paragraph) or re.search(r"\d{4}", paragraph)
    )


def text_credits(text: str) -> list[Credit]:
    """Agencies credited in the body with the "(Agency) —" convention."""
    seen: dict[str, Credit] = {}
    for m in _TEXT_CREDIT.finditer(text[:2000]):
        name = wire_name(m.group("agency"))
        seen.setdefault(name, Credit(name, "text"))
    return list(seen.values())
