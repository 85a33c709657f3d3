"""Window benchmark: does an open window slow ingestion? `serve` and the window, same load, one run.

    python bench/window.py --ports 16 --seconds 20
    python bench/window.py --ports 64 --base /work/wt/base   # also the window of another tree
    python bench/window.py --rounds 3      # alternate the phases three times; medians at the end

Each phase gets a fresh SQLite database with one device, token and port per simulated device,
and N keep-alive clients posting noisy readings back to back over HTTP (bench/http_load.py):
first `phantom-desktop serve`, then the window (`phantom-desktop` on the Monitor tab, offscreen
by default; `QT_QPA_PLATFORM=xcb` under Xvfb works too), then optionally the window of the tree
given by `--base`. For each: acknowledged readings/s and latency percentiles; for the windows
also the frame time (the plot's data hand-over plus its paint, median and p99), frames per
second, the share of one core spent drawing, and the CPU of the GUI thread and of the process.
The window's frames are timed inside its process by wrapping pyqtgraph's `GraphicsView.paintEvent`
and the plot's `redraw`, so any tree can be measured the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from http_load import (
    WARMUP_S,
    Tally,
    cpu_seconds,
    create_devices,
    free_port,
    machine_idle,
    percentile,
    reset_database,
    run_raw_device,
    start_process,
    stop_process,
    stored_readings,
)

SETTLE_S = 3.0  # the window loads its ports and backfill before the load starts
PLOT_MODULES = ("phantom_desktop.ui.monitor.live_plot", "phantom_desktop.ui.monitor.live_plot")


@dataclass
class Phase:
    name: str
    tally: Tally
    seconds: float
    stored: int
    cpu_process: float | None = None
    cpu_gui: float | None = None
    frames: dict | None = None


# -- inside the window process -----------------------------------------------------------------
def window_child(stats_path: str, argv: list[str]) -> int:
    """Run the app's window with its plot's redraws and paints timed; write them on exit."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import importlib

    import pyqtgraph as pg

    events: list[tuple[float, float, str]] = []  # (wall start, seconds, "paint" | "redraw")

    def timed(function, kind: str):
        def wrapper(self, *args):
            wall, started = time.time(), time.perf_counter()
            try:
                return function(self, *args)
            finally:
                events.append((wall, time.perf_counter() - started, kind))

        return wrapper

    pg.GraphicsView.paintEvent = timed(pg.GraphicsView.paintEvent, "paint")
    for name in PLOT_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.LivePlot.redraw = timed(module.LivePlot.redraw, "redraw")
        break
    from phantom_desktop.cli import main

    try:
        return main(argv)
    finally:
        Path(stats_path).write_text(json.dumps(events))


def frame_figures(events: list, start: float, end: float) -> dict:
    """Frame times (redraws since the last paint + the paint), rate and drawing share."""
    frames, pending, busy = [], 0.0, 0.0
    for wall, seconds, kind in sorted(events):
        if not start <= wall <= end:
            continue
        busy += seconds
        if kind == "redraw":
            pending += seconds
        else:
            frames.append((pending + seconds) * 1000)
            pending = 0.0
    frames.sort()
    span = end - start
    return {
        "count": len(frames),
        "fps": len(frames) / span,
        "median_ms": percentile(frames, 0.5),
        "p99_ms": percentile(frames, 0.99),
        "draw_share": busy / span,
    }


# -- the load and the phases -------------------------------------------------------------------
async def drive_measured(port: int, devices, seconds: float, pid: int | None) -> tuple:
    """Drive the load; sample the process's CPU over the measured part (after the warm-up)."""
    tally = Tally()
    loop_start = time.perf_counter()
    measure_from, until = loop_start + WARMUP_S, loop_start + WARMUP_S + seconds
    samples: dict[str, tuple] = {}

    async def sample(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        cpu = (cpu_seconds(pid), cpu_seconds(pid, pid)) if pid else (None, None)
        samples[name] = (time.time(), *cpu)

    await asyncio.gather(
        sample("start", measure_from),
        sample("end", until),
        *(run_raw_device(port, d, measure_from, until, tally) for d in devices),
    )
    return tally, samples["start"], samples["end"]


def http_port_flag(tree: Path) -> str:
    """The option naming the HTTP port: `--http-port` since the CLI became a package (issue 8)."""
    return "--http-port" if (tree / "phantom_desktop" / "cli").is_dir() else "--port"


def start_py_spy(
    directory: Path | None, label: str, pid: int, seconds: float
) -> subprocess.Popen | None:
    """Sample which threads hold the GIL, and where, during the measured part (--py-spy)."""
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    output = directory / f"{label}.txt"
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(round(seconds))]
    command += ["--rate", "100", "--gil", "--threads", "--format", "raw", "--output", str(output)]
    print(f"py-spy: {output}")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_phase(
    name: str, args: argparse.Namespace, workdir: Path, tree: Path | None, label: str
) -> Phase:
    phase_dir = workdir / label
    phase_dir.mkdir()
    db_url = reset_database("sqlite", "", phase_dir)
    devices = create_devices(db_url, args.ports)
    port = free_port()
    env = {"PYTHONPATH": str(tree)} if tree else {}
    stats_path = phase_dir / "frames.json"
    flag = http_port_flag(tree or Path(__file__).resolve().parents[1])
    if name == "serve":
        command = [sys.executable, "-m", "phantom_desktop", "serve", flag, str(port)]
        command += ["--db", db_url]
    else:
        command = [sys.executable, __file__, "--window-child", str(stats_path), "--"]
        command += ["--db", db_url, flag, str(port)]
    process, log_path = start_process(command, port, phase_dir, label, env)
    try:
        if name != "serve":
            time.sleep(SETTLE_S)
        profiler = start_py_spy(args.py_spy, label, process.pid, args.seconds)
        tally, start, end = asyncio.run(drive_measured(port, devices, args.seconds, process.pid))
        if profiler is not None:
            profiler.wait(60)
    finally:
        stop_process(process, log_path)
    phase = Phase(label, tally, args.seconds, stored_readings(db_url))
    if start[1] is not None and end[1] is not None:
        phase.cpu_process = (end[1] - start[1]) / args.seconds
        phase.cpu_gui = (end[2] - start[2]) / args.seconds
    if name != "serve":
        phase.frames = frame_figures(json.loads(stats_path.read_text()), start[0], end[0])
    return phase


