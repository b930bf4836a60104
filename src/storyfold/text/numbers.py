"""When two figures are one value."""

from __future__ import annotations


def same_value(a: float, b: float, tolerance: float) -> bool:
    """Equal within `tolerance` of the larger magnitude: rounding ("2.5 billion" vs
    "2,512 million") is no disagreement.

    The tolerance is `AnalyzeSettings.number_tolerance`, one value for conflicts, claim
    support and citations (0.01: the comparison used 0.005 and the write-up 0.01; 0.01
    everywhere leaves every output and bench figure unchanged, 0.005 everywhere does not).
    """
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)
