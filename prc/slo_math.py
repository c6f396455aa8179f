"""Multiwindow, multi-burn-rate alerting arithmetic (Google SRE Workbook, "Alerting on SLOs"), for the checks that
compare burn-rate alerts with the SLO they protect.

A burn rate is how fast the error budget is spent relative to the SLO window: at 1x the budget lasts exactly the
window. An alert fires when the error ratio over a long window and over a short one (1/12 of it, so the alert
resets soon after the burn stops) both exceed factor x (1 - objective).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# How far a threshold written in an alert may sit from the exact product and still match it: enough for
# 14.4 * 0.001 written as 0.0144 or rounded to 0.014 (2.8%), not for another factor (13.44 is 6.7% off 14.4).
DEFAULT_RELATIVE_TOLERANCE = 0.05


@dataclass(frozen=True)
class BurnRateWindow:
    """One row of the pattern: a page or a ticket when the error ratio over both windows exceeds `threshold`."""

    severity: str  # "page" or "ticket"
    long_window: str  # as PromQL writes a range: 1h
    short_window: str
    long_seconds: int
    short_seconds: int
    factor: float
    threshold: float  # factor x (1 - objective), an error ratio

    def budget_spent(self, window_seconds: int) -> float:
        """The fraction of a window's error budget spent when this alert's long window burns at its factor."""
        return self.factor * self.long_seconds / window_seconds


# (severity, long window, short window, factor): 2% of a 30-day budget in 1h, 5% in 6h, 10% in 1d and in 3d.
BURN_RATE_PATTERN = (
    ("page", "1h", "5m", 14.4),
    ("page", "6h", "30m", 6.0),
    ("ticket", "1d", "2h", 3.0),
    ("ticket", "3d", "6h", 1.0),
)
_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def _seconds(window: str) -> int:
    return int(window[:-1]) * _SECONDS[window[-1]]


def expected_burn_rates(objective: float) -> tuple[BurnRateWindow, ...]:
    """The four rows of the pattern for an objective given as a fraction (0.999 for 99.9%)."""
    if isinstance(objective, bool) or not isinstance(objective, (int, float)) or not 0 < objective < 1:
        raise ValueError(f"objective must be a fraction between 0 and 1 (0.999 for 99.9%), got {objective!r}")
    budget = 1 - objective
    return tuple(BurnRateWindow(severity, long, short, _seconds(long), _seconds(short), factor,
                                # Rounded so that 14.4 x 0.001 reads 0.0144, not 0.014400000000000013.
                                round(factor * budget, 12))
                 for severity, long, short, factor in BURN_RATE_PATTERN)


def relative_error(found: float, expected: float) -> float:
    """How far `found` is from `expected`, as a fraction of `expected`."""
    if expected == 0:
        return 0.0 if found == 0 else math.inf
    return abs(found - expected) / abs(expected)


def threshold_matches(found: float, expected: float, tolerance: float = DEFAULT_RELATIVE_TOLERANCE) -> bool:
    """Whether an alert's threshold is the expected one, up to `tolerance` (relative)."""
    return relative_error(found, expected) <= tolerance


def matching_row(found: float, objective: float, tolerance: float = DEFAULT_RELATIVE_TOLERANCE
                 ) -> BurnRateWindow | None:
    """The row of the pattern whose threshold a found one matches, or None (an alert that burns at a factor the
    pattern does not use, or whose threshold was computed for another objective)."""
    rows = [row for row in expected_burn_rates(objective) if threshold_matches(found, row.threshold, tolerance)]
    return min(rows, key=lambda row: relative_error(found, row.threshold), default=None)
