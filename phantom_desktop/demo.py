"""Demo mode: a fresh database with one device and four ports, fed by the simulator over HTTP.

The database starts with the last hour of the same simulated appliances (`demo_past`), so the
demo opens as an installation that has been running a while: the fridge's rhythm is known.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from phantom_desktop.demo_past import seed_demo_past
from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory, sqlite_url

log = logging.getLogger(__name__)

# (name, simulator profile, threshold W, min duration s, auto-cut)
DEMO_PORTS = (
    ("Living-room TV", "tv", 5.0, 10.0, True),
    ("Phone charger", "charger", 1.0, 10.0, True),
    ("Desk lamp", "lamp", 2.0, 10.0, True),
    ("Fridge", "fridge", 5.0, 10.0, True),
)
DEMO_INTERVAL_S = 1.0
DEMO_SPEED = 60.0  # simulated seconds per second, as the simulator's default
DEMO_SEED = 12  # the same appliances in every demo, in its seeded past and live


@dataclass(frozen=True)
class DemoSetup:
    db_url: str
    token: str
    ports: list[tuple[str, str, str]]  # (port id, simulator profile, port name)


def create_demo_database(data_dir: Path) -> DemoSetup:
    """Replace the demo database with a new one holding a demo device, token and ports."""
    path = data_dir / "demo.db"
    for stale in (path, path.with_name("demo.db-wal"), path.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    url = sqlite_url(path)
    engine = open_store(url)
    try:
        with session_factory(engine).begin() as session:
            user = repository.ensure_local_user(session)
            device = repository.create_device(session, user.id, "Demo smart plug strip")
            token, _ = repository.create_token(session, user.id, device.id)
            ports = []
            for name, profile, threshold, duration, auto_cut in DEMO_PORTS:
                port = repository.create_port(
                    session, user.id, name, device.id, threshold, duration, auto_cut
                )
                ports.append((port.id, profile, name))
        with engine.begin() as conn:
            now = datetime.now(UTC)
            seed_demo_past(conn, ports, DEMO_SEED, now, DEMO_INTERVAL_S, DEMO_SPEED)
    finally:
        engine.dispose()
    return DemoSetup(url, token, ports)


class DemoFeed:
    """Runs the simulator in a background thread, posting to the app's own HTTP port."""

    def __init__(self, url: str, setup: DemoSetup) -> None:
        self._url = url
        self._setup = setup
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="phantom-demo-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._started.wait(5)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        from simulator.device import DeviceSpec
        from simulator.http_client import run_devices

        specs = [
            DeviceSpec(self._setup.token, port_id, profile, name)
            for port_id, profile, name in self._setup.ports
        ]

        async def feed() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await run_devices(
                self._url,
                specs,
                DEMO_INTERVAL_S,
                None,
                seed=DEMO_SEED,
                speed=DEMO_SPEED,
                quiet=True,
                out=io.StringIO(),
                stop=self._stop,
            )

        try:
            asyncio.run(feed())
        except Exception:
            log.exception("the demo feed stopped")
        finally:
            self._started.set()
