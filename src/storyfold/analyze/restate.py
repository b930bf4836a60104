"""When two figures say the same thing in different words.

Outlets restate figures: "72 hours" is "three days", "only 7% showed no bleaching" is "93%
bleached", "64 sites" lies inside "between 60 and 70 sites", "about 40,000" is "nearly
40,000". None of these is a disagreement, and a conflict list that shows them teaches a
reader to ignore it.
"""

from __future__ import annotations

from storyfold.analyze.numbers import NumberFact
from storyfold.text.numbers import same_value
from storyfold.text.tokens import stem

# durations in hours, so that "72 hours" and "three days" meet
_HOURS = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0, "weeks": 168.0}
# units that measure rather than count: the count fallback leaves them alone
MEASURES = frozenset({"percent", "magnitude", "age", "duration", "km", "km/h", "mph", "miles",
                      "mm", "cm", "m", "kg", "tonnes", "months", "years", "degrees", "score",
                      "USD", "EUR", "GBP", "JPY", "INR", "CNY"})


def unit_key(n: NumberFact) -> str:
    """What a figure measures, in one spelling per quantity ("hours" and "days" → duration)."""
    if n.unit in _HOURS:
        return "duration"
    if n.unit in MEASURES:
        return n.unit
    return stem(n.unit)


def canonical(n: NumberFact) -> float:
    """The value in the unit's common scale (durations in hours)."""
    return n.value * _HOURS.get(n.unit, 1.0)


def figures_agree(a: NumberFact, b: NumberFact, tolerance: float,
                  approx_tolerance: float) -> bool:
    """Two figures of one quantity that do not contradict each other.

    Equal within `tolerance` (within `approx_tolerance` when either is qualified as an
    approximation: "about", "nearly"); one inside the other's stated range; or two
    percentages that are each other's complement (a share and the rest of it).
    """
    va, vb = canonical(a), canonical(b)
    tol = approx_tolerance if (a.approx or b.approx) else tolerance
    if same_value(va, vb, tol):
        return True
    for x, y in ((a, b), (b, a)):
        if x.low is not None and x.low <= canonical(y) * (1 / _HOURS.get(x.unit, 1.0)) <= x.value:
            return True
    return a.unit == b.unit == "percent" and abs(a.value + b.value - 100) <= 0.5
