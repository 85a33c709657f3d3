"""Detection benchmark: labelled appliance traces replayed through the real writer.

    python bench/detection.py [--learn-days 7] [--days 3] [--interval 10] [--min-duration 60]
                              [--seed 1] [--scenario fridge --scenario washer ...]

Each scenario is one simulated appliance (simulator/cycling_profiles.py and profiles.py) on one
port of a fresh SQLite database, every reading carrying its device timestamp and a label:
standby, active, resting (inside a cycle or programme) or off. First `--learn-days` of its life
go through the writer with auto-cut off (the port's past); then the writer is stopped, auto-cut
is switched on, and a new writer, which must learn the port's rhythm from the store, judges
`--days` more. The "new port" scenarios learn nothing first: the appliance is plugged into a
port created a moment ago, with auto-cut on from its first reading. A cut opens the relay: the
port reads 0 W until the appliance next wants to run, when the user switches it back on.

Per scenario it prints the standby episodes found in time / expected (an episode is due at its
first reading plus the min duration; on a port whose past shows rests, plus the longest rest
seen in the week before: "within the longest pause its programmes have shown plus the min
duration"; found in time means by the due reading plus one interval), the delay after the min
duration (median and worst), events on readings that were not standby (false events), cuts
among them (false cuts) and the most events in one episode. Exit status 1 when a scenario
misses an episode, detects one late, or has a false event or more than one event per episode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import Outcome, PortCommand, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory, sqlite_url
from phantom_desktop.store.models import PhantomEvent, Port
from simulator.traces import Gaps, LabelledReading, labelled_trace

START = datetime(2026, 1, 5, tzinfo=UTC)
WEEK_S = 7 * 24 * 3600.0
LEARN_CHUNK = 500
EVAL_CHUNK = 30


@dataclass(frozen=True)
class Scenario:
    name: str
    profile: str
    threshold_w: float = 5.0
    gaps: Gaps | None = None
    new: bool = False  # a port created a moment ago: nothing learned before judging


SCENARIOS = (
    Scenario("tv", "tv"),
    Scenario("set-top box", "settopbox", 22.0),
    Scenario("phone charger", "charger", 0.8),
    Scenario("desk lamp", "lamp", 2.0),
    Scenario("fridge", "fridge"),
    Scenario("freezer", "freezer"),
    Scenario("fridge, new port", "fridge", new=True),
    Scenario("freezer, new port", "freezer", new=True),
    Scenario("dehumidifier", "dehumidifier"),
    Scenario("washing machine", "washer"),
    Scenario("laser printer", "laser"),
    Scenario("pc", "pc"),
    Scenario("router", "router"),
    Scenario("noise at threshold", "noisy"),
    Scenario("tv with gaps", "tv", gaps=Gaps(every_s=3600.0)),
)


class _Replies:
    """The writer's answers, resolved into the futures passed as tags."""

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        for tag, outcome in results:
            assert isinstance(tag, Future)
            tag.set_result(outcome)


@dataclass
class Score:
    expected: int = 0
    in_time: int = 0
    late: int = 0
    too_short: int = 0
    delays_s: list[float] | None = None
    false_events: int = 0
    false_cuts: int = 0
    max_per_episode: int = 0
    events: int = 0
    resting_readings: int = 0
    missed: list[str] | None = None  # when each missed or late episode began
    allowance_s: float = 0.0  # the longest rest allowed for, on a port whose past shows rests

    @property
    def ok(self) -> bool:
        return (
            self.in_time == self.expected
            and self.false_events == 0
            and self.false_cuts == 0
            and self.max_per_episode <= 1
        )


def _values(port_id: str, reading: LabelledReading, power: float | None = None) -> ReadingValues:
    return ReadingValues(
        port_id,
        reading.voltage,
        reading.current if power is None else 0.0,
        reading.power if power is None else power,
        reading.timestamp,
    )


def _submit(writer: Writer, device_id: str, values: list[ReadingValues]) -> Future[Outcome]:
    done: Future[Outcome] = Future()
    submission = Submission(values, _Replies(), done, device_id=device_id, source="bench")
    while not writer.submit(submission):
        time.sleep(0.01)
    return done


