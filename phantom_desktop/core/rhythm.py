"""Recognise a port's rhythm from its recent readings: compressor cycles and programmes.

The readings are split into phases on the port's threshold: *high* (at or above the exit
level, threshold + hysteresis), *low* (0 < power < threshold) and *off* (zero). A low phase
between two high phases is a *rest*. Two patterns make a low phase a rest rather than standby:

- **cycling** (fridge, freezer, dehumidifier, heat pump): `MIN_CYCLES` rests in a row, all
  within a band of `STEADY_BAND` (shortest to longest), and compressor runs that mostly are
  within `STEADY_RUN_RATIO` of the one before. A low phase is a
  rest until it lasts `REST_TOLERANCE` times the longest recent rest. Once recognised, the
  rhythm may drift (a door left open, a hot day); only a low phase that outlasts it undoes it.
- **programme** (washing machine, dishwasher, dryer): a burst of at least three high phases
  separated by pauses of up to `MAX_PROGRAMME_PAUSE_S`, with quiet (off, or low for longer)
  before and after, seen at least `MIN_PROGRAMMES` times within `PROGRAMME_WINDOW_S`. A low
  phase that follows a high phase may be a pause until it lasts as long as the longest pause
  such programmes have shown.

Until a rhythm could have been seen, a port is *learning*: a fridge plugged in a moment ago
must not be cut in its first rest. So while nothing is recognised, the port has not yet shown
`LEARNING_RESTS` low phases after high ones, and none of its low phases has outlasted a
compressor's rest (`MAX_REST_S`), a low phase right after a compressor-like run (at least
`MIN_RUN_S` long, stopping at once from `COMPRESSOR_MIN_W` or more) may be a first rest for up
to `MAX_REST_S` (`learning_hold_s`). A charger tapering off or a printer going from ready to
sleep drops from a few watts, and a microwave's or a kettle's run is shorter: not held.

Cycles older than `WINDOW_S` and programmes older than `PROGRAMME_WINDOW_S` are forgotten, so
a replaced appliance is re-learned; a low phase longer than any compressor rest (`MAX_REST_S`),
or longer than the recognised rhythm allows, breaks the chain of cycles at once. Feeding a
reading costs a comparison or two; the statistics are recomputed only when a phase ends.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

WINDOW_S = 48 * 3600.0
PROGRAMME_WINDOW_S = 7 * 24 * 3600.0  # a washing machine may run once or twice a week
MIN_PROGRAMMES = 2
MAX_REST_S = 90 * 60.0  # the longest low phase that can still be a compressor's rest
MAX_PROGRAMME_PAUSE_S = 70 * 60.0  # the longest pause inside a programme
MAX_PROGRAMME_S = 5 * 3600.0
MIN_PROGRAMME_HIGHS = 3
MIN_CYCLES = 8
RECENT_CYCLES = 8
STEADY_BAND = 1.3  # the longest of the recent rests is at most this times the shortest
STEADY_RUN_RATIO = 2.0  # compressor runs vary more with load and door openings
STEADY_SHARE = 2 / 3
REST_TOLERANCE = 1.25
MAX_GAP_S = 300.0  # a silence longer than this breaks the current phase: its length is unknown
COMPRESSOR_MIN_W = 30.0  # a run that stops from this much or more may be a compressor's
MIN_RUN_S = 180.0  # compressors run at least this long (their controllers prevent short cycles)
LEARNING_RESTS = MIN_CYCLES + 2  # low phases after runs by which a rhythm would have shown

_OFF, _LOW, _HIGH, _NONE = 0, 1, 2, 3


class Pattern(enum.StrEnum):
    NONE = "none"
    CYCLING = "cycling"
    PROGRAMME = "programme"


class RhythmOverride(enum.StrEnum):
    """The owner's word on a port, over what was recognised."""

    AUTO = "auto"  # follow the recognition
    RESTS = "rests"  # its low phases are rests: never standby, never cut
    STANDBY = "standby"  # ignore any rhythm: low for the min duration is standby


@dataclass(frozen=True, slots=True)
class Rhythm:
    """What has been recognised on a port, and how long a low phase may be a rest."""

    pattern: Pattern = Pattern.NONE
    since: datetime | None = None  # when this pattern was first recognised
    hold_s: float = 0.0  # a low phase shorter than this may be a rest (0: none expected)
    period_s: float | None = None  # cycling: the typical rest + run
    rests_seen: int = 0  # cycling: rests judged; programme: programmes seen

    def describe(self) -> str:
        """Short words for the port: "cycling, ~40 min rhythm"."""
        if self.pattern is Pattern.CYCLING and self.period_s is not None:
            return f"cycling, ~{duration_text(self.period_s)} rhythm"
        if self.pattern is Pattern.PROGRAMME:
            return f"runs programmes (pauses up to {duration_text(self.hold_s)})"
        return "no rhythm"


NO_RHYTHM = Rhythm()


