"""Energy and cost arithmetic for standby loads."""

from __future__ import annotations

HOURS_PER_YEAR = 24 * 365


def annual_kwh(standby_w: float) -> float:
    """Energy a constant standby draw wastes in a year."""
    return standby_w * HOURS_PER_YEAR / 1000.0


def annual_cost(standby_w: float, price_per_kwh: float) -> float:
    """What a constant standby draw costs in a year at the given price."""
    return annual_kwh(standby_w) * price_per_kwh
