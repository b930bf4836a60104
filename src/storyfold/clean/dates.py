"""Dates in the many spellings news uses, parsed without guessing a year we do not have."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateparser

from storyfold.text.calendar import month_pattern

MONTHS = month_pattern()  # a capitalised month name ("Sept." too), from the one month table
# "November 1, 2023" / "1 November 2023" / "2023-11-01"
FULL_DATE = re.compile(
    rf"\b(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTHS}\s+\d{{4}}|"
    r"\d{4}-\d{2}-\d{2})\b"
)


def parse_date(value: object) -> datetime | None:
    """Parse a metadata or text date to an aware UTC datetime; None when it is not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if not text or not re.search(r"\d{4}", text):
        return None  # a date without a year is a guess, not a fact
    try:
        dt = dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        try:
            dt = dateparser.parse(text, fuzzy=True)
        except (ValueError, OverflowError):
            return None
    if dt is None or not (1900 <= dt.year <= 2100):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def find_full_date(text: str) -> datetime | None:
    """The first complete (year-bearing) date written in a text."""
    m = FULL_DATE.search(text)
    return parse_date(m.group(0)) if m else None