def duration_text(seconds: float) -> str:
    """12 s, 4 min, 38 min, 1 h 05 min, 2.5 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60.0
    if minutes < 60:
        return f"{minutes:.0f} min"
    hours, rest = divmod(round(minutes), 60)
    if hours < 3:
        return f"{hours} h {rest:02d} min"
    return f"{minutes / 60:.1f} h" if hours < 10 else f"{minutes / 60:.0f} h"


@dataclass(frozen=True, slots=True)
class _Run:
    """A finished burst of high phases."""

    ended_at: datetime
    longest_pause_s: float


def _steady(values: list[float], ratio: float) -> bool:
    """Whether most neighbouring values are within `ratio` of each other."""
    pairs = list(pairwise(values))
    if not pairs:
        return False
    steady = sum(1 for a, b in pairs if max(a, b) <= ratio * min(a, b))
    return steady >= STEADY_SHARE * len(pairs)


@dataclass(slots=True)
class RhythmTracker:
    """Follows one port's phases; `rhythm` is what it has recognised so far."""

    threshold_w: float
    exit_w: float
    rhythm: Rhythm = NO_RHYTHM
    _kind: int = _NONE
    _first: datetime | None = None  # the first reading learned from
    _start: datetime | None = None  # start of the current phase
    _last: datetime | None = None
    _after_high: bool = False  # the current low phase follows a high phase
    _after_off: bool = False  # the current low phase follows an off phase
    _after_run: bool = False  # the current low phase follows a compressor-like run
    _last_w: float = 0.0  # power of the last reading
    _lows_after_runs: int = 0  # low phases after high ones, counted up to LEARNING_RESTS
    _long_low: bool = False  # a low phase outlasted any compressor's rest
    # (ended_at, rest_s, run_s): a rest and the compressor run that ended it
    _cycles: deque[tuple[datetime, float, float]] = field(default_factory=deque)
    _runs: deque[_Run] = field(default_factory=deque)
    # The burst under way: its start (None: not after quiet), pauses so far, high phases
    _burst_start: datetime | None = None
    _burst_pauses: list[float] = field(default_factory=list)
    _burst_highs: int = 0
    _rest_s: float | None = None  # the rest that preceded the current high phase

    def set_levels(self, threshold_w: float, exit_w: float) -> None:
        """The port's threshold changed: what counts as high and low changes with it."""
        if (threshold_w, exit_w) != (self.threshold_w, self.exit_w):
            self.threshold_w, self.exit_w = threshold_w, exit_w
            self.forget()

    def forget(self) -> None:
        """Start learning afresh."""
        self._cycles.clear()
        self._runs.clear()
        self._kind, self._start, self._after_high, self._burst_start = _NONE, None, False, None
        self._first = self._last
        self._burst_pauses, self._burst_highs, self._rest_s = [], 0, None
        self._lows_after_runs, self._long_low = 0, False
        self.rhythm = NO_RHYTHM

    def learn(self, readings: Iterable[tuple[datetime, float]]) -> None:
        """Take a port's past readings (oldest first), e.g. from the store on start."""
        for ts, power_w in readings:
            self.feed(ts, power_w)

    def watched_s(self, now: datetime) -> float:
        """How long this port's readings have been learned from."""
        return (now - self._first).total_seconds() if self._first is not None else 0.0

    def low_since(self) -> datetime | None:
        """Start of the current low phase, if the port is low."""
        return self._start if self._kind == _LOW else None

    def feed(self, ts: datetime, power_w: float) -> None:
        """Take one reading (in timestamp order; older ones are ignored)."""
        last = self._last
        if last is None:
            self._first = ts
        elif ts < last:
            return
        if power_w <= 0.0:
            kind = _OFF
        elif power_w < self.threshold_w:
            kind = _LOW
        elif power_w >= self.exit_w or self._kind in (_OFF, _NONE):
            kind = _HIGH
        else:
            kind = self._kind  # inside the hysteresis margin: no change
        if last is not None and (ts - last).total_seconds() > MAX_GAP_S:
            self._break(last)
            self._begin(kind, ts, after_high=False)
        elif kind != self._kind:
            self._end_phase(ts, kind)
        self._last, self._last_w = ts, power_w

    # -- phases ------------------------------------------------------------------------------
    def _begin(self, kind: int, ts: datetime, after_high: bool, after_off: bool = False) -> None:
        self._kind, self._start, self._after_high, self._after_off = kind, ts, after_high, after_off
        self._after_run = False

    def _break(self, last: datetime) -> None:
        """A silence: the phase under way ends at the last reading, its length unknown."""
        if self._kind == _HIGH:
            self._end_burst(last)
        self._burst_start, self._rest_s = None, None
        self._kind = _NONE

    def _end_phase(self, ts: datetime, new_kind: int) -> None:
        kind, start = self._kind, self._start
        length = (ts - start).total_seconds() if start is not None else 0.0
        if kind == _HIGH:
            self._high_ended(ts, length, new_kind)
        elif kind == _LOW:
            self._low_ended(ts, length, new_kind)
        elif kind == _OFF:
            self._burst_start, self._rest_s = None, None
        quiet = kind == _OFF or (
            kind == _LOW and (self._after_off or length > MAX_PROGRAMME_PAUSE_S)
        )
        self._begin(new_kind, ts, after_high=kind == _HIGH, after_off=kind == _OFF)
        self._after_run = kind == _HIGH and length >= MIN_RUN_S and self._last_w >= COMPRESSOR_MIN_W
        if new_kind == _HIGH and quiet:
            self._burst_start, self._burst_pauses, self._burst_highs = ts, [], 0

    def _high_ended(self, ts: datetime, run_s: float, new_kind: int) -> None:
        self._burst_highs += 1
        if self._rest_s is not None:
            self._add_cycle(ts, self._rest_s, run_s)
            self._rest_s = None
        if new_kind == _OFF:
            self._end_burst(ts)

    def _low_ended(self, ts: datetime, rest_s: float, new_kind: int) -> None:
        if self._after_high and self._lows_after_runs < LEARNING_RESTS:
            self._lows_after_runs += 1
        self._long_low = self._long_low or rest_s > MAX_REST_S
        rhythm = self.rhythm
        too_long = rest_s > MAX_REST_S or (
            rhythm.pattern is Pattern.CYCLING and rest_s > rhythm.hold_s
        )
        if too_long and self._cycles:
            self._cycles.clear()  # no compressor rests this long: whatever runs here, re-learn
            self._recompute(ts)
        if too_long or not self._after_high:
            self._rest_s = None
        elif new_kind == _HIGH:
            self._rest_s = rest_s
        pause = self._after_high and new_kind == _HIGH and rest_s <= MAX_PROGRAMME_PAUSE_S
        if pause and self._burst_start is not None:
            self._burst_pauses.append(rest_s)
        elif not pause:
            self._end_burst(ts - timedelta(seconds=rest_s))

    def _end_burst(self, ended_at: datetime) -> None:
        """Quiet after a burst: if it looked like a programme, remember its longest pause."""
        start, pauses = self._burst_start, self._burst_pauses
        self._burst_start, self._burst_pauses = None, []
        highs, self._burst_highs = self._burst_highs, 0
        if start is None or highs < MIN_PROGRAMME_HIGHS or len(pauses) < MIN_PROGRAMME_HIGHS - 1:
            return
        if (ended_at - start).total_seconds() > MAX_PROGRAMME_S:
            return
        self._runs.append(_Run(ended_at, max(pauses)))
        self._recompute(ended_at)

    def _add_cycle(self, ts: datetime, rest_s: float, run_s: float) -> None:
        cycles = self._cycles
        cycles.append((ts, rest_s, run_s))
        while len(cycles) > RECENT_CYCLES:
            cycles.popleft()
        self._recompute(ts)

    # -- recognition -------------------------------------------------------------------------
    def _recompute(self, now: datetime) -> None:
        horizon = now - timedelta(seconds=WINDOW_S)
        while self._cycles and self._cycles[0][0] < horizon:
            self._cycles.popleft()
        horizon = now - timedelta(seconds=PROGRAMME_WINDOW_S)
        while self._runs and self._runs[0].ended_at < horizon:
            self._runs.popleft()
        previous = self.rhythm
        # Both can show (a washer tumbling its drum on a short rhythm): the longer hold wins.
        found = [r for r in (self._cycling(), self._programme()) if r is not None]
        rhythm = max(found, key=lambda r: r.hold_s) if found else NO_RHYTHM
        if rhythm.pattern is not Pattern.NONE:
            since = previous.since if previous.pattern is rhythm.pattern else now
            rhythm = replace(rhythm, since=since)
        self.rhythm = rhythm

    def _cycling(self) -> Rhythm | None:
        cycles = self._cycles
        if len(cycles) < MIN_CYCLES:
            return None
        rests = [c[1] for c in cycles]
        runs = [c[2] for c in cycles]
        if self.rhythm.pattern is not Pattern.CYCLING:
            latest = rests[-MIN_CYCLES:]
            if max(latest) > STEADY_BAND * min(latest) or not _steady(runs, STEADY_RUN_RATIO):
                return None
        # Once recognised, a door left open or a hot afternoon does not undo it: only a low
        # phase longer than the rhythm allows does (it clears the cycles).
        period = median(r + u for _t, r, u in cycles)
        return Rhythm(Pattern.CYCLING, None, max(rests) * REST_TOLERANCE, period, len(cycles))

    def _programme(self) -> Rhythm | None:
        if len(self._runs) < MIN_PROGRAMMES:
            return None
        longest = max(run.longest_pause_s for run in self._runs)
        return Rhythm(Pattern.PROGRAMME, None, longest, None, len(self._runs))

    def may_be_rest(self) -> bool:
        """Whether the current low phase can be a rest of the recognised pattern."""
        pattern = self.rhythm.pattern
        if pattern is Pattern.CYCLING:
            return True
        return pattern is Pattern.PROGRAMME and self._after_high

    def learning_hold_s(self) -> float:
        """How long the current low phase may be a first rest of a port still being learned:
        `MAX_REST_S` right after a compressor-like run, else 0 (see the module)."""
        learning = (
            self.rhythm.pattern is Pattern.NONE
            and self._lows_after_runs < LEARNING_RESTS
            and not self._long_low
        )
        return MAX_REST_S if learning and self._kind == _LOW and self._after_run else 0.0
