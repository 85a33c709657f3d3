"""History benchmark: a big database, then what the History and Energy views and export cost.

    python bench/history.py [--db sqlite|mysql] [--ports 16] [--days 30] [--reuse]

Builds N ports x D days x one reading per second (16 x 30: 41.5 M readings) with appliances
that switch between use, standby and off, phantom episodes and auto-cuts, and rolls them up
through the same code the writer uses (`store.rollups.roll_up_points`) while bulk-inserting the
readings (SQLite: executemany with synchronous=OFF during the build; MariaDB: LOAD DATA).
Then, for all ports, times fetch + draw of the last hour, day, week, month and the whole range
(offscreen HistoryPlot, 1200 x 700), a pan frame (the view dragged on by 1 % of its span and
redrawn), the re-fetch after a pan by 10 %, `energy` for the last month (whole and by day), and
the CSV export of every reading (in a child process: rows/s and its peak RSS). Timings are the
median of 3 runs after one cold run (printed too), in wall and CPU time. The last line is one
JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
DAY = 86400
KINDS = (  # name, active W, standby W, auto-cut, share of the day in use
    ("TV", 110.0, 1.5, True, 0.2),
    ("Router", 8.0, 8.0, False, 1.0),
    ("Fridge", 90.0, 1.5, False, 0.35),
    ("PC", 150.0, 2.5, True, 0.35),
    ("Kettle", 2000.0, 0.0, False, 0.01),
    ("Charger", 5.0, 0.3, True, 0.1),
    ("Set-top box", 18.0, 12.0, False, 0.25),
    ("Printer", 400.0, 3.0, True, 0.02),
)
MIN_EPISODE_S = 1800  # standby this long becomes an episode; auto-cut ports are then cut


def day_profile(rng, kind, day_start: int):
    """Power of one port for one day at 1 Hz, and its episodes (start, cut or end, power, cut)."""
    _name, active, standby, auto_cut, use = kind
    power = np.empty(DAY)
    events = []
    t = 0
    on = rng.random() < use
    off_until = -1
    while t < DAY:
        if on:
            longest = 600 if active >= 1000 else 3 * 3600  # a kettle boils for minutes
            length = int(rng.integers(60, longest)) if use < 1 else DAY
            level = active
        else:
            length = int(rng.integers(600, 6 * 3600))
            level = standby
        end = min(DAY, t + length)
        power[t:end] = level
        if not on and standby > 0 and end - t >= MIN_EPISODE_S:
            start_ts = day_start + t
            detected = start_ts + MIN_EPISODE_S
            if auto_cut:
                cut_from = t + MIN_EPISODE_S
                power[cut_from:end] = 0.0
                off_until = end
                events.append((start_ts, detected, standby, standby * MIN_EPISODE_S / 3600, True))
            else:
                wasted = standby * (end - t) / 3600
                events.append((start_ts, day_start + end, standby, wasted, False))
        t = end
        on = not on if use < 1 else True
    del off_until
    noise = rng.normal(0.0, 0.01, DAY) * power
    return np.maximum(power + noise, 0.0), events


def timestamps_text(day_start: int) -> list[str]:
    base = datetime.fromtimestamp(day_start, UTC).replace(tzinfo=None)
    return [(base + timedelta(seconds=s)).isoformat(sep=" ", timespec="microseconds")
            for s in range(DAY)]  # fmt: skip


def build(db_url: str, ports: int, days: int, until_now: bool = False, seed: int = 11) -> dict:
    from sqlalchemy import insert

    from phantom_desktop.core.enums import EventAction
    from phantom_desktop.store import repository
    from phantom_desktop.store.database import create_store_engine, session_factory, upgrade_schema
    from phantom_desktop.store.models import PhantomEvent
    from phantom_desktop.store.rollups import roll_up_points

    kwargs = {"connect_args": {"local_infile": True}} if db_url.startswith("mysql") else {}
    engine = create_store_engine(db_url, **kwargs)
    upgrade_schema(engine)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        port_rows = []
        for i in range(ports):
            kind = KINDS[i % len(KINDS)]
            port = repository.create_port(s, user.id, f"{kind[0]} {i + 1}", None, 5.0, 1800.0,
                                          kind[3])  # fmt: skip
            port_rows.append((port.id, kind))
    rng = np.random.default_rng(seed)
    end_day = int(time.time()) if until_now else int(time.time()) // DAY * DAY
    first_day = end_day - days * DAY
    previous: dict[str, tuple[float, float] | None] = {p: None for p, _k in port_rows}
    started = time.perf_counter()
    total = 0
    sqlite = db_url.startswith("sqlite")
    conn = engine.connect()
    if sqlite:  # the build only: a crash would just mean building again
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.commit()
    for d in range(days):
        day_start = first_day + d * DAY
        texts = timestamps_text(day_start) if sqlite else None
        times = (day_start + np.arange(DAY, dtype=float)).tolist()
        tsv = Path(tempfile.gettempdir()) / f"phantom-bench-{os.getpid()}.tsv"
        with conn.begin(), tsv.open("w") as infile:
            raw = conn.connection.cursor()
            for port_id, kind in port_rows:
                power, events = day_profile(rng, kind, day_start)
                watts = power.tolist()
                if sqlite:
                    raw.executemany(
                        "INSERT INTO power_readings (port_id, timestamp, voltage, current, power,"
                        " source) VALUES (?, ?, 230.0, ?, ?, 'bench')",
                        zip([port_id] * DAY, texts, (power / 230.0).tolist(), watts, strict=True),
                    )
                else:
                    base = datetime.fromtimestamp(day_start, UTC).replace(tzinfo=None)
                    stamp = base.strftime("%Y-%m-%d ")
                    for s_, w in enumerate(watts):
                        h, rem = divmod(s_, 3600)
                        infile.write(f"{port_id}\t{stamp}{h:02d}:{rem // 60:02d}:{rem % 60:02d}"
                                     f"\t230\t{w / 230.0:.6f}\t{w:.4f}\tbench\n")  # fmt: skip
                previous[port_id] = roll_up_points(
                    conn, port_id, previous[port_id], zip(times, watts, strict=True), 5.0
                )
                if events:
                    conn.execute(insert(PhantomEvent), [
                        {"port_id": port_id,
                         "started_at": datetime.fromtimestamp(a, UTC),
                         "detected_at": datetime.fromtimestamp(a + MIN_EPISODE_S, UTC),
                         "ended_at": datetime.fromtimestamp(b, UTC),
                         "power_w": w, "wasted_wh": wh,
                         "action": EventAction.AUTO_CUT if cut else EventAction.NOTIFIED}
                        for a, b, w, wh, cut in events])  # fmt: skip
                total += DAY
            if not sqlite:
                infile.close()
                raw.execute(
                    f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE power_readings "
                    "(port_id, timestamp, voltage, current, power, source)"
                )
            raw.close()
        tsv.unlink(missing_ok=True)
        rate = total / (time.perf_counter() - started)
        print(f"  built day {d + 1}/{days}: {total:,} readings, {rate:,.0f}/s", flush=True)
    conn.close()
    engine.dispose()
    return {"readings": total, "build_s": time.perf_counter() - started,
            "first": first_day, "last": end_day}  # fmt: skip


def measure(fn, runs: int = 3) -> tuple[float, float, float]:
    """(cold ms, median warm ms, median warm CPU ms of this thread). On a busy machine the CPU
    time says what the code costs, the wall time what it costs while sharing the cores."""
    times, cpu = [], []
    for _ in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return times[0], statistics.median(times[1:]), statistics.median(cpu[1:])


def views(db_url: str, first: float, last: float) -> dict:
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from phantom_desktop.core.lanes import lanes_for
    from phantom_desktop.core.periods import PeriodBy
    from phantom_desktop.core.tariff import Tariff
    from phantom_desktop.core.timespec import local_zone
    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.energy_queries import energy_report
    from phantom_desktop.store.history_queries import fetch_series, phantom_events
    from phantom_desktop.store.models import Port
    from phantom_desktop.ui.history.history_plot import HistoryPlot, Lane, PlotSeries

    app = QApplication.instance() or QApplication([])
    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        ports = conn.execute(select(Port.id, Port.name).order_by(Port.name)).all()
    ids = [p[0] for p in ports]
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    plot = HistoryPlot(lambda pid: QColor(palette[ids.index(pid) % len(palette)]))
    plot.set_port_names(dict(ports))
    plot.resize(1200, 700)
    plot.show()
    app.processEvents()

    def load_and_draw(start: float, end: float) -> int:
        a, b = (datetime.fromtimestamp(x, UTC) for x in (start, end))
        with engine.connect() as conn:
            series = fetch_series(conn, ids, a, b)
            events = phantom_events(conn, ids, a, b)
        shown = {}
        lanes = {}
        for pid, s in series.items():
            shown[pid] = PlotSeries(s.t, s.mean, s.min, s.max, s.banded)
            lanes[pid] = Lane(*lanes_for(events[pid], s.t, s.max, end))
        plot.show_series(shown)
        plot.show_episodes(lanes)
        plot.show_range(start, end)
        plot.grab()
        return sum(len(s) for s in series.values())

    out: dict = {"ranges": {}}
    spans = {"hour": 3600, "day": DAY, "week": 7 * DAY, "month": 30 * DAY, "all": last - first}
    for name, span in spans.items():
        start = max(first, last - span)
        points = load_and_draw(start, last)
        cold, warm, warm_cpu = measure(lambda s=start: load_and_draw(s, last))
        shift = (last - start) * 0.1
        drag = itertools.count(1)

        def frame(s=start, d=(last - start) * 0.01, drag=drag) -> None:
            """A frame of a mouse drag: the view moves on by 1 % of its span each time."""
            k = next(drag)
            plot.show_range(s - k * d, last - k * d)
            plot.grab()

        _fc, frame_ms, frame_cpu = measure(frame)
        _pc, pan_ms, _pan_cpu = measure(lambda s=start, d=shift: load_and_draw(s - d, last - d))
        out["ranges"][name] = {
            "points": points, "cold_ms": round(cold, 1),
            "fetch_draw_ms": round(warm, 1), "fetch_draw_cpu_ms": round(warm_cpu, 1),
            "pan_frame_ms": round(frame_ms, 1), "pan_frame_cpu_ms": round(frame_cpu, 1),
            "pan_refetch_ms": round(pan_ms, 1),
        }  # fmt: skip
        print(f"  {name:5s}: {points:6d} points, fetch+draw {warm:7.1f} ms (CPU {warm_cpu:.1f}, "
              f"cold {cold:.1f}), pan frame {frame_ms:5.1f} ms (CPU {frame_cpu:.1f}), "
              f"pan re-fetch+draw {pan_ms:6.1f} ms", flush=True)  # fmt: skip
    month = (datetime.fromtimestamp(max(first, last - 30 * DAY), UTC),
             datetime.fromtimestamp(last, UTC))  # fmt: skip
    for by in (PeriodBy.ALL, PeriodBy.DAY):

        def energy(by=by) -> None:
            with engine.connect() as conn:
                energy_report(conn, ports, *month, by, Tariff(0.30), local_zone(), month[1])

        cold, warm, _cpu = measure(energy, runs=1)
        out[f"energy_month_{by.value}_ms"] = round(warm, 1)
        print(f"  energy for a month (by {by.value}): {warm:.0f} ms (cold {cold:.0f})", flush=True)
    engine.dispose()
    return out


def export_child(db_url: str, out: str) -> None:
    """Runs in a child process: export everything raw; prints rows and seconds."""
    from sqlalchemy import select

    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.export import export_csv
    from phantom_desktop.store.history_queries import Resolution
    from phantom_desktop.store.models import Port

    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        ports = conn.execute(select(Port.id, Port.name).order_by(Port.name)).all()
        started, started_cpu = time.perf_counter(), time.process_time()
        everything = (datetime(2000, 1, 1, tzinfo=UTC),
                      datetime(2100, 1, 1, tzinfo=UTC))  # fmt: skip
        rows = export_csv(conn, ports, *everything, Resolution.RAW, Path(out))
        seconds = time.perf_counter() - started
        cpu_s = time.process_time() - started_cpu  # all its threads
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu_s": cpu_s}))


def export(db_url: str, workdir: Path) -> dict:
    out = workdir / "export.csv"
    child = subprocess.run(
        [sys.executable, __file__, "--export-child", db_url, str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = json.loads(child.stdout.strip().splitlines()[-1])
    size_mb = out.stat().st_size / 1e6
    out.unlink()
    rate = result["rows"] / result["seconds"]
    per_cpu_s = result["rows"] / result["cpu_s"]
    print(f"  export: {result['rows']:,} rows in {result['seconds']:.1f} s = {rate:,.0f} rows/s "
          f"({per_cpu_s:,.0f} per CPU second), {size_mb:,.0f} MB, peak RSS {peak_mb:.0f} MB",
          flush=True)  # fmt: skip
    return {"export_rows": result["rows"], "export_rows_per_s": round(rate),
            "export_rows_per_cpu_s": round(per_cpu_s),
            "export_peak_rss_mb": round(peak_mb, 1)}  # fmt: skip


def reset_mysql(url: str) -> None:
    from sqlalchemy import inspect, text

    from phantom_desktop.store.database import create_store_engine

    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in inspect(conn).get_table_names():
            conn.execute(text(f"DROP TABLE `{table}`"))
        conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--export-child":
        export_child(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "mysql"), default="sqlite")
    parser.add_argument("--mysql-url", default=DEFAULT_MYSQL_URL)
    parser.add_argument("--ports", type=int, default=16)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "phantom-bench-history"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep and reuse a database built before"
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    parser.add_argument("--until-now", action="store_true", help="end the data now, not at 0:00")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.db == "sqlite":
        path = args.workdir / f"history-{args.ports}x{args.days}.db"
        db_url = f"sqlite:///{path}"
        fresh = not (args.reuse and path.exists())
        if fresh:
            path.unlink(missing_ok=True)
    else:
        db_url = args.mysql_url
        fresh = not args.reuse
        if fresh:
            reset_mysql(db_url)
    info_path = args.workdir / f"history-{args.db}-{args.ports}x{args.days}.json"
    print(f"database: {db_url} ({args.ports} ports x {args.days} days at 1 Hz)", flush=True)
    if fresh:
        info = build(db_url, args.ports, args.days, args.until_now)
        info_path.write_text(json.dumps(info))
    if args.build_only:
        return 0
    else:
        info = json.loads(info_path.read_text())
    result = {"db": args.db, "ports": args.ports, "days": args.days,
              "readings": info["readings"], "build_s": round(info["build_s"]),
              "load_avg_1m": round(os.getloadavg()[0], 2)}  # fmt: skip
    result.update(views(db_url, info["first"], info["last"]))
    if not args.skip_export:
        result.update(export(db_url, args.workdir))
    ranges = result.pop("ranges")
    result["worst_range_ms"] = max(r["fetch_draw_ms"] for r in ranges.values())
    result["worst_pan_refetch_ms"] = max(r["pan_refetch_ms"] for r in ranges.values())
    result["worst_frame_ms"] = max(r["pan_frame_ms"] for r in ranges.values())
    result["worst_range_cpu_ms"] = max(r["fetch_draw_cpu_ms"] for r in ranges.values())
    result["worst_frame_cpu_ms"] = max(r["pan_frame_cpu_ms"] for r in ranges.values())
    result["ranges"] = ranges
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
