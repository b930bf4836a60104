"""When two figures are one value."""

from __future__ import annotations


def same_value(a: float, b: float, tolerance: float) -> bool:
    """Equal within `tolerance` of the larger magnitude: rounding ("2.5 billion" vs
    "2,512 million") is no disagreement. The tolerance is a setting of the caller's stage
    (`AnalyzeSettings.number_tolerance`)."""
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)
