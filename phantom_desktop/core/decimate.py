"""Min/max decimation: a series reduced to what a plot `columns` pixels wide can show.

Each pixel column keeps its lowest and highest value (the two-point member of the M4 family
that plotting tools use to show millions of points), so the drawn envelope is the data's
envelope however dense the data. Columns are anchored at multiples of their width in time,
not at the window's start: when the window scrolls, a column keeps its points and the
picture does not shimmer.
"""

from __future__ import annotations

import numpy as np


def column_width(span: float, columns: int) -> float:
    """Seconds (x units) per pixel column of a window `span` wide drawn on `columns` pixels."""
    return span / max(1, columns)


def min_max(
    x: np.ndarray, y: np.ndarray, start: float, end: float, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """The points of (x ascending, y) in [start, end], reduced to min and max per column.

    At most two points per column of `width` come back, both at the column's centre: min first
    in even columns, max first in odd ones, so that neighbouring columns join at the same end
    (max to max, min to min) and the line covers about half the pixels of a zigzag from each
    max down to the next min. A series already that sparse comes back unchanged (as views, not
    copies). The last point before `start` is kept, so the line enters the window from its
    left edge.
    """
    if len(x) and (x[0] < start or end < x[-1]):  # a frame's new readings seldom need trimming
        first = max(0, int(np.searchsorted(x, start, side="left")) - 1)
        last = int(np.searchsorted(x, end, side="right"))
        x, y = x[first:last], y[first:last]
    if width <= 0 or len(x) <= 2 or len(x) <= 2 * (end - start) / width:
        return x, y
    column = np.floor(x / width)
    starts = np.flatnonzero(np.diff(column)) + 1
    starts = np.concatenate(([0], starts))
    if len(x) <= 2 * len(starts):
        return x, y
    low = np.minimum.reduceat(y, starts)
    high = np.maximum.reduceat(y, starts)
    odd = column[starts] % 2 == 1
    ends = np.column_stack((np.where(odd, high, low), np.where(odd, low, high)))
    centres = (column[starts] + 0.5) * width
    return np.repeat(centres, 2), ends.ravel()
