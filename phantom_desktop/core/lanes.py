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
    if not events:
        return [], []
    started = np.array([e[0] for e in events], dtype=float)
    ended = np.array([now if e[1] is None else e[1] for e in events], dtype=float)
    cut = np.array([e[2] and e[1] is not None for e in events], dtype=bool)
    powered = t[max_w > 0]
    cut_at = ended[cut]
    index = np.searchsorted(powered, cut_at, side="right")
    back = np.full(cut_at.size, now)
    inside = index < powered.size
    back[inside] = powered[index[inside]]
    episodes = list(zip(started.tolist(), ended.tolist(), strict=True))
    cuts = list(zip(cut_at.tolist(), np.maximum(cut_at, back).tolist(), strict=True))
    return episodes, cuts
