"""Ingestion benchmark: many keep-alive devices posting readings to `phantom-desktop serve`.

    python bench/ingest.py --db sqlite --devices 50 --seconds 10
    python bench/ingest.py --db mysql [--mysql-url mysql+pymysql://root@127.0.0.1:3306/test]
    python bench/ingest.py --db none          # the HTTP layer alone: acknowledged, not stored

Sets up a fresh database (MySQL: the app's tables are dropped and recreated, so point it at a
database nobody else is using) with one device, token and port per simulated device, starts
`python -m phantom_desktop serve` in a separate process, and drives N concurrent keep-alive
clients (one reading per POST, realistic values, 10% of the devices in standby) for T seconds
from this process. Prints acknowledged readings per second, latency percentiles, errors by
status and CPU per request, then checks that the database holds exactly as many readings as
were acknowledged with 201: MATCH, or MISMATCH and exit status 1. The first second is warm-up:
its requests count towards the database check but not towards the rate or the latencies.

`--client raw` (default) speaks HTTP/1.1 with prepared bytes, as a sensor script would, so that
the clients spend little CPU; `--client aiohttp` uses aiohttp's ClientSession, which costs about
as much CPU per request as the server, and on a small machine measures the client as much as the
server. Clients and server share this machine's cores: the line "machine idle before the run"
says how much of it other work left free.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import aiohttp
from http_load import (
    PATH,
    WARMUP_S,
    Device,
    Tally,
    cpu_seconds,
    create_devices,
    drive_raw,
    free_port,
    machine_idle,
    percentile,
    reading_bodies,
    reset_database,
    start_process,
    stop_process,
    stored_readings,
)

DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


# -- the server process ------------------------------------------------------------------------
class InstantWriter:
    """Stands in for the writer with `--db none`: acknowledges at once and stores nothing."""

    running = True
    queued = 0

    def __init__(self) -> None:
        self._last_id = 0

    def submit(self, submission) -> bool:
        from phantom_desktop.ingest.messages import CREATED, Outcome, StoredReading

        stored = []
        for v in submission.readings:
            self._last_id += 1
            stored.append(
                StoredReading(
                    self._last_id,
                    v.port_id,
                    v.timestamp,
                    v.voltage,
                    v.current,
                    v.power,
                    False,
                    "active",
                )
            )
        outcome = Outcome(CREATED, "Sensor reading created successfully", tuple(stored))
        submission.sink.deliver([(submission.tag, outcome)])
        return True


def serve_instant(port: int) -> None:
    """The real HTTP server in front of an InstantWriter, until SIGTERM."""
    from phantom_desktop.ingest.http_server import HttpServer

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = HttpServer(InstantWriter(), port=port)
    server.start()
    stop.wait()
    server.stop()


def start_server(db_url: str | None, port: int, workdir: Path) -> tuple[subprocess.Popen, Path]:
    """The headless server in its own process, isolated from the user's settings."""
    if db_url is None:
        command = [sys.executable, __file__, "--serve-instant", str(port)]
    else:
        command = [sys.executable, "-m", "phantom_desktop", "serve", "--http-port", str(port)]
        command += ["--db", db_url]
    return start_process(command, port, workdir, "serve")


# -- the clients -------------------------------------------------------------------------------
async def run_aiohttp_device(
    session: aiohttp.ClientSession,
    url: str,
    device: Device,
    measure_from: float,
    until: float,
    tally: Tally,
) -> None:
    """Post readings back to back with aiohttp's client on one keep-alive connection."""
    bodies = reading_bodies(device)
    headers = {"Content-Type": "application/json"}
    sent = 0
    while (started := time.perf_counter()) < until:
        try:
            body = bodies[sent % len(bodies)]
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError as exc:
            tally.failures[type(exc).__name__] += 1
            await asyncio.sleep(0.05)
            continue
        sent += 1
        tally.record(status, started, measure_from)


async def drive(client: str, port: int, devices: list[Device], seconds: float) -> Tally:
    if client == "raw":
        return await drive_raw(port, devices, seconds)
    tally = Tally()
    measure_from = time.perf_counter() + WARMUP_S
    until = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=len(devices))
    async with aiohttp.ClientSession(connector=connector) as session:
        url = f"http://127.0.0.1:{port}{PATH}"
        await asyncio.gather(
            *(run_aiohttp_device(session, url, d, measure_from, until, tally) for d in devices)
        )
    return tally


# -- measuring and reporting -------------------------------------------------------------------
def report(tally: Tally, seconds: float, cpu_us: tuple[float, float] | None) -> None:
    latencies = sorted(tally.latencies_ms)
    errors = {status: n for status, n in sorted(tally.statuses.items()) if status != 201}
    print(f"acknowledged readings/s : {tally.measured_acks / seconds:,.0f}")
    print(
        f"latency ms              : p50 {percentile(latencies, 0.50):.1f}  "
        f"p95 {percentile(latencies, 0.95):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {latencies[-1] if latencies else float('nan'):.1f}"
    )
    print(
        f"requests                : {sum(tally.statuses.values()):,} "
        f"({tally.statuses.get(201, 0):,} x 201)"
    )
    print(f"errors by status        : {errors or 'none'}")
    if tally.failures:
        print(f"connection failures     : {dict(tally.failures)}")
    if cpu_us is not None:
        print(f"CPU per request         : server {cpu_us[0]:.0f} us, clients {cpu_us[1]:.0f} us")


def run(args: argparse.Namespace, workdir: Path) -> int:
    if args.db == "none":
        db_url = None
        devices = [Device(f"pdt_bench{i}", f"port-{i}", False) for i in range(args.devices)]
    else:
        db_url = reset_database(args.db, args.mysql_url, workdir)
        devices = create_devices(db_url, args.devices)
    port = free_port()
    process, log_path = start_server(db_url, port, workdir)
    try:
        idle = machine_idle()
        if idle is not None:
            print(f"machine idle before the run: {idle:.0%} of {os.cpu_count()} cores")
        print(
            f"{args.devices} {args.client} clients, {args.seconds:g} s "
            f"(+{WARMUP_S:g} s warm-up), database {args.db}, server on port {port}"
        )
        server_cpu, client_cpu = cpu_seconds(process.pid), time.process_time()
        tally = asyncio.run(drive(args.client, port, devices, args.seconds))
        server_end, client_end = cpu_seconds(process.pid), time.process_time()
    finally:
        stop_process(process, log_path)
    requests = max(1, sum(tally.statuses.values()))
    cpu_us = None
    if server_cpu is not None and server_end is not None:
        cpu_us = (
            (server_end - server_cpu) / requests * 1e6,
            (client_end - client_cpu) / requests * 1e6,
        )
    report(tally, args.seconds, cpu_us)
    acknowledged = tally.statuses.get(201, 0)
    if db_url is None:
        print("stored readings         : not checked (--db none stores nothing)")
        return 0
    stored = stored_readings(db_url)
    verdict = "MATCH" if stored == acknowledged else "MISMATCH"
    print(f"stored readings         : {stored:,} vs {acknowledged:,} acknowledged: {verdict}")
    return 0 if stored == acknowledged else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "mysql", "none"], default="sqlite")
    parser.add_argument("--mysql-url", default=DEFAULT_MYSQL_URL)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--client", choices=["raw", "aiohttp"], default="raw")
    parser.add_argument("--serve-instant", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_instant:
        serve_instant(args.serve_instant)
        return 0
    with tempfile.TemporaryDirectory(prefix="phantom-bench-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
