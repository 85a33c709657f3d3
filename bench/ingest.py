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
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import Engine, func, select, text

DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
PATH = "/api/sensor/reading"
WARMUP_S = 1.0
STANDBY_SHARE = 0.1  # devices whose appliance idles in standby (reported, never cut)


@dataclass(frozen=True)
class Device:
    token: str
    port_id: str
    standby: bool


@dataclass
class Tally:
    """What the clients saw: statuses of all requests, latencies of the measured ones."""

    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    measured_acks: int = 0
    failures: Counter = field(default_factory=Counter)

    def record(self, status: int, started: float, measure_from: float) -> None:
        self.statuses[status] += 1
        if started >= measure_from:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            if status == 201:
                self.measured_acks += 1


# -- the database and the devices ------------------------------------------------------------
def reset_database(kind: str, mysql_url: str, workdir: Path) -> str:
    """A database with the current schema and no rows; returns its URL."""
    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.models import Base

    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    engine = create_store_engine(mysql_url)
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
    return mysql_url


def create_devices(db_url: str, count: int) -> list[Device]:
    """One device with a token and a port each, owned by the local account `serve` uses."""
    from phantom_desktop.store import repository
    from phantom_desktop.store.database import open_store, session_factory

    engine: Engine = open_store(db_url)
    devices = []
    try:
        with session_factory(engine).begin() as session:
            user_id = repository.ensure_local_user(session).id
            for index in range(count):
                standby = index < round(count * STANDBY_SHARE)
                device = repository.create_device(session, user_id, f"bench-device-{index}")
                token, _row = repository.create_token(session, user_id, device.id)
                port = repository.create_port(
                    session, user_id, f"bench-port-{index}", device.id, 5.0, 30.0, not standby
                )
                devices.append(Device(token, port.id, standby))
    finally:
        engine.dispose()
    return devices


def stored_readings(db_url: str) -> int:
    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.models import PowerReading

    engine = create_store_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(PowerReading))
    finally:
        engine.dispose()


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db_url: str | None, port: int, workdir: Path) -> tuple[subprocess.Popen, Path]:
    """The headless server in its own process, isolated from the user's settings."""
    if db_url is None:
        command = [sys.executable, __file__, "--serve-instant", str(port)]
    else:
        command = [sys.executable, "-m", "phantom_desktop", "serve", "--http-port", str(port)]
        command += ["--db", db_url]
    log_path = workdir / "serve.log"
    env = dict(os.environ, PHANTOM_HOME=str(workdir / "home"), QT_QPA_PLATFORM="offscreen")
    env.pop("PHANTOM_DB_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return process, log_path
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not answer within 60 s:\n{tail(log_path)}")


def stop_server(process: subprocess.Popen, log_path: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit("the server did not stop within 60 s of SIGTERM") from None
    if code != 0:
        raise SystemExit(f"the server exited with {code}:\n{tail(log_path)}")


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# -- the clients -------------------------------------------------------------------------------
def reading_bodies(device: Device, count: int = 32) -> list[bytes]:
    """Realistic readings for one device, prepared ahead so the clients spend little CPU."""
    rng = random.Random(device.port_id)
    bodies = []
    for _ in range(count):
        voltage = round(rng.uniform(228.0, 232.0), 1)
        power = rng.uniform(2.0, 4.0) if device.standby else rng.uniform(40.0, 150.0)
        reading = {
            "deviceToken": device.token,
            "portId": device.port_id,
            "voltage": voltage,
            "current": round(power / voltage, 4),
            "power": round(power, 2),
        }
        bodies.append(json.dumps(reading).encode())
    return bodies


async def post_raw(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """One request on a keep-alive connection; (status, whether the server keeps it open)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    keep_alive = True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
    await reader.readexactly(length)
    return status, keep_alive


async def run_raw_device(
    port: int, device: Device, measure_from: float, until: float, tally: Tally
) -> None:
    """A lean HTTP/1.1 keep-alive client, as a sensor script would be: bytes out, bytes in."""
    head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "Content-Type: application/json\r\nContent-Length: "
    requests = [head.encode() + b"%d\r\n\r\n%s" % (len(b), b) for b in reading_bodies(device)]
    connection = None
    sent = 0
    while (started := time.perf_counter()) < until:
        try:
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", port)
            status, keep_alive = await post_raw(*connection, requests[sent % len(requests)])
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.failures[type(exc).__name__] += 1
            if connection is not None:
                connection[1].close()
            connection = None
            await asyncio.sleep(0.05)
            continue
        sent += 1
        if not keep_alive:
            connection[1].close()
            connection = None
        tally.record(status, started, measure_from)
    if connection is not None:
        connection[1].close()


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
    tally = Tally()
    measure_from = time.perf_counter() + WARMUP_S
    until = measure_from + seconds
    if client == "raw":
        await asyncio.gather(
            *(run_raw_device(port, d, measure_from, until, tally) for d in devices)
        )
        return tally
    connector = aiohttp.TCPConnector(limit=len(devices))
    async with aiohttp.ClientSession(connector=connector) as session:
        url = f"http://127.0.0.1:{port}{PATH}"
        await asyncio.gather(
            *(run_aiohttp_device(session, url, d, measure_from, until, tally) for d in devices)
        )
    return tally


# -- measuring and reporting -------------------------------------------------------------------
def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_idle(seconds: float = 1.0) -> float | None:
    """Share of all cores left idle by other work over `seconds` (Linux /proc), or None."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return None
    return (idle1 - idle0) / max(1, total1 - total0)


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, round(share * (len(sorted_values) - 1)))]


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
        stop_server(process, log_path)
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