def rate(phase: Phase) -> float:
    return phase.tally.measured_acks / phase.seconds


def report(phase: Phase, serve_rate: float) -> None:
    latencies = sorted(phase.tally.latencies_ms)
    acknowledged = phase.tally.statuses.get(201, 0)
    errors = {s: n for s, n in phase.tally.statuses.items() if s != 201}
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(f"== {phase.name}")
    print(
        f"  readings/s {rate(phase):,.0f} ({rate(phase) / serve_rate:.0%} of serve)   "
        f"latency ms p50 {p50:.1f}  p99 {p99:.1f}"
        f"  max {latencies[-1] if latencies else float('nan'):.1f}"
    )
    check = "MATCH" if phase.stored == acknowledged else "MISMATCH"
    print(f"  stored {phase.stored:,} vs {acknowledged:,} acknowledged: {check}", end="")
    print(f"   errors {errors or 'none'}  failures {dict(phase.tally.failures) or 'none'}")
    if phase.cpu_process is not None:
        print(
            f"  CPU: process {phase.cpu_process:.0%} of a core, "
            f"its main (GUI) thread {phase.cpu_gui:.0%}"
        )
    if phase.frames is not None:
        f = phase.frames
        print(
            f"  frames: {f['count']} ({f['fps']:.1f}/s)  frame ms median {f['median_ms']:.1f}"
            f"  p99 {f['p99_ms']:.1f}   drawing {f['draw_share']:.0%} of a core"
        )


def summary(rounds: list[list[Phase]]) -> None:
    """Per kind of phase, the median over rounds of its rate relative to that round's serve."""
    print(f"== summary over {len(rounds)} round(s), medians")
    for index, first in enumerate(rounds[0]):
        kind = first.name.rsplit("-", 1)[0]
        phases = [r[index] for r in rounds]
        ratios = sorted(rate(p) / rate(r[0]) for p, r in zip(phases, rounds, strict=True))
        p99s = sorted(percentile(sorted(p.tally.latencies_ms), 0.99) for p in phases)
        line = f"  {kind:12} readings/s {percentile(sorted(map(rate, phases)), 0.5):7,.0f}"
        line += f"  {percentile(ratios, 0.5):4.0%} of serve  p99 {percentile(p99s, 0.5):6.1f} ms"
        if first.frames is not None:
            frames = [p.frames for p in phases if p.frames]
            med = sorted(f["median_ms"] for f in frames)
            fps = sorted(f["fps"] for f in frames)
            share = sorted(f["draw_share"] for f in frames)
            line += f"  frame median {percentile(med, 0.5):5.1f} ms"
            line += f"  {percentile(fps, 0.5):4.1f} frames/s  drawing {percentile(share, 0.5):.0%}"
        print(line)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--window-child"]:
        return window_child(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", type=int, default=16, help="busy ports, one client each")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--base", type=Path, help="also measure the window of this source tree")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the phases, alternating")
    parser.add_argument(
        "--py-spy", type=Path, metavar="DIR", help="profile each phase with py-spy into DIR"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="phantom-bench-window-") as tmp:
        workdir = Path(tmp)
        idle = machine_idle()
        if idle is not None:
            print(f"machine idle before the run: {idle:.0%} of {os.cpu_count()} cores")
        print(f"{args.ports} ports, one raw keep-alive client each, {args.seconds:g} s per phase")
        rounds = []
        for number in range(1, args.rounds + 1):
            phases = [
                run_phase("serve", args, workdir, None, f"serve-{number}"),
                run_phase("window", args, workdir, None, f"window-{number}"),
            ]
            if args.base:
                base = args.base.resolve()
                phases.append(run_phase("window", args, workdir, base, f"window_base-{number}"))
            for phase in phases:
                report(phase, rate(phases[0]))
            rounds.append(phases)
    summary(rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