def _setup(path: Path, scenario: Scenario, min_duration_s: float) -> tuple[str, str, str]:
    engine = open_store(sqlite_url(path))
    try:
        with session_factory(engine).begin() as session:
            user = repository.ensure_local_user(session)
            device = repository.create_device(session, user.id, "bench plug")
            port = repository.create_port(
                session,
                user.id,
                scenario.name,
                device.id,
                scenario.threshold_w,
                min_duration_s,
                False,
            )
            return engine.url.render_as_string(hide_password=False), device.id, port.id
    finally:
        engine.dispose()


def _learn(url: str, device_id: str, port_id: str, past: list[LabelledReading]) -> None:
    engine = open_store(url)
    writer = Writer(engine)
    writer.start()
    try:
        futures = [
            _submit(writer, device_id, [_values(port_id, r) for r in past[i : i + LEARN_CHUNK]])
            for i in range(0, len(past), LEARN_CHUNK)
        ]
        for future in futures:
            future.result(timeout=120)
    finally:
        writer.stop()
        with engine.begin() as conn:
            conn.execute(update(Port).where(Port.id == port_id).values(auto_cut=True))
        engine.dispose()


def _chunks(readings: list[LabelledReading]):
    """Runs of one label, at most EVAL_CHUNK readings each."""
    start = 0
    for i in range(1, len(readings) + 1):
        if (
            i == len(readings)
            or readings[i].label != readings[start].label
            or i - start >= EVAL_CHUNK
        ):
            yield readings[start:i]
            start = i


def _evaluate(url: str, device_id: str, port_id: str, days: list[LabelledReading]) -> list:
    """Replay with auto-cut on; the relay opens on a cut and closes when the appliance runs."""
    engine = open_store(url)
    writer = Writer(engine)
    writer.start()
    cut = False
    try:
        for chunk in _chunks(days):
            if cut and chunk[0].label == "active":
                turn_on = PortCommand(port_id, status=PortStatus.ACTIVE)
                writer.command(turn_on).done.result(timeout=60)
                cut = False
            values = [_values(port_id, r, 0.0 if cut else None) for r in chunk]
            outcome = _submit(writer, device_id, values).result(timeout=60)
            if any(stored.port_status == "off" for stored in outcome.readings):
                cut = True
    finally:
        writer.stop()
    with engine.connect() as conn:
        events = conn.execute(
            select(PhantomEvent.started_at, PhantomEvent.detected_at, PhantomEvent.action).where(
                PhantomEvent.detected_at >= days[0].timestamp
            )
        ).all()
    engine.dispose()
    return list(events)


def _episodes(readings: list[LabelledReading], threshold_w: float):
    """(first index, last index) of each run of standby readings, from its first one below
    the threshold (a noisy standby may start just above it)."""
    start = None
    for i, reading in enumerate([*readings, None]):
        standby = reading is not None and reading.label == "standby"
        if standby and start is None and reading is not None and reading.power < threshold_w:
            start = i
        elif not standby and start is not None:
            yield start, i - 1
            start = None


def _longest_rest_before(all_readings: list[LabelledReading], index: int, interval_s: float):
    """The longest run of resting readings in the week before reading `index` (seconds)."""
    horizon = all_readings[index].timestamp - timedelta(seconds=WEEK_S)
    longest, run_start = 0.0, None
    for reading in all_readings[:index]:
        if reading.timestamp < horizon:
            continue
        if reading.label == "resting":
            run_start = run_start or reading.timestamp
            longest = max(longest, (reading.timestamp - run_start).total_seconds() + interval_s)
        else:
            run_start = None
    return longest


