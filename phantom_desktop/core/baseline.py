"""The always-on baseline: the floor a port (or the home) never goes below for long.

Like Sense's "always on", it is a low percentile of the power over the last one or two days,
taken minute by minute so a single dip does not count and gaps in the data do not either. Each
minute counts the level it *held* (`minute_floors`): its mean when it stayed at one level; its
low level when it swung between two and sat at the low one for a good part of the minute (a
compressor, a heating element or a demo's time-compressed fridge cycling faster than a
minute, whose mean mixes runs and rests); its mean again when the low was only a dip. The
home's baseline is the sum of its ports' baselines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

BASELINE_WINDOW_S = 48 * 3600
BASELINE_PERCENTILE = 1.0
# A minute whose readings stay within this share of its mean (or this many watts) held one level.
STEADY_RELATIVE = 0.5
STEADY_FLOOR_W = 1.0
# A minute that swung counts its minimum when its mean says it sat near it at least this share
# of the minute (two levels: the share at the low one is (max - mean) / (max - min)).
LOW_SHARE = 0.25


def minute_floors(mean_w: ArrayLike, min_w: ArrayLike, max_w: ArrayLike) -> NDArray[np.float64]:
    """The level each minute held, from its mean, minimum and maximum (see the module)."""
    mean = np.asarray(mean_w, dtype=float)
    low = np.asarray(min_w, dtype=float)
    high = np.asarray(max_w, dtype=float)
    swing = high - low
    swung = swing > np.maximum(STEADY_RELATIVE * mean, STEADY_FLOOR_W)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_share = np.where(swung, (high - mean) / swing, 0.0)
    return np.where(swung & (low_share >= LOW_SHARE), low, mean)


def always_on_w(minute_levels: Iterable[float], percentile: float = BASELINE_PERCENTILE) -> float:
    """The `percentile` of the levels minutes held, ignoring NaN; 0.0 when there are none."""
    values = np.fromiter(
        (v for v in minute_levels if v is not None and not math.isnan(v)), dtype=float
    )
    if values.size == 0:
        return 0.0
    return float(np.percentile(values, percentile, method="lower"))


def home_always_on_w(port_baselines: Iterable[float]) -> float:
    return float(sum(port_baselines))
