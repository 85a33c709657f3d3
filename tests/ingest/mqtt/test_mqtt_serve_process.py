"""`serve` runs the configured plugs: an emulated plug process feeds it through the broker, a
cut opens the plug's relay, and `kill -9` of serve with messages in flight loses none of them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.ingest.mqtt.mqtt_helpers import Publisher
from tests.ingest.support import wait_until

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]


class App:
    """The phantom-desktop command line and a `serve` process on one home folder."""

    def __init__(self, home: Path) -> None:
        self.env = dict(os.environ, PHANTOM_HOME=str(home), QT_QPA_PLATFORM="offscreen")
        self.env.pop("PHANTOM_DB_URL", None)
        self.db = create_engine(f"sqlite:///{home / 'data' / 'phantom.db'}")
        self.serve: subprocess.Popen[str] | None = None

    def cli(self, *argv: str, stdin: str | None = None) -> object:
        run = subprocess.run(
            [sys.executable, "-m", "phantom_desktop", *argv, "--json"],
            env=self.env, input=stdin, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    def start(self) -> None:
        self.serve = subprocess.Popen(
            [sys.executable, "-m", "phantom_desktop", "serve", "--port", "0"],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert "is receiving readings" in self.serve.stdout.readline()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        assert self.serve is not None
        self.serve.send_signal(sig)
        self.serve.wait(30)

    def powers(self, port_id: str) -> list[float]:
        with self.db.connect() as conn:
            rows = conn.execute(
                text("SELECT power FROM power_readings WHERE port_id = :p ORDER BY id"),
                {"p": port_id},
            )
            return [row[0] for row in rows]

    def status(self, port_id: str) -> str:
        with self.db.connect() as conn:
            return conn.execute(
                text("SELECT status FROM ports WHERE id = :p"), {"p": port_id}
            ).scalar()


@pytest.fixture
def app(tmp_path):
    app = App(tmp_path / "home")
    yield app
    if app.serve is not None and app.serve.poll() is None:
        app.stop()
    app.db.dispose()


def add_plug(app: App, broker_url: str, kind: str, topic: str, threshold: str = "0.01") -> str:
    device = app.cli("device", "add", "Plug")["id"]
    port = app.cli("port", "add", "TV", "--device", device, "--threshold", threshold,
                   "--min-duration", "0")["id"]  # fmt: skip
    app.cli("mqtt", "broker", broker_url)
    first = "0" if kind == "shelly" else "1"
    app.cli("plug", "add", "TV plug", "--kind", kind, "--topic", topic, "--device", device,
            "--map", f"{first}={port}")  # fmt: skip
    return port


def test_serve_cuts_an_emulated_plug_for_real(app, broker_url):
    topic = f"serve{uuid.uuid4().hex[:8]}"
    port = add_plug(app, broker_url, "tasmota", topic, threshold="5")
    app.start()
    sim = subprocess.Popen(
        [sys.executable, "-m", "simulator", "mqtt", "--kind", "tasmota", "--topic", topic,
         "--broker", broker_url, "--interval", "0.1", "--speed", "3000", "--seed", "5"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "Emulating a tasmota plug" in sim.stdout.readline()
        wait_until(lambda: app.status(port) == "off", 30, "detection to cut the port")
        assert "relay 1 opened (off) by command" in sim.stdout.readline()
        cut_at = len(app.powers(port))
        wait_until(lambda: len(app.powers(port)) >= cut_at + 5, 10, "readings after the cut")
        assert app.powers(port)[-3:] == [0.0, 0.0, 0.0]
    finally:
        sim.terminate()
        sim.wait(10)


def test_kill_9_of_serve_with_messages_in_flight_loses_nothing(app, private_broker):
    topic = f"kill{uuid.uuid4().hex[:8]}"
    port = add_plug(app, private_broker.url, "tasmota", topic)
    app.start()
    publisher = Publisher(private_broker.url, topic)
    try:
        publisher.publish(range(1, 2001))
        wait_until(lambda: len(app.powers(port)) >= 200, 30, "the first readings")
        app.stop(signal.SIGKILL)
        publisher.publish(range(2001, 3001))  # the broker keeps them for serve's session
        app.start()
        wanted = {float(i) for i in range(1, 3001)}
        wait_until(lambda: set(app.powers(port)) >= wanted, 60, "every reading")
    finally:
        publisher.close()
    assert set(app.powers(port)) == wanted
