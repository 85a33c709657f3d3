"""Suggest a port's standby threshold from its recent non-zero power readings, and explain why.

The standby level is the lowest level the appliance sustains while plugged in: the 1st
percentile of its non-zero readings (zero means "off", and the 1st percentile ignores brief
dips). When the readings fall into two clusters — standby and in use, split by the largest
jump between neighbouring values — the threshold goes a margin above the standby cluster and
at most half-way (geometrically) to the lowest level in use, so the detector's hysteresis
(exit at threshold + 10 %) stays clear of normal use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MIN_SAMPLES = 30
# Two levels count as distinct when the jump between them is at least this factor.
MIN_LEVEL_RATIO = 2.0
# Margin above the top of the standby cluster: 50 %, and at least this many watts.
MARGIN_FACTOR = 1.5
MIN_MARGIN_W = 0.5


@dataclass(frozen=True, slots=True)
class ThresholdSuggestion:
    """A proposed threshold (None when there is none to make) and the reasoning in words."""

    threshold_w: float | None
    standby_w: float | None  # the standby level (1st percentile), when there are enough readings
    active_w: float | None  # the lowest level in use, when standby and use were both seen
    samples: int  # non-zero readings judged
    explanation: str


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of already sorted values, linearly interpolated."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _round_nicely(watts: float) -> float:
    """Two significant digits: 0.73, 1.7, 17, 170."""
    if watts <= 0:
        return watts
    digits = 1 - math.floor(math.log10(watts))
    return round(watts, digits)


def _fmt(watts: float) -> str:
    return f"{_round_nicely(watts):g} W"


def _largest_jump(values: list[float]) -> tuple[int, float]:
    """Index i and factor of the largest ratio values[i + 1] / values[i] (values sorted, > 0)."""
    best_index, best_ratio = 0, 1.0
    for i in range(len(values) - 1):
        ratio = values[i + 1] / values[i]
        if ratio > best_ratio:
            best_index, best_ratio = i, ratio
    return best_index, best_ratio


def _about_current(threshold_w: float, standby_top: float, active_w: float, current: float) -> str:
    if current <= standby_top:
        return (
            f" The current threshold, {current:g} W, is at or below the standby level, so "
            "standby is never detected."
        )
    if current * 1.1 >= active_w:
        return (
            f" The current threshold, {current:g} W, reaches into normal use ({_fmt(active_w)}), "
            "so use could be mistaken for standby."
        )
    if math.isclose(current, threshold_w, rel_tol=0.05):
        return " The current threshold is already about right."
    return f" The current threshold, {current:g} W, also separates the two levels."


def suggest_threshold(
    powers: Iterable[float], window: str = "the last 48 h", current_threshold_w: float | None = None
) -> ThresholdSuggestion:
    """Propose a threshold from non-zero power readings (zeros and negatives are ignored).

    `window` names the period the readings cover, for the explanation.
    """
    values = sorted(p for p in powers if p > 0 and math.isfinite(p))
    n = len(values)
    if n < MIN_SAMPLES:
        return ThresholdSuggestion(
            None,
            None,
            None,
            n,
            f"Not enough data: {n:,} non-zero reading{'s' if n != 1 else ''} in {window}, and "
            f"at least {MIN_SAMPLES} are needed. Leave the appliance plugged in for a while "
            "(in use and on standby), then ask again.",
        )
    standby_w = percentile(values, 1)
    top_w = percentile(values, 99)
    core = [v for v in values if standby_w <= v <= top_w]
    index, ratio = _largest_jump(core)
    if ratio < MIN_LEVEL_RATIO:
        return ThresholdSuggestion(
            None,
            _round_nicely(standby_w),
            None,
            n,
            f"No standby seen: the {n:,} non-zero readings in {window} stay at one level "
            f"({_fmt(standby_w)} to {_fmt(top_w)}), with no clearly lower level to call standby. "
            "If that level is the standby draw, set the threshold a little above it; if it is "
            "normal use, keep the threshold below it. Ask again after the appliance has been "
            "both in use and on standby.",
        )
    standby_top = percentile(core[: index + 1], 95)
    active_w = percentile(core[index + 1 :], 5)
    ceiling = math.sqrt(standby_top * active_w)
    threshold_w = _round_nicely(
        min(max(standby_top * MARGIN_FACTOR, standby_top + MIN_MARGIN_W), ceiling)
    )
    share = 100.0 * (index + 1) / len(core)
    explanation = (
        f"From {n:,} non-zero readings in {window}: on standby it draws about {_fmt(standby_w)} "
        f"(1st percentile; {share:.0f}% of the readings are standby, up to {_fmt(standby_top)}), "
        f"and in use {_fmt(active_w)} or more. A threshold of {threshold_w:g} W sits a margin "
        "above standby and below use, so standby is flagged and use is not."
    )
    if current_threshold_w is not None:
        explanation += _about_current(threshold_w, standby_top, active_w, current_threshold_w)
    return ThresholdSuggestion(
        threshold_w, _round_nicely(standby_w), _round_nicely(active_w), n, explanation
    )
