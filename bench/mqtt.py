"""MQTT benchmark: N emulated Tasmota plugs publishing at full rate through Mosquitto into `serve`.

    python bench/mqtt.py --db sqlite --plugs 20 --per-plug 2000
    python bench/mqtt.py --db mysql [--mysql-url mysql+pymysql://root@127.0.0.1:3306/test]
    python bench/mqtt.py --db sqlite --paced 1000   # latency below capacity
    python bench/mqtt.py --db sqlite --chaos     # + a broker restart and a kill -9 of serve

Starts a Mosquitto of its own (a free port, persistence in a temporary folder, no queue limit),
a fresh database with one device and port per plug (MySQL: the app's tables are dropped and
recreated, so point it at a database nobody else uses), writes the plugs into the settings of
a `python -m phantom_desktop serve` process, and waits until every plug's first reading is
stored. Then each plug publishes its readings at QoS 1 as fast as `mosquitto_pub -l` sends them
(tens of thousands a second, far above what the app takes). Prints:

- readings/s stored: readings published / time from the first publish to the last commit;
- reading-to-commit latency p50/p99: from the moment `serve` received a reading (its stored
  timestamp) to the moment the bench's poller (every 20 ms) saw it committed;
- stored == published: MATCH, or MISMATCH and exit status 1.

`--chaos` publishes with paho instead (it reconnects and re-sends what the broker did not
acknowledge) at a steady pace, restarts the broker cleanly a third of the way through and kills
`serve` with SIGKILL two thirds of the way through, then starts it again: every published
reading must be stored (readings whose acknowledgement the kill swallowed may come twice;
their count is printed).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from http_load import free_port, reset_database, tail
from sqlalchemy import text

DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
POLL_S = 0.02


def reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


# -- the broker ----------------------------------------------------------------------------------
class Broker:
    """A Mosquitto of the bench alone; `restart()` is a clean stop (state saved) and start."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "broker"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        (self.dir / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {self.dir}/\nmax_queued_messages 0\n"
            f"user {getpass.getuser()}\n"
        )

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.dir / "mosquitto.log").open("ab")
        config = str(self.dir / "mosquitto.conf")
        self.process = subprocess.Popen(["mosquitto", "-c", config], stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while not reachable(self.port):
            if time.monotonic() > deadline:
                raise SystemExit(f"mosquitto did not start:\n{tail(self.dir / 'mosquitto.log')}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(20)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


# -- the database and serve ----------------------------------------------------------------------
def create_plugs(db_url: str, count: int, broker_url: str) -> dict[str, object]:
    """One device and port per plug; returns the settings that make `serve` read them."""
    from phantom_desktop.store import repository
    from phantom_desktop.store.database import open_store, session_factory

    engine = open_store(db_url)
    plugs = []
    try:
        with session_factory(engine).begin() as session:
            user_id = repository.ensure_local_user(session).id
            for index in range(count):
                device = repository.create_device(session, user_id, f"bench-plug-{index}")
                port = repository.create_port(
                    session, user_id, f"bench-port-{index}", device.id, 0.001, 30.0, False
                )
                plugs.append(
                    {
                        "name": f"plug{index}",
                        "kind": "tasmota",
                        "topic": f"bench{index}",
                        "device_id": device.id,
                        "channels": {"1": port.id},
                    }
                )
    finally:
        engine.dispose()
    return {"mqtt": {"url": broker_url, "client_id": "phantom-bench-serve"}, "plugs": plugs}


class Serve:
    """`python -m phantom_desktop serve` with the bench's settings, in its own process."""

    def __init__(self, workdir: Path, db_url: str, settings: dict[str, object]) -> None:
        self.home = workdir / "home"
        (self.home / "config").mkdir(parents=True, exist_ok=True)
        (self.home / "config" / "settings.json").write_text(json.dumps(settings))
        self.db_url = db_url
        self.log_path = workdir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port = free_port()
        command = [sys.executable, "-m", "phantom_desktop", "serve", "--port", str(port)]
        command += ["--db", self.db_url]
        env = dict(os.environ, PHANTOM_HOME=str(self.home), QT_QPA_PLATFORM="offscreen")
        env.pop("PHANTOM_DB_URL", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"serve exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"serve did not answer within 60 s:\n{self.tail()}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        if code != 0:
            raise SystemExit(f"serve exited with {code}:\n{self.tail()}")

    def cpu_s(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return tail(self.log_path)


# -- watching the database -------------------------------------------------------------------------
@dataclass
class Watch:
    """Polls the readings table: how many are stored, and each one's receipt-to-commit time."""

    db_url: str
    latencies_ms: list[float] = field(default_factory=list)
    count: int = 0
    last_commit: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from phantom_desktop.store.database import create_store_engine

        engine = create_store_engine(self.db_url)
        last_id = 0
        query = text("SELECT id, timestamp FROM power_readings WHERE id > :last ORDER BY id")
        try:
            while not self._stop.wait(POLL_S):
                with engine.connect() as conn:
                    rows = conn.execute(query, {"last": last_id}).all()
                if not rows:
                    continue
                seen = time.time()
                self.last_commit = time.perf_counter()
                for _id, stamp in rows:
                    received = _as_utc(stamp).timestamp()
                    self.latencies_ms.append((seen - received) * 1000)
                last_id = rows[-1][0]
                self.count += len(rows)
        finally:
            engine.dispose()

    def start(self) -> None:
        threading.Thread(target=self.run, name="bench-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def _as_utc(stamp: object) -> datetime:
    value = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def stored_powers(db_url: str) -> dict[str, list[float]]:
    from phantom_desktop.store.database import create_store_engine

    engine = create_store_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT port_id, power FROM power_readings")).all()
    finally:
        engine.dispose()
    by_port: dict[str, list[float]] = {}
    for port_id, power in rows:
        by_port.setdefault(port_id, []).append(power)
    return by_port


# -- publishing ------------------------------------------------------------------------------------
def sensor(power: float) -> str:
    body = {"Time": "2024-01-01T00:00:00", "ENERGY": {"Power": power, "Voltage": 230.0}}
    return json.dumps(body)


def publish(port: int, plugs: int, per_plug: int, first: int, rate: float | None) -> float:
    """Every plug sends readings `first`.. W through mosquitto_pub, at once or at `rate`
    readings/s in all; returns the start."""
    lines = [sensor(float(first + i)) + "\n" for i in range(per_plug)]
    interval = plugs / rate if rate else 0.0
    processes = []
    for index in range(plugs):
        command = ["mosquitto_pub", "-p", str(port), "-q", "1", "-M", "200", "-l"]
        command += ["-i", f"bench-pub-{index}", "-t", f"tele/bench{index}/SENSOR"]
        processes.append(subprocess.Popen(command, stdin=subprocess.PIPE, text=True))
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        threading.Thread(target=_feed, args=(process, lines, interval), daemon=True).start()
    for process in processes:
        if process.wait(600) != 0:
            raise SystemExit("mosquitto_pub failed")
    return started


def _feed(process: subprocess.Popen[str], lines: list[str], interval: float) -> None:
    assert process.stdin is not None
    if not interval:
        process.stdin.write("".join(lines))
    else:
        start = time.perf_counter()
        for n, line in enumerate(lines):
            process.stdin.write(line)
            process.stdin.flush()
            ahead = start + (n + 1) * interval - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    process.stdin.close()


def warm_up(broker: Broker, plugs: int, watch: Watch) -> None:
    """Send each plug a 0 W reading until all are stored (serve has subscribed)."""
    deadline = time.monotonic() + 60
    while watch.count < plugs:
        if time.monotonic() > deadline:
            raise SystemExit("serve did not store the warm-up readings within 60 s")
        for index in range(plugs):
            topic = f"tele/bench{index}/SENSOR"
            command = ["mosquitto_pub", "-p", str(broker.port), "-q", "1", "-t", topic]
            subprocess.run([*command, "-m", sensor(0.0)], check=True)
        wait_for(lambda: watch.count >= plugs, 3)


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_stable(watch: Watch, wanted: int, idle_s: float = 20.0) -> None:
    """Until `wanted` readings are stored, or nothing more arrives for `idle_s`."""
    last, since = watch.count, time.monotonic()
    while watch.count < wanted and time.monotonic() - since < idle_s:
        time.sleep(0.1)
        if watch.count != last:
            last, since = watch.count, time.monotonic()


class PacedPublisher:
    """paho at QoS 1 with a persistent session: survives a broker restart, re-sends the
    unacknowledged, and counts what the broker acknowledged."""

    def __init__(self, broker: Broker, plugs: int) -> None:
        import paho.mqtt.client as mqtt

        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id="bench-chaos-pub", clean_session=False
        )
        self.client.max_inflight_messages_set(500)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(0.1, 1)
        self.acknowledged = 0  # PUBACKs received (paho re-sends what was not acknowledged)
        self.client.on_publish = self._acknowledged
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        self.plugs = plugs
        self.sent = 0

    def publish(self, numbers: range, rate: float) -> None:
        start = time.perf_counter()
        for n, value in enumerate(numbers):
            for index in range(self.plugs):
                self.client.publish(f"tele/bench{index}/SENSOR", sensor(float(value)), 1)
                self.sent += 1
            ahead = start + (n + 1) * self.plugs / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)

    def _acknowledged(self, *_args: object) -> None:
        self.acknowledged += 1

    def wait(self) -> None:
        """Until the broker acknowledged everything (paho's wait_for_publish refuses messages
        queued while disconnected, which it still sends after reconnecting)."""
        deadline = time.monotonic() + 120
        while self.acknowledged < self.sent:
            if time.monotonic() > deadline:
                raise SystemExit("the broker did not acknowledge every reading within 120 s")
            time.sleep(0.1)
        self.client.disconnect()
        self.client.loop_stop()


# -- one run ---------------------------------------------------------------------------------------
def run(kind: str, args: argparse.Namespace) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-mqtt-{kind}-"))
    os.chmod(workdir, 0o755)  # Mosquitto, run as root, drops to a user that must save there
    broker = Broker(workdir)
    broker.start()
    db_url = reset_database(kind, args.mysql_url, workdir)
    serve = Serve(workdir, db_url, create_plugs(db_url, args.plugs, broker.url))
    serve.start()
    watch = Watch(db_url)
    watch.start()
    try:
        warm_up(broker, args.plugs, watch)
        warm = watch.count
        watch.latencies_ms.clear()
        if args.chaos:
            return chaos(kind, args, broker, serve, watch, warm)
        cpu_before = serve.cpu_s()
        wanted = warm + args.plugs * args.per_plug
        started = publish(broker.port, args.plugs, args.per_plug, 1, args.paced)
        published_s = time.perf_counter() - started
        wait_stable(watch, wanted)
        elapsed = watch.last_commit - started
        cpu = serve.cpu_s() - cpu_before
        measured = watch.count - warm
        published = args.plugs * args.per_plug
        lat = sorted(watch.latencies_ms)
        pace = f"at {args.paced:g} readings/s" if args.paced else "at full rate"
        print(f"\n== {kind}: {args.plugs} plugs x {args.per_plug} readings, QoS 1, {pace}")
        print(f"published          {published} readings in {published_s:.2f} s (mosquitto_pub)")
        print(
            f"stored             {measured} in {elapsed:.2f} s "
            f"= {measured / elapsed:,.0f} readings/s"
        )
        print(
            f"reading-to-commit  p50 {_pct(lat, 50):.0f} ms, p99 {_pct(lat, 99):.0f} ms "
            f"(received by serve -> seen committed; poll every {POLL_S * 1000:.0f} ms)"
        )
        print(f"serve CPU          {cpu:.1f} s = {cpu / max(measured, 1) * 1e6:.0f} µs per reading")
        ok = measured == published and _exact(db_url, args.plugs, range(1, args.per_plug + 1))
        print(f"stored == published: {'MATCH' if ok else 'MISMATCH'}")
        serve.stop()
        return ok
    except BaseException:
        print(f"serve log:\n{serve.tail()}", file=sys.stderr)
        raise
    finally:
        watch.stop()
        if serve.process is not None and serve.process.poll() is None:
            serve.process.kill()
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def chaos(
    kind: str, args: argparse.Namespace, broker: Broker, serve: Serve, watch: Watch, warm: int
) -> bool:
    per_plug = args.per_plug
    publisher = PacedPublisher(broker, args.plugs)
    third = per_plug // 3
    publisher.publish(range(1, third + 1), args.rate)
    print(f"\n== {kind} chaos: broker restart after {third * args.plugs} readings")
    broker.restart()
    publisher.publish(range(third + 1, 2 * third + 1), args.rate)
    print(f"kill -9 serve after {2 * third * args.plugs} readings (stored so far {watch.count})")
    serve.kill()
    publisher.publish(range(2 * third + 1, 2 * third + 1 + third // 2), args.rate)
    serve.start()
    publisher.publish(range(2 * third + 1 + third // 2, per_plug + 1), args.rate)
    publisher.wait()
    wait_stable(watch, warm + args.plugs * per_plug)
    powers = stored_powers(serve.db_url)
    wanted = set(map(float, range(1, per_plug + 1)))
    missing = sum(len(wanted - set(values)) for values in powers.values())
    total = sum(len([v for v in values if v > 0]) for values in powers.values())
    duplicates = total - sum(len(set(values) & wanted) for values in powers.values())
    print(
        f"published {args.plugs * per_plug}, stored {total}: missing {missing}, twice {duplicates}"
    )
    ok = missing == 0 and len(powers) == args.plugs
    print(f"no reading lost across a broker restart and kill -9: {'MATCH' if ok else 'MISMATCH'}")
    serve.stop()
    return ok


def _exact(db_url: str, plugs: int, numbers: range) -> bool:
    wanted = sorted(map(float, numbers))
    powers = stored_powers(db_url)
    return len(powers) == plugs and all(
        sorted(v for v in values if v > 0) == wanted for values in powers.values()
    )


def _pct(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "mysql", "both"], default="sqlite")
    parser.add_argument(
        "--mysql-url", default=os.environ.get("PHANTOM_BENCH_MYSQL_URL", DEFAULT_MYSQL_URL)
    )
    parser.add_argument("--plugs", type=int, default=20)
    parser.add_argument("--per-plug", type=int, default=2000, help="readings each plug sends")
    parser.add_argument("--chaos", action="store_true", help="broker restart and kill -9 of serve")
    parser.add_argument("--rate", type=float, default=2000, help="--chaos: readings/s in all")
    parser.add_argument(
        "--paced",
        type=float,
        metavar="R",
        help="publish at R readings/s in all instead of at full rate (latency below capacity)",
    )
    args = parser.parse_args()
    for tool in ("mosquitto", "mosquitto_pub"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is needed (apt-get install mosquitto mosquitto-clients)")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} before the run")
    kinds = ["sqlite", "mysql"] if args.db == "both" else [args.db]
    results = [run(kind, args) for kind in kinds]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
