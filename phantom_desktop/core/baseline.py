"""The always-on baseline: the floor a port (or the home) never goes below for long.

Like Sense's "always on", it is a low percentile of the power over the last one or two days,
taken over 1-minute means so a single dip does not count and gaps in the data do not either.
The home's baseline is the sum of its ports' baselines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

BASELINE_WINDOW_S = 48 * 3600
BASELINE_PERCENTILE = 1.0


def always_on_w(minute_means: Iterable[float], percentile: float = BASELINE_PERCENTILE) -> float:
    """The `percentile` of 1-minute mean powers, ignoring NaN; 0.0 when there are none."""
    values = np.fromiter(
        (v for v in minute_means if v is not None and not math.isnan(v)), dtype=float
    )
    if values.size == 0:
        return 0.0
    return float(np.percentile(values, percentile, method="lower"))


def home_always_on_w(port_baselines: Iterable[float]) -> float:
    return float(sum(port_baselines))
