"""Chaos benchmark: devices at full load while the database restarts, the server is killed and a
busy port is deleted. Prints what was acknowledged, stored, lost, duplicated and refused.

    python bench/chaos.py --db sqlite
    python bench/chaos.py --db mysql --mariadb-dir /tmp/chaos-mariadb      # its own mariadbd
    python bench/chaos.py --db mysql --mysql-url URL --restart-command "systemctl restart mariadb"
    python bench/chaos.py --db sqlite --process window                       # the window, not serve

N devices (default 50) post one reading per request, back to back on keep-alive connections,
each reading with a unique timestamp and an `Idempotency-Key`. A device resends the same reading
until it gets a 2xx (as a careful sensor script does: after a connection error, a 5xx or a 429,
waiting Retry-After), and stops when its port is deleted (404). Meanwhile, at a quarter of the
run the database server restarts (MariaDB only: `--mariadb-dir` runs a mariadbd of its own on
port 3307, so the shared server is left alone), at half the server process is killed with
SIGKILL and started again, and at three quarters a busy port is deleted.

At the end, for every port that was not deleted: acknowledged readings (201), stored readings,
lost = acknowledged but not stored (must be 0), duplicated = stored more than once (must be 0),
refused = answers other than 2xx, the longest time a device went without a 2xx, and whether the
port's rollups (tables and open tail) count every stored reading. Exit status 1 when a reading
was lost or duplicated or the rollups miss one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as bench
from sqlalchemy import func, select

OWN_MARIADB_PORT = 3307
PATH = "/api/sensor/reading"


@dataclass
class DeviceLog:
    """What one device saw."""

    port_id: str
    acked: set[str] = field(default_factory=set)  # timestamps of readings answered 201
    refused: Counter = field(default_factory=Counter)
    last_ok: float = 0.0
    longest_gap_s: float = 0.0
    stopped: bool = False


# -- the database server of our own ------------------------------------------------------------
class OwnMariaDB:
    """A mariadbd on port 3307 with a data directory of its own, to restart at will."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{OWN_MARIADB_PORT}/chaos"

    def start(self) -> None:
        data = self.directory / "data"
        if not data.exists():
            subprocess.run(
                [
                    "mariadb-install-db",
                    "--no-defaults",
                    f"--datadir={data}",
                    "--user=root",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                check=True,
                capture_output=True,
            )
        d = self.directory
        self.process = subprocess.Popen(
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={data}",
                f"--port={OWN_MARIADB_PORT}",
                "--bind-address=127.0.0.1",
                f"--socket={d / 'sock'}",
                f"--pid-file={d / 'pid'}",
                "--user=root",
                "--skip-grant-tables",
                f"--log-error={d / 'error.log'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [
                    "mariadb",
                    "-h127.0.0.1",
                    f"-P{OWN_MARIADB_PORT}",
                    "-uroot",
                    "-e",
                    "CREATE DATABASE IF NOT EXISTS chaos",
                ],
                capture_output=True,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.2)
        raise SystemExit(f"mariadbd did not start: see {d / 'error.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(60)
            self.process = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


# -- the server process ------------------------------------------------------------------------
class Server:
    """`serve` or the window, on a fixed port so that it can be killed and started again."""

    def __init__(self, kind: str, db_url: str, port: int, workdir: Path) -> None:
        self.kind, self.db_url, self.port, self.workdir = kind, db_url, port, workdir
        self.log_path = workdir / f"{kind}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "phantom_desktop", "--db", self.db_url]
        command += ["serve", "--port", str(self.port)] if self.kind == "serve" else []
        command += ["--port", str(self.port)] if self.kind == "window" else []
        env = dict(os.environ, PHANTOM_HOME=str(self.workdir / "home"))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env.pop("PHANTOM_DB_URL", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.kind} exited:\n{bench.tail(self.log_path)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{self.kind} did not answer within 90 s:\n{bench.tail(self.log_path)}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


# -- the devices -------------------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _post(port: int, body: bytes, key: str) -> tuple[int, float]:
    """One request on a fresh connection: (status, Retry-After seconds)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"POST {PATH} HTTP/1.1\r\nHost: chaos\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        status, retry_after, length = int(head[9:12]), 0.0, 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"retry-after":
                retry_after = float(value)
        await reader.readexactly(length)
        return status, retry_after
    finally:
        writer.close()


async def run_device(
    port: int, device: bench.Device, log: DeviceLog, until: float, connections: asyncio.Semaphore
) -> None:
    """Post readings back to back; resend each until it gets a 2xx; stop on 404."""
    last = datetime.now(UTC)
    log.last_ok = time.monotonic()
    power = 3.0 if device.standby else 80.0
    while time.monotonic() < until and not log.stopped:
        last = max(datetime.now(UTC), last + timedelta(milliseconds=1))
        stamp = _stamp(last)
        body = (
            f'{{"deviceToken":"{device.token}","portId":"{device.port_id}","voltage":230.0,'
            f'"current":{power / 230:.4f},"power":{power},"timestamp":"{stamp}"}}'
        ).encode()
        while time.monotonic() < until:
            try:
                async with connections:
                    status, retry_after = await _post(port, body, f"{device.port_id}:{stamp}")
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                log.refused[type(exc).__name__] += 1
                await asyncio.sleep(0.05)
                continue
            now = time.monotonic()
            if 200 <= status < 300:
                log.acked.add(stamp)
                log.longest_gap_s = max(log.longest_gap_s, now - log.last_ok)
                log.last_ok = now
                break
            log.refused[status] += 1
            if status == 404:  # its port was deleted
                log.stopped = True
                break
            await asyncio.sleep(min(retry_after, 2.0) if retry_after else 0.05)
    if not log.stopped:
        log.longest_gap_s = max(log.longest_gap_s, time.monotonic() - log.last_ok)


# -- the chaos ---------------------------------------------------------------------------------
def delete_port(db_url: str, port_id: str) -> None:
    from phantom_desktop.store import repository
    from phantom_desktop.store.database import create_store_engine, session_factory

    engine = create_store_engine(db_url)
    try:
        with session_factory(engine).begin() as session:
            user_id = repository.ensure_local_user(session).id
            repository.delete_port(session, user_id, port_id)
    finally:
        engine.dispose()


def chaos(
    args: argparse.Namespace,
    server: Server,
    mariadb: OwnMariaDB | None,
    victim: str,
    started: float,
    events: list[str],
) -> None:
    """The three disruptions, at a quarter, half and three quarters of the run (a thread)."""

    def at(share: float) -> None:
        time.sleep(max(0.0, started + share * args.seconds - time.monotonic()))

    def note(what: str, since: float) -> None:
        events.append(
            f"{time.monotonic() - started:6.1f} s  {what} ({time.monotonic() - since:.1f} s)"
        )

    if args.db == "mysql" and (mariadb is not None or args.restart_command):
        at(0.25)
        t = time.monotonic()
        if mariadb is not None:
            mariadb.restart(args.down_s)
        else:
            subprocess.run(args.restart_command, shell=True, check=True)
        note(f"database server restarted ({args.down_s:g} s down)", t)
    at(0.5)
    t = time.monotonic()
    server.kill()
    server.start()
    note(f"{server.kind} killed with SIGKILL and started again", t)
    at(0.75)
    t = time.monotonic()
    delete_port(server.db_url, victim)
    note("a busy port deleted", t)


def stored_by_port(db_url: str) -> dict[str, Counter]:
    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.models import PowerReading

    engine = create_store_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(PowerReading.port_id, PowerReading.timestamp, func.count()).group_by(
                    PowerReading.port_id, PowerReading.timestamp
                )
            ).all()
    finally:
        engine.dispose()
    out: dict[str, Counter] = {}
    for port_id, stamp, count in rows:
        out.setdefault(port_id, Counter())[_stamp(stamp)] += count
    return out


def rolled_up_by_port(db_url: str, port_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Each port's readings as its 1-minute and 1-hour rollups count them (tables + open tail)."""
    from phantom_desktop.store.database import create_store_engine
    from phantom_desktop.store.rollup_tail import edge, open_tails, split_at
    from phantom_desktop.store.rollups import TABLE_1H, TABLE_1M
    from phantom_desktop.store.sql_time import dialect_name, placeholder

    engine = create_store_engine(db_url)
    out: dict[str, tuple[int, int]] = {}
    try:
        with engine.connect() as conn:
            tails = open_tails(conn, port_ids)
            for port_id in port_ids:
                counts = []
                for table, width in ((TABLE_1M, 60), (TABLE_1H, 3600)):
                    split = split_at(tails[port_id], width, 2**62)
                    stored = conn.exec_driver_sql(
                        f"SELECT coalesce(sum(n), 0) FROM {table} "
                        f"WHERE port_id = {placeholder(dialect_name(conn))} AND bucket < {split}",
                        (port_id,),
                    ).scalar()
                    last = edge(conn, table, width, port_id, tails[port_id], 0, 2**62)
                    counts.append(int(stored or 0) + sum(d.n for _b, d in last))
                out[port_id] = (counts[0], counts[1])
    finally:
        engine.dispose()
    return out


def report(
    logs: list[DeviceLog],
    stored: dict[str, Counter],
    rolled_up: dict[str, tuple[int, int]],
    victim: str,
) -> int:
    kept = [log for log in logs if log.port_id != victim]
    acked = sum(len(log.acked) for log in kept)
    rows = sum(sum(stored.get(log.port_id, Counter()).values()) for log in kept)
    lost = sum(len(log.acked - set(stored.get(log.port_id, ()))) for log in kept)
    duplicated = sum(
        count - 1 for log in kept for count in stored.get(log.port_id, Counter()).values()
    )
    refused: Counter = Counter()
    failures: Counter = Counter()
    for log in kept:
        for what, n in log.refused.items():
            (refused if isinstance(what, int) else failures)[what] += n
    gap = max((log.longest_gap_s for log in kept), default=0.0)
    victim_log = next(log for log in logs if log.port_id == victim)
    print(f"acknowledged (201)      : {acked:,}")
    print(f"stored                  : {rows:,}")
    print(f"lost                    : {lost:,}")
    print(f"duplicated              : {duplicated:,}")
    print(f"refused (non-2xx)       : {sum(refused.values()):,} {dict(refused) or ''}")
    print(f"connection failures     : {sum(failures.values()):,} {dict(failures) or ''}")
    print(f"longest without a 2xx   : {gap:.1f} s")
    off = [
        log.port_id
        for log in kept
        if rolled_up.get(log.port_id, (0, 0))
        != (sum(stored.get(log.port_id, Counter()).values()),) * 2
    ]
    print(
        f"rollups                 : {len(kept) - len(off)} of {len(kept)} ports count every "
        "stored reading (1 min and 1 h)"
    )
    print(
        f"deleted port's device   : {len(victim_log.acked):,} acknowledged before, "
        f"answers after: {dict(victim_log.refused)}"
    )
    return 1 if lost or duplicated or off else 0


def run(args: argparse.Namespace, workdir: Path) -> int:
    mariadb = None
    if args.db == "mysql" and args.mariadb_dir:
        mariadb = OwnMariaDB(Path(args.mariadb_dir))
        mariadb.start()
        db_url = bench.reset_database("mysql", mariadb.url, workdir)
    else:
        db_url = bench.reset_database(args.db, args.mysql_url, workdir)
    try:
        devices = bench.create_devices(db_url, args.devices)
        server = Server(args.process, db_url, bench.free_port(), workdir)
        server.start()
        print(
            f"{args.devices} devices, {args.seconds:g} s, {args.process} on {args.db}"
            + (" (own mariadbd)" if mariadb else "")
        )
        victim = next(d.port_id for d in devices if not d.standby)
        logs = [DeviceLog(d.port_id) for d in devices]
        events: list[str] = []
        started = time.monotonic()
        thread = threading.Thread(
            target=chaos, args=(args, server, mariadb, victim, started, events), daemon=True
        )
        thread.start()

        async def drive() -> None:
            connections = asyncio.Semaphore(args.devices)
            until = started + args.seconds
            await asyncio.gather(
                *(
                    run_device(server.port, d, log, until, connections)
                    for d, log in zip(devices, logs, strict=False)
                )
            )

        asyncio.run(drive())
        thread.join()
        code = server.stop()
        for line in events:
            print(f"  {line}")
        print(f"{server.kind} stopped with exit code {code}")
        kept = [d.port_id for d in devices if d.port_id != victim]
        return report(logs, stored_by_port(db_url), rolled_up_by_port(db_url, kept), victim)
    finally:
        if mariadb is not None:
            mariadb.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "mysql"], default="sqlite")
    parser.add_argument("--mysql-url", default=bench.DEFAULT_MYSQL_URL)
    parser.add_argument("--mariadb-dir", help="run a mariadbd of its own with this data dir")
    parser.add_argument("--restart-command", help="restarts the server of --mysql-url")
    parser.add_argument("--process", choices=["serve", "window"], default="serve")
    parser.add_argument(
        "--down-s", type=float, default=5.0, help="how long the own mariadbd stays down"
    )
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="phantom-chaos-"))
    try:
        return run(args, workdir)
    finally:
        if args.keep:
            print(f"work dir: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
