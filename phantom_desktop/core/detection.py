"""Phantom (standby) power detection for one port, judged on the readings' own timestamps.

A port is in standby while ``0 < power < threshold_w``; zero means the appliance is off. An
episode becomes a phantom event once standby has lasted ``min_duration_s`` (0: on the first
standby reading). To keep noise around the threshold from flapping, an episode only ends when
power reaches ``threshold_w * (1 + HYSTERESIS)`` or drops to zero, or when the port is cut.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

HYSTERESIS = 0.10
# A gap between two readings longer than this counts only this long towards wasted energy, so
# that a device that went silent for a day is not charged a day of standby.
MAX_GAP_S = 300.0


@dataclass(frozen=True, slots=True)
class PortRules:
    """What a port's owner configured for detection."""

    threshold_w: float
    min_duration_s: float = 30.0
    auto_cut: bool = True

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


@dataclass(frozen=True, slots=True)
class EpisodeEnded:
    """The open phantom event is over."""

    ended_at: datetime
    wasted_wh: float
    mean_power_w: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one reading means for its port."""

    phantom: bool
    detected: EpisodeDetected | None = None
    ended: EpisodeEnded | None = None


@dataclass(slots=True)
class _Episode:
    started_at: datetime
    last_at: datetime
    last_power_w: float
    energy_ws: float = 0.0

    def extend(self, ts: datetime) -> None:
        dt = (ts - self.last_at).total_seconds()
        if dt > 0:
            self.energy_ws += self.last_power_w * min(dt, MAX_GAP_S)
            self.last_at = ts

    def mean_power_w(self) -> float:
        span = (self.last_at - self.started_at).total_seconds()
        return self.energy_ws / span if span > 0 else self.last_power_w


@dataclass(slots=True)
class PortDetector:
    """State machine of one port; feed it readings in arrival order."""

    rules: PortRules
    phase: Phase = Phase.IDLE
    last_ts: datetime | None = None
    _episode: _Episode | None = field(default=None, repr=False)

    @classmethod
    def resume(
        cls, rules: PortRules, started_at: datetime, last_at: datetime, power_w: float
    ) -> PortDetector:
        """Continue an event that was open when the app last stopped."""
        detector = cls(rules, Phase.DETECTED, last_at)
        detector._episode = _Episode(started_at, last_at, power_w)
        return detector

    def feed(self, ts: datetime, power_w: float) -> Verdict:
        """Judge one reading. Readings older than the last one are stored but not judged."""
        if self.last_ts is not None and ts < self.last_ts:
            return Verdict(phantom=self.phase is Phase.DETECTED)
        self.last_ts = ts
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
            episode = self._episode
            assert episode is not None
            if (ts - episode.started_at).total_seconds() >= rules.min_duration_s:
                return self._detect(ts, power_w)
            return Verdict(phantom=False)
        return Verdict(phantom=True)

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
        detected = EpisodeDetected(episode.started_at, ts, power_w, cut=self.rules.auto_cut)
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
