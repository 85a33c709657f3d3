"""The demo's first minutes, without a window: the TV and charger alert, the fridge never.

The demo's seeded past and the simulator's appliances go through the real writer, a reading a
second per port at the demo's time compression, with the relays obeying the cuts.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.demo import DEMO_INTERVAL_S, DEMO_SEED, DEMO_SPEED, create_demo_database
from phantom_desktop.ingest.messages import Outcome, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import alerts, repository, window_queries
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import PhantomEvent, Port, PowerReading
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
        detected = dict(
            conn.execute(
                select(Port.name, PhantomEvent.detected_at)
                .join(Port, Port.id == PhantomEvent.port_id)
                .order_by(PhantomEvent.detected_at.desc())
            ).all()
        )
        fridge_rests = conn.scalars(
            select(PowerReading.power)
            .join(Port, Port.id == PowerReading.port_id)
            .where(Port.name == "Fridge", PowerReading.power < Port.threshold_w)
        ).all()
    with session_factory(engine)() as session:
        user_id = repository.ensure_local_user(session).id
        alerted = {a.port_name for a in alerts.list_alerts(session, user_id)}
        rows = {row.name: row for row in window_queries.load_ports(session, user_id)}
    engine.dispose()
    assert alerted == set(detected) == {"Living-room TV", "Phone charger"}
    assert all(at - start <= timedelta(seconds=60) for at in detected.values())
    fridge = rows["Fridge"]
    assert fridge.status == "active"
    assert fridge.rhythm_seen is not None and fridge.rhythm_seen.startswith("cycling, ~")
    # Always on: its rest power, not a mix of the runs and rests each demo minute holds.
    assert fridge.always_on_w is not None
    assert min(fridge_rests) <= fridge.always_on_w <= sorted(fridge_rests)[len(fridge_rests) // 2]
