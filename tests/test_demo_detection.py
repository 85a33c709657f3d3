"""The demo's first minutes, without a window: the TV and charger alert, the fridge never."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.demo import DEMO_INTERVAL_S, DEMO_SEED, DEMO_SPEED, create_demo_database
from phantom_desktop.ingest.messages import Outcome, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store.database import open_store
from phantom_desktop.store.models import PhantomEvent, Port
from simulator.device import DeviceSpec, SimulatedDevice

DEMO_SECONDS = 240


class Sink:
    def __init__(self) -> None:
        self.outcome: Outcome | None = None
        self.done = threading.Event()

    def deliver(self, results) -> None:
        self.outcome = results[0][1]
        self.done.set()


def test_the_demo_alerts_on_the_tv_and_charger_within_a_minute_and_never_on_the_fridge(tmp_path):
    setup = create_demo_database(tmp_path)
    engine = open_store(setup.db_url)
    with engine.connect() as conn:
        device_id = conn.scalar(select(Port.device_id).limit(1))
    devices = {
        name: SimulatedDevice(
            DeviceSpec(setup.token, port_id, profile, name),
            step_s=DEMO_INTERVAL_S * DEMO_SPEED,
            seed=DEMO_SEED,
        )
        for port_id, profile, name in setup.ports
    }
    start = datetime.now(UTC)
    writer = Writer(engine)
    writer.start()
    try:
        for second in range(DEMO_SECONDS):  # the live feed: a reading a second from each port
            at = start + timedelta(seconds=second)
            readings = []
            for device in devices.values():
                r = device.next_reading()
                readings.append(
                    ReadingValues(device.spec.port_id, r.voltage, r.current, r.power, at)
                )
            sink = Sink()
            assert writer.submit(Submission(readings, sink, device_id=device_id, source="test"))
            assert sink.done.wait(30) and sink.outcome is not None
            for stored, device in zip(sink.outcome.readings, devices.values(), strict=True):
                device.relay_closed = stored.port_status == "active"
    finally:
        writer.stop()
    with engine.connect() as conn:
        first = dict(
            conn.execute(
                select(Port.name, PhantomEvent.detected_at)
                .join(Port, Port.id == PhantomEvent.port_id)
                .order_by(PhantomEvent.detected_at.desc())
            ).all()
        )
        fridge = conn.execute(
            select(Port.status, Port.rhythm_seen).where(Port.name == "Fridge")
        ).one()
    engine.dispose()
    assert set(first) == {"Living-room TV", "Phone charger"}
    assert all(at - start <= timedelta(seconds=60) for at in first.values())
    assert fridge.status == "active"
    assert fridge.rhythm_seen is not None and fridge.rhythm_seen.startswith("cycling, ~")
