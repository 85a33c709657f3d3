"""Phantom (standby) power detection for one port, judged on the readings' own timestamps.

A port is in standby while ``0 < power < threshold_w``; zero means the appliance is off. An
episode becomes a phantom event once standby has lasted ``min_duration_s`` (0: on the first
standby reading) and has been steady that long. To keep noise around the threshold from
flapping, an episode only ends when power reaches ``threshold_w * (1 + HYSTERESIS)`` or drops
to zero, or when the port is cut.

A port whose rhythm was recognised (core.rhythm: a fridge's compressor cycles, a washing
machine's programmes) rests between its high phases: a low phase becomes an event only once it
has outlasted the rhythm's longest rest (its *hold*) and then ``min_duration_s`` more. A port
still being learned holds a low phase right after a compressor-like run as long as a
compressor may rest, so a fridge plugged in a moment ago is not cut in its first rest. The
owner can override the recognition either way (`RhythmOverride`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from phantom_desktop.core.rhythm import RhythmOverride, RhythmTracker
from phantom_desktop.core.standby_reason import detected_reason, held_reason

HYSTERESIS = 0.10
# A gap between two readings longer than this counts only this long towards wasted energy, so
# that a device that went silent for a day is not charged a day of standby.
MAX_GAP_S = 300.0
# A standby reading further than this from the recent level (relative, and at least the
# absolute floor) makes the low state unsteady: the min duration counts again from there.
STEADY_RELATIVE = 0.5
STEADY_FLOOR_W = 1.0
_LEVEL_WEIGHT = 0.2


@dataclass(frozen=True, slots=True)
class PortRules:
    """What a port's owner configured for detection."""

    threshold_w: float
    min_duration_s: float = 30.0
    auto_cut: bool = True
    rhythm: RhythmOverride = RhythmOverride.AUTO

    @property
    def exit_level_w(self) -> float:
        """Power at or above which a standby episode is over."""
        return self.threshold_w * (1.0 + HYSTERESIS)


class Phase(enum.Enum):
    IDLE = "idle"  # not in standby
    CANDIDATE = "candidate"  # in standby, shorter than min_duration
    DETECTED = "detected"  # a phantom event is open


@dataclass(frozen=True, slots=True)
class EpisodeDetected:
    """A phantom event starts: standby since `started_at`, confirmed at `detected_at`."""

    started_at: datetime
    detected_at: datetime
    power_w: float
    cut: bool
    reason: str = ""  # why this is standby, in words


@dataclass(frozen=True, slots=True)
class EpisodeEnded:
    """The open phantom event is over."""

    ended_at: datetime
    wasted_wh: float
    mean_power_w: float


