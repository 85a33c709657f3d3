"""Energy, cost, waste and savings of ports over calendar periods, from rollups and episodes.

- energy and standby energy come from the rollups (time-weighted, gap-capped);
- wasted energy is what phantom episodes drew, shared out by the time each overlaps a period
  (an episode still open is charged its standby power until `now`);
- saved energy is a cut episode's standby power times the time the port then stayed off
  (until its power came back, or `now`), again clipped to the period;
- always-on is the low percentile of the levels the minutes of the last (at most) 48 h of the
  period held (`baseline.minute_floors`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from phantom_desktop.core.baseline import BASELINE_WINDOW_S, always_on_w
from phantom_desktop.core.tariff import Tariff

HOME = "home"


@dataclass(frozen=True, slots=True)
class EnergyBucket:
    """Energy of one port in [start, start + duration) (UTC epoch seconds)."""

    start: float
    duration: float
    wh: float
    standby_wh: float


@dataclass(frozen=True, slots=True)
class Episode:
    """A phantom event: standby from `started_at`; cut at `ended_at` if `cut`, power back at
    `restored_at` (None: still off, or never cut)."""

    started_at: float
    ended_at: float | None
    power_w: float
    wasted_wh: float
    cut: bool
    restored_at: float | None = None


@dataclass(frozen=True, slots=True)
class EnergyRow:
    port_id: str
    port_name: str
    start: datetime
    end: datetime
    wh: float
    standby_wh: float
    wasted_wh: float
    saved_wh: float
    cost: float
    standby_cost: float
    currency: str
    always_on_w: float
    yearly_standby_cost: float

    @property
    def standby_share(self) -> float:
        return self.standby_wh / self.wh if self.wh > 0 else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "portId": self.port_id,
            "port": self.port_name,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "kwh": round(self.wh / 1000.0, 6),
            "standbyKwh": round(self.standby_wh / 1000.0, 6),
            "standbyShare": round(self.standby_share, 4),
            "wastedKwh": round(self.wasted_wh / 1000.0, 6),
            "savedKwh": round(self.saved_wh / 1000.0, 6),
            "cost": round(self.cost, 4),
            "currency": self.currency,
            "alwaysOnW": round(self.always_on_w, 3),
            "yearlyStandbyCost": round(self.yearly_standby_cost, 2),
        }


def overlap_s(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def wasted_wh(episode: Episode, start: float, end: float, now: float) -> float:
    """The part of an episode's wasted energy that falls in [start, end)."""
    if episode.ended_at is None:
        return episode.power_w * overlap_s(episode.started_at, now, start, end) / 3600.0
    span = episode.ended_at - episode.started_at
    if span <= 0:
        return episode.wasted_wh if start <= episode.started_at < end else 0.0
    return episode.wasted_wh * overlap_s(episode.started_at, episode.ended_at, start, end) / span


def saved_wh(episode: Episode, start: float, end: float, now: float) -> float:
    """Standby energy a cut avoided in [start, end): standby power x time the port stayed off."""
    if not episode.cut or episode.ended_at is None:
        return 0.0
    back = episode.restored_at if episode.restored_at is not None else now
    return episode.power_w * overlap_s(episode.ended_at, back, start, end) / 3600.0


def baseline_window(start: float, end: float, now: float) -> tuple[float, float]:
    """The part of a period the always-on figure looks at: its last 48 h (up to now)."""
    last = min(end, now)
    return max(start, last - BASELINE_WINDOW_S), last


def port_rows(
    port_id: str,
    port_name: str,
    periods: Sequence[tuple[datetime, datetime]],
    buckets: Sequence[EnergyBucket],
    episodes: Sequence[Episode],
    minute_levels: Callable[[float, float], Iterable[float]],
    tariff: Tariff,
    zone: tzinfo,
    now: float,
) -> list[EnergyRow]:
    """One row per period for one port. `minute_levels(start, end)` gives the levels its minutes
    held (`baseline.minute_floors`)."""
    rows = []
    for period_start, period_end in periods:
        p0, p1 = period_start.timestamp(), period_end.timestamp()
        inside = [b for b in buckets if p0 <= b.start < p1]
        wh = sum(b.wh for b in inside)
        standby = sum(b.standby_wh for b in inside)
        cost = tariff.cost(((b.start, b.duration, b.wh) for b in inside), zone)
        standby_cost = tariff.cost(((b.start, b.duration, b.standby_wh) for b in inside), zone)
        base = always_on_w(minute_levels(*baseline_window(p0, p1, now)))
        rows.append(
            EnergyRow(
                port_id,
                port_name,
                period_start,
                period_end,
                wh,
                standby,
                sum(wasted_wh(e, p0, p1, now) for e in episodes),
                sum(saved_wh(e, p0, p1, now) for e in episodes),
                cost,
                standby_cost,
                tariff.currency,
                base,
                tariff.yearly_cost(base),
            )
        )
    return rows


def home_rows(rows_by_port: Mapping[str, Sequence[EnergyRow]], tariff: Tariff) -> list[EnergyRow]:
    """The whole home per period: sums of the ports' rows (always-on is the sum of floors)."""
    columns = list(zip(*rows_by_port.values(), strict=True)) if rows_by_port else []
    out = []
    for column in columns:
        first = column[0]
        base = sum(r.always_on_w for r in column)
        out.append(
            EnergyRow(
                HOME,
                "Whole home",
                first.start,
                first.end,
                sum(r.wh for r in column),
                sum(r.standby_wh for r in column),
                sum(r.wasted_wh for r in column),
                sum(r.saved_wh for r in column),
                sum(r.cost for r in column),
                sum(r.standby_cost for r in column),
                tariff.currency,
                base,
                tariff.yearly_cost(base),
            )
        )
    return out


def ranked_wasters(rows: Sequence[EnergyRow]) -> list[EnergyRow]:
    """Ports by what their standby floor costs a year, biggest first (the Energy view's list)."""
    return sorted(rows, key=lambda r: (-r.yearly_standby_cost, -r.standby_wh, r.port_name))
