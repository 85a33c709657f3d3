"""Phantom episodes and cut periods as time spans, for the History view's lanes.

A cut period runs from the cut until the port's power first came back above zero, found in the
series already loaded for the plot (so the lanes cost no extra query), else until `now`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Span = tuple[float, float]


def lanes_for(
    events: Sequence[tuple[float, float | None, bool]],
    t: np.ndarray,
    max_w: np.ndarray,
    now: float,
) -> tuple[list[Span], list[Span]]:
    """(episodes, cuts) from events (started, ended or None, was cut) and the port's series."""
    episodes: list[Span] = []
    cuts: list[Span] = []
    powered = t[max_w > 0]
    for started, ended, cut in events:
        episodes.append((started, ended if ended is not None else now))
        if cut and ended is not None:
            index = int(np.searchsorted(powered, ended, side="right"))
            back = float(powered[index]) if index < powered.size else now
            cuts.append((ended, max(ended, back)))
    return episodes, cuts