def _score(
    scenario: Scenario,
    past: list[LabelledReading],
    days: list[LabelledReading],
    events: list,
    min_duration_s: float,
    interval_s: float,
) -> Score:
    score = Score(delays_s=[], events=len(events), missed=[])
    label_at = {r.timestamp: r.label for r in days}
    whole = past + days
    offset = len(past)
    per_episode: dict[int, int] = {}
    episodes = list(_episodes(days, scenario.threshold_w))
    if episodes and episodes[0][0] == 0 and past and past[-1].label == "standby":
        episodes.pop(0)  # under way when judging began: detected (or not) in the past
    score.resting_readings = sum(r.label == "resting" for r in days)
    for _started_at, detected_at, action in events:
        label = label_at.get(detected_at)
        if label != "standby":
            score.false_events += 1
            score.false_cuts += action == "auto_cut"
            continue
        for number, (first, last) in enumerate(episodes):
            if days[first].timestamp <= detected_at <= days[last].timestamp:
                per_episode[number] = per_episode.get(number, 0) + 1
                break
    score.max_per_episode = max(per_episode.values(), default=0)
    detections = sorted(d for _s, d, _a in events if label_at.get(d) == "standby")
    for first, last in episodes:
        start = days[first].timestamp
        allowance = _longest_rest_before(whole, offset + first, interval_s)
        score.allowance_s = max(score.allowance_s, allowance)
        due_at = start + timedelta(seconds=allowance + min_duration_s)
        due = next((r.timestamp for r in days[first : last + 1] if r.timestamp >= due_at), None)
        if due is None:
            score.too_short += 1
            continue
        score.expected += 1
        found = [d for d in detections if start <= d <= days[last].timestamp]
        if not found or found[0] > due + timedelta(seconds=interval_s):
            assert score.missed is not None
            score.missed.append(f"{start:%d %H:%M:%S} ({'late' if found else 'missed'})")
        if not found:
            continue
        if found[0] <= due + timedelta(seconds=interval_s):
            score.in_time += 1
        else:
            score.late += 1
        assert score.delays_s is not None
        score.delays_s.append((found[0] - start).total_seconds() - min_duration_s)
    return score


def run_scenario(scenario: Scenario, args: argparse.Namespace, workdir: Path) -> Score:
    per_day = int(86400 / args.interval)
    learn_days = 0 if scenario.new else args.learn_days
    trace = list(
        labelled_trace(
            scenario.profile,
            args.seed,
            START,
            args.interval,
            per_day * (learn_days + args.days),
            gaps=scenario.gaps,
        )
    )
    split = START + timedelta(days=learn_days)
    past = [r for r in trace if r.timestamp < split]
    days = [r for r in trace if r.timestamp >= split]
    path = workdir / f"{scenario.profile}-{len(list(workdir.iterdir()))}.db"
    url, device_id, port_id = _setup(path, scenario, args.min_duration)
    _learn(url, device_id, port_id, past)
    events = _evaluate(url, device_id, port_id, days)
    return _score(scenario, past, days, events, args.min_duration, args.interval)


def _fmt_delays(delays: list[float]) -> str:
    if not delays:
        return "-"
    return f"{statistics.median(delays):.0f}/{max(delays):.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learn-days", type=int, default=7)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between readings")
    parser.add_argument("--min-duration", type=float, default=60.0, help="the ports' min duration")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", action="append", help="profile names to run (default: all)")
    parser.add_argument("--verbose", action="store_true", help="list the episodes not in time")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.scenario or s.profile in args.scenario]
    print(
        f"{len(chosen)} scenarios, {args.learn_days} days learned + {args.days} days judged, "
        f"a reading every {args.interval:g} s, min duration {args.min_duration:g} s, "
        "auto-cut on for every port"
    )
    header = (
        f"{'scenario':20} {'episodes':>10} {'late':>5} {'rest allowed':>12} {'delay med/max':>14} "
    )
    header += f"{'false ev':>9} {'false cuts':>10} {'max/ep':>7} {'resting rd':>10}  verdict"
    print(header)
    results = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="phantom-detect-") as tmp:
        for scenario in chosen:
            score = run_scenario(scenario, args, Path(tmp))
            results[scenario.name] = score
            print(
                f"{scenario.name:20} {score.in_time:>4}/{score.expected:<5} {score.late:>5} "
                f"{score.allowance_s / 60:>8.0f} min {_fmt_delays(score.delays_s or []):>14} "
                f"{score.false_events:>9} "
                f"{score.false_cuts:>10} {score.max_per_episode:>7} {score.resting_readings:>10}  "
                f"{'OK' if score.ok else 'FAIL'}",
                flush=True,
            )
            if args.verbose and score.missed:
                print("    not in time:", ", ".join(score.missed))
    summary = {
        "scenarios": len(results),
        "failed": [name for name, s in results.items() if not s.ok],
        "episodes_expected": sum(s.expected for s in results.values()),
        "episodes_in_time": sum(s.in_time for s in results.values()),
        "false_events": sum(s.false_events for s in results.values()),
        "false_cuts": sum(s.false_cuts for s in results.values()),
        "worst_delay_after_min_duration_s": max(
            (max(s.delays_s) for s in results.values() if s.delays_s), default=0.0
        ),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    return 0 if not summary["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
