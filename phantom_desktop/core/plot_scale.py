"""Plot scales: "nice" axis limits, the time span shown, and power on a linear or log axis."""

from __future__ import annotations

import math

import numpy as np

SPANS_S = (60.0, 120.0, 300.0, 600.0)  # the time axis grows in these steps while data is young
LOG_FLOOR_W = 0.1  # on a log axis, less than this (off, 0 W) is drawn at this
SHRINK_BELOW = 0.4  # the power axis shrinks once the data uses less than this share of it


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value` (> 0)."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * magnitude >= value * (1 - 1e-12):
            return step * magnitude
    return 10.0 * magnitude  # unreachable: step 10 always fits


def power_limit(current: float | None, highest: float) -> float:
    """The top of the power axis for data peaking at `highest` W: kept while it still fits
    the data well, so that the axis does not twitch (and the plot need not be redrawn)."""
    wanted = nice_ceiling(highest * 1.05)
    if current is None or highest > current or highest < current * SHRINK_BELOW:
        return wanted
    return current


def time_span(age_s: float, window_s: float) -> float:
    """The span of the time axis when the oldest data shown is `age_s` old."""
    for span in SPANS_S:
        if age_s <= span and span < window_s:
            return span
    return window_s


def to_axis(values: np.ndarray, log: bool) -> np.ndarray:
    """Power as placed on the axis: watts, or log10 of watts (at least LOG_FLOOR_W)."""
    if not log:
        return values
    logs: np.ndarray = np.log10(np.maximum(values, LOG_FLOOR_W))
    return logs
