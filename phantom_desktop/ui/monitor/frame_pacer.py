"""Frame pacing: draw as often as useful while drawing stays within a share of one core."""

from __future__ import annotations

DRAW_SHARE = 0.2  # at most this share of one core goes to drawing the live plot
MIN_INTERVAL_S = 0.1  # 10 frames/s: readings arrive at the window ten times a second
MAX_INTERVAL_S = 1.0  # however costly a frame, the plot moves at least once a second
SMOOTHING = 0.3  # weight of the latest frame in the running cost


class FramePacer:
    """Turns measured drawing time into the wait before the next frame.

    Everything the plot spends drawing is reported with `spent` (its data hand-over and its
    paints, including those Qt asks for on a resize); `next_interval` then spaces frames so that
    the smoothed cost per frame is at most `share` of the interval.
    """

    def __init__(
        self,
        share: float = DRAW_SHARE,
        min_interval_s: float = MIN_INTERVAL_S,
        max_interval_s: float = MAX_INTERVAL_S,
    ) -> None:
        self.share = share
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self._pending = 0.0
        self.cost_s: float | None = None  # smoothed drawing time per frame

    def spent(self, seconds: float) -> None:
        self._pending += seconds

    def next_interval(self) -> float:
        """Seconds to wait before the next frame, given what was spent since the last call."""
        cost, self._pending = self._pending, 0.0
        if self.cost_s is None:
            self.cost_s = cost
        else:
            self.cost_s += SMOOTHING * (cost - self.cost_s)
        wanted = self.cost_s / self.share
        return min(self.max_interval_s, max(self.min_interval_s, wanted))
