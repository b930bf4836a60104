"""Month and weekday names: one table, from which every pattern and word list is derived."""

from __future__ import annotations

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
# every spelling news uses (full, three letters, "sept") to its month number
MONTHS = {**{m: i for i, m in enumerate(MONTH_NAMES, 1)},
          **{m[:3]: i for i, m in enumerate(MONTH_NAMES, 1)}, "sept": 9}

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
