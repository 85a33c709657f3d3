"""End to end with real processes: `phantom-sim` posts to `phantom-desktop serve` over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import PhantomEvent, Port, PowerReading

pytestmark = pytest.mark.slow
READINGS_PER_PORT = 12


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode()
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer /api/health")


@pytest.fixture
def plug_strip(tmp_path):
    """A database with one device, its token, a TV (auto-cut) and a fridge (report only)."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = open_store(url)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "plug strip")
        token, _ = repository.create_token(s, user.id, device.id)
        tv = repository.create_port(s, user.id, "TV", device.id, 5.0, 0.0, True).id
        fridge = repository.create_port(s, user.id, "Fridge", device.id, 5.0, 0.0, False).id
    engine.dispose()
    return url, token, tv, fridge


def test_simulator_process_feeds_serve_process(tmp_path, plug_strip):
    db_url, token, tv, fridge = plug_strip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PHANTOM_HOME=str(tmp_path / "home"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "phantom_desktop",
            "serve",
            "--http-port",
            str(port),
            "--db",
            db_url,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        health = wait_healthy(base, server)
        assert health["data"]["database"] == "reachable"
        devices = ["--port-id", tv, "--profile", "tv", "--port-id", fridge, "--profile", "fridge"]
        # 0.05 s apart, each reading 2 simulated minutes on: the TV is in standby within 12
        pace = ["--count", str(READINGS_PER_PORT), "--interval", "0.05", "--speed", "2400"]
        sim = subprocess.run(
            [sys.executable, "-m", "simulator", "--url", base, "--token", token, *devices, *pace],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert sim.returncode == 0, sim.stdout + sim.stderr
    assert sim.stdout.count("✅ Success") == 2 * READINGS_PER_PORT
    assert "Phantom detected" in sim.stdout
    assert server.returncode == 0, err.decode()
    assert "every acknowledged reading is stored" in out.decode()

    engine = open_store(db_url)
    try:
        with session_factory(engine)() as s:
            stored = s.scalar(select(func.count()).select_from(PowerReading))
            tv_events = s.scalars(select(PhantomEvent).where(PhantomEvent.port_id == tv)).all()
            tv_status = s.get(Port, tv).status
            fridge_status = s.get(Port, fridge).status
    finally:
        engine.dispose()
    assert stored == 2 * READINGS_PER_PORT
    assert [event.action for event in tv_events] == ["auto_cut"]
    assert tv_status == "off" and fridge_status == "active"
