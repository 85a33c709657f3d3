"""What the benchmarks share: a bench database with devices, lean keep-alive HTTP clients that
post readings as sensor scripts would, server processes, and the figures they print.

Imported by the scripts next to it (`python bench/ingest.py`, `python bench/window.py`).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select, text

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


# -- server processes --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_process(
    command: list[str], port: int, workdir: Path, name: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, Path]:
    """Start a server process isolated from the user's settings; return once it answers HTTP."""
    log_path = workdir / f"{name}.log"
    env = dict(os.environ, PHANTOM_HOME=str(workdir / f"{name}-home"), **(env or {}))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PHANTOM_DB_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return process, log_path
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{name} did not answer within 60 s:\n{tail(log_path)}")


def stop_process(process: subprocess.Popen, log_path: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit(f"{log_path.stem} did not stop within 60 s of SIGTERM") from None
    if code != 0:
        raise SystemExit(f"{log_path.stem} exited with {code}:\n{tail(log_path)}")


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# -- the clients -------------------------------------------------------------------------------
def reading_bodies(device: Device, count: int = 32) -> list[bytes]:
    """Realistic, noisy readings for one device, prepared ahead so the clients spend little CPU."""
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


async def drive_raw(port: int, devices: list[Device], seconds: float) -> Tally:
    """All devices posting back to back for WARMUP_S + `seconds`; only the latter is measured."""
    tally = Tally()
    measure_from = time.perf_counter() + WARMUP_S
    until = measure_from + seconds
    await asyncio.gather(*(run_raw_device(port, d, measure_from, until, tally) for d in devices))
    return tally


# -- measuring ---------------------------------------------------------------------------------
def cpu_seconds(pid: int, tid: int | None = None) -> float | None:
    """User + system CPU time of a process, or of one of its threads (Linux /proc), else None."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
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