@dataclass(frozen=True, slots=True)
class EpisodeProgress:
    """How far an open event's episode is counted: what resuming it exactly needs."""

    started_at: datetime
    counted_until: datetime  # the latest reading judged
    power_w: float  # that reading's power, which holds from then on
    wasted_wh: float  # standby energy from started_at to counted_until


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one reading means for its port."""

    phantom: bool
    detected: EpisodeDetected | None = None
    ended: EpisodeEnded | None = None
    held: str | None = None  # once per episode: why this low phase is not (yet) standby


@dataclass(slots=True)
class _Episode:
    started_at: datetime
    last_at: datetime
    last_power_w: float
    energy_ws: float = 0.0
    steady_since: datetime | None = None
    level_w: float = 0.0
    held: bool = False

    def __post_init__(self) -> None:
        self.steady_since = self.started_at
        self.level_w = self.last_power_w

    def follow_level(self, ts: datetime, power_w: float) -> None:
        """Track the standby level; a reading far from it restarts the steady clock."""
        level = self.level_w
        if abs(power_w - level) > max(STEADY_RELATIVE * level, STEADY_FLOOR_W):
            self.steady_since = ts
        self.level_w = level + _LEVEL_WEIGHT * (power_w - level)

    def extend(self, ts: datetime) -> None:
        dt = (ts - self.last_at).total_seconds()
        if dt > 0:
            self.energy_ws += self.last_power_w * min(dt, MAX_GAP_S)
            self.last_at = ts

    def mean_power_w(self) -> float:
        span = (self.last_at - self.started_at).total_seconds()
        return self.energy_ws / span if span > 0 else self.last_power_w

    def progress(self) -> EpisodeProgress:
        return EpisodeProgress(
            self.started_at, self.last_at, self.last_power_w, self.energy_ws / 3600.0
        )


@dataclass(slots=True)
class PortDetector:
    """State machine of one port; feed it readings in arrival order."""

    rules: PortRules
    phase: Phase = Phase.IDLE
    last_ts: datetime | None = None
    _episode: _Episode | None = field(default=None, repr=False)
    rhythm: RhythmTracker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rhythm = RhythmTracker(self.rules.threshold_w, self.rules.exit_level_w)

    def set_rules(self, rules: PortRules) -> None:
        """The owner changed the port's settings."""
        self.rules = rules
        self.rhythm.set_levels(rules.threshold_w, rules.exit_level_w)

    @classmethod
    def resume(cls, rules: PortRules, progress: EpisodeProgress) -> PortDetector:
        """Continue an open event where the last committed batch left it."""
        detector = cls(rules, Phase.DETECTED, progress.counted_until)
        episode = _Episode(progress.started_at, progress.counted_until, progress.power_w)
        episode.energy_ws = progress.wasted_wh * 3600.0
        detector._episode = episode
        return detector

    def progress(self) -> EpisodeProgress | None:
        """The open event's progress (None when no event is open), to save with the batch."""
        episode = self._episode
        if self.phase is not Phase.DETECTED or episode is None:
            return None
        return episode.progress()

    def feed(self, ts: datetime, power_w: float) -> Verdict:
        """Judge one reading. Readings older than the last one are stored but not judged."""
        if self.last_ts is not None and ts < self.last_ts:
            return Verdict(phantom=self.phase is Phase.DETECTED)
        self.last_ts = ts
        self.rhythm.feed(ts, power_w)
        rules = self.rules
        in_band = 0.0 < power_w < rules.threshold_w
        holds = 0.0 < power_w < rules.exit_level_w  # within the band or its hysteresis margin

        if self.phase is Phase.IDLE:
            if not in_band:
                return Verdict(phantom=False)
            self.phase = Phase.CANDIDATE
            self._episode = _Episode(ts, ts, power_w)
        else:
            episode = self._episode
            assert episode is not None
            episode.extend(ts)
            if not holds:
                return self._leave(ts)
            episode.last_power_w = power_w
            if self.phase is Phase.CANDIDATE:
                episode.follow_level(ts, power_w)

        if self.phase is Phase.CANDIDATE:
            episode = self._episode
            assert episode is not None
            low_s = (ts - episode.started_at).total_seconds()
            if low_s < rules.min_duration_s:
                return Verdict(phantom=False)
            return self._judge_low(ts, power_w, episode, low_s)
        return Verdict(phantom=True)

    def hold_s(self) -> float:
        """How long the current low phase may be a rest before standby can begin."""
        mode = self.rules.rhythm
        if mode is RhythmOverride.STANDBY:
            return 0.0
        if mode is RhythmOverride.RESTS:
            return float("inf")
        tracker = self.rhythm
        return tracker.rhythm.hold_s if tracker.may_be_rest() else tracker.learning_hold_s()

    def _judge_low(self, ts: datetime, power_w: float, episode: _Episode, low_s: float) -> Verdict:
        rules = self.rules
        assert episode.steady_since is not None
        steady_s = (ts - episode.steady_since).total_seconds()
        hold_s = self.hold_s()
        if low_s >= hold_s + rules.min_duration_s and steady_s >= rules.min_duration_s:
            return self._detect(ts, power_w)
        if hold_s > 0 and not episode.held:
            episode.held = True
            return Verdict(
                phantom=False, held=held_reason(low_s, self.rhythm.rhythm, rules.rhythm, ts)
            )
        return Verdict(phantom=False)

    def port_turned_off(self, ts: datetime) -> EpisodeEnded | None:
        """The port was cut: an open event ends now; detection restarts when it is back on."""
        ended = None
        if self.phase is Phase.DETECTED and self._episode is not None:
            self._episode.extend(max(ts, self._episode.last_at))
            ended = self._ended(max(ts, self._episode.last_at))
        self.phase, self._episode = Phase.IDLE, None
        return ended

    def _detect(self, ts: datetime, power_w: float) -> Verdict:
        episode = self._episode
        assert episode is not None
        self.phase = Phase.DETECTED
        reason = detected_reason(
            power_w,
            (ts - episode.started_at).total_seconds(),
            self.rhythm.rhythm,
            self.rules.rhythm,
            self.rhythm.watched_s(ts),
            self.rules.auto_cut,
            self.hold_s(),
        )
        detected = EpisodeDetected(
            episode.started_at, ts, power_w, cut=self.rules.auto_cut, reason=reason
        )
        if self.rules.auto_cut:
            ended = self._ended(ts)
            self.phase, self._episode = Phase.IDLE, None
            return Verdict(phantom=True, detected=detected, ended=ended)
        return Verdict(phantom=True, detected=detected)

    def _leave(self, ts: datetime) -> Verdict:
        ended = self._ended(ts) if self.phase is Phase.DETECTED else None
        self.phase, self._episode = Phase.IDLE, None
        return Verdict(phantom=False, ended=ended)

    def _ended(self, ts: datetime) -> EpisodeEnded:
        episode = self._episode
        assert episode is not None
        return EpisodeEnded(ts, episode.energy_ws / 3600.0, episode.mean_power_w())


def recounted(
    started_at: datetime, readings: Iterable[tuple[datetime, float]]
) -> EpisodeProgress | None:
    """Count an open event's episode again from its stored readings (in time order, from
    `started_at`), as the detector did: for an event stored without its progress (an earlier
    version's). None without readings."""
    rest = iter(readings)
    first = next(rest, None)
    if first is None:
        return None
    return counted_on(EpisodeProgress(started_at, first[0], first[1], 0.0), rest)


def counted_on(
    progress: EpisodeProgress, readings: Iterable[tuple[datetime, float]]
) -> EpisodeProgress:
    """Continue saved progress over the readings stored after it (in time order): the writer
    saves progress only every so often, and the batches committed since then hold the rest."""
    episode = _Episode(progress.started_at, progress.counted_until, progress.power_w)
    episode.energy_ws = progress.wasted_wh * 3600.0
    for ts, power_w in readings:
        if ts <= episode.last_at:
            continue
        episode.extend(ts)
        episode.last_power_w = power_w
    return episode.progress()
