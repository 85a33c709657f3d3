"""Suggest threshold, completed with the port's always-on floor and its recognised rhythm."""

from __future__ import annotations

from dataclasses import replace

from phantom_desktop.core.rhythm import Pattern, Rhythm, duration_text
from phantom_desktop.core.threshold import ThresholdSuggestion


def _w(watts: float) -> str:
    return f"{watts:.2g} W" if watts < 10 else f"{watts:.0f} W"


def _floor_text(baseline_w: float, threshold_w: float | None) -> str:
    floor = (
        " Always-on floor over 48 h (low percentile of the levels it held each minute): "
        f"{_w(baseline_w)}."
    )
    if baseline_w <= 0:
        return " It was off (0 W) part of every hour: there is no always-on floor."
    if threshold_w is None:
        return floor + (
            f" It never draws less: if that is its working draw (a router, an alarm panel), "
            f"keep the threshold below {_w(baseline_w)} so it is never cut."
        )
    if baseline_w >= threshold_w:
        return floor + " That is above the threshold, so this port is never in standby."
    return floor + " That is below the threshold: the standby it wastes around the clock."


def _rhythm_text(rhythm: Rhythm) -> str:
    if rhythm.pattern is Pattern.CYCLING and rhythm.period_s is not None:
        return (
            f" It cycles (~{duration_text(rhythm.period_s)} rhythm): its low phases are rests "
            "between runs, never standby while the rhythm holds, so the threshold only matters "
            f"if it stays low longer than {duration_text(rhythm.hold_s)}."
        )
    if rhythm.pattern is Pattern.PROGRAMME:
        return (
            f" It runs programmes with pauses of up to {duration_text(rhythm.hold_s)}: a low "
            "phase after a programme step becomes standby only after that, plus the min duration."
        )
    return ""


def advise_threshold(
    suggestion: ThresholdSuggestion, rhythm: Rhythm, baseline_w: float | None
) -> ThresholdSuggestion:
    """The suggestion, its explanation completed with the floor and the rhythm, and why."""
    extra = _rhythm_text(rhythm)
    if baseline_w is not None and suggestion.standby_w is not None:
        extra += _floor_text(baseline_w, suggestion.threshold_w)
    return replace(suggestion, explanation=suggestion.explanation + extra)
