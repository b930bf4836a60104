"""Month and weekday names: one table, from which every pattern and word list is derived."""

from __future__ import annotations

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # every spelling news uses, full and abbreviated, to its month number

# Capitalised, but shared by every story of the same week: no event identity.
CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(MONTHS)


def month_pattern(exclude: frozenset[str] = frozenset()) -> str:
    """A regex (no groups) for a capitalised month name, optionally with a full stop.

    `exclude`: spellings left out ("may", where the verb would be read as a month).
    Longest spellings first, so "Sept" is not read as "Sep" + "t".
    """
    names = sorted((m for m in MONTHS if m not in exclude), key=lambda m: (-len(m), m))
    return "(?:" + "|".join(n.capitalize() for n in names) + r")\.?"


def weekday_pattern() -> str:
    """A regex (no groups) for a capitalised weekday name."""
    return "(?:" + "|".join(d.capitalize() for d in WEEKDAYS) + ")"


def month_number(token: str) -> int:
    """1-12 for a month spelling ("Sept.", "december"); KeyError when it is none."""
    t = token.lower().rstrip(".")
    return MONTHS[t] if t in MONTHS else MONTHS[t[:3]]
