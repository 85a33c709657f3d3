"""A time axis in minutes and seconds before now, for plots that scroll with the clock."""

from __future__ import annotations

import pyqtgraph as pg

STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MIN_LABEL_PX = 70  # labels at least this far apart


def ago_text(seconds_before: float, step: float) -> str:
    """ "now", "-30 s", "-5 min", "-1:30" (minutes and seconds when the step needs them)."""
    value = round(-seconds_before)
    if value == 0:
        return "now"
    if step < 60 and value % 60:
        return f"-{value} s" if value < 60 else f"-{value // 60}:{value % 60:02d}"
    return f"-{value // 60} min"


class AgoAxis(pg.AxisItem):
    """x values are seconds relative to now (<= 0); ticks fall on whole seconds and minutes."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = max(maxVal - minVal, 1e-9)
        labels = max(1.0, size / MIN_LABEL_PX)
        major = next((step for step in STEPS_S if span / step <= labels), STEPS_S[-1])
        minor = next((step for step in reversed(STEPS_S) if step < major and major % step == 0), 0)
        spacing = [(float(major), 0.0)]
        if minor:
            spacing.append((float(minor), 0.0))
        return spacing

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [ago_text(value, spacing) for value in values]
