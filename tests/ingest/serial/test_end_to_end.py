"""Each protocol end to end over a real pty pair: emulated meter → SerialSource → Writer → SQLite,
and the live feed the plots read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from phantom_desktop.ingest.messages import PortCommand
from phantom_desktop.store.models import PowerReading

MODBUS = ("pzem", "sdm120", "sdm630")


def channels_for(protocol: str, port_ids: list[str]) -> dict[str, str]:
    if protocol == "jsonl":
        return {}
    if protocol == "emontx":
        return {f"P{i + 1}": port_id for i, port_id in enumerate(port_ids)}
    return {str(i + 1): port_id for i, port_id in enumerate(port_ids)}


def unit_for(protocol: str, index: int, port_id: str) -> int | str:
    if protocol == "jsonl":
        return port_id
    return f"P{index + 1}" if protocol == "emontx" else index + 1


def client_view(phases) -> tuple[float, float, float]:
    """What the app makes of a meter's phases (SDM630: mean live voltage, summed I and P)."""
    if len(phases) == 1:
        return phases[0]
    live = [v for v, _, _ in phases if v > 1.0]
    return sum(live) / len(live), sum(i for _, i, _ in phases), sum(p for _, _, p in phases)


def start_pair(protocol, make_device, meter, source, **meter_kwargs):
    device_id, port_ids = make_device(2)
    handle = meter(protocol, addresses=(1, 2), channels=2, port_ids=port_ids, **meter_kwargs)
    src = source(
        {
            "port": handle.path,
            "protocol": protocol,
            "device_id": device_id,
            "channels": channels_for(protocol, port_ids),
        }
    )
    return port_ids, handle, src


def stored_rows(services):
    with services.sessions() as s:
        return list(s.scalars(select(PowerReading).order_by(PowerReading.id)))


@pytest.mark.parametrize("protocol", ["jsonl", "emontx", *MODBUS])
def test_readings_reach_the_database_and_the_live_feed(
    protocol, services, make_device, meter, source, wait
):
    port_ids, handle, src = start_pair(protocol, make_device, meter, source)
    wait(lambda: src.status.readings >= 8, what="eight acknowledged readings")
    src.stop()
    services.writer.stop()  # commits and acknowledges whatever the source queued last

    rows = stored_rows(services)
    assert len(rows) == src.status.readings
    assert {row.source for row in rows} == {"serial"}
    assert {row.port_id for row in rows} == set(port_ids)
    for index, port_id in enumerate(port_ids):
        unit = unit_for(protocol, index, port_id)
        sent = [client_view(s.phases) for s in handle.sent if s.unit == unit]
        for row in (r for r in rows if r.port_id == port_id):
            got = (row.voltage, row.current, row.power)
            if protocol == "sdm120":  # three transactions: fields may come from adjacent ticks
                for field in range(3):
                    assert any(got[field] == pytest.approx(s[field], rel=1e-6) for s in sent)
            else:
                assert any(got == pytest.approx(s, rel=1e-6, abs=1e-9) for s in sent), got

    live = services.live_feed.drain()
    assert [r.id for r in live.readings] == [row.id for row in rows]
    status = src.status
    assert status.state == "stopped"
    assert status.crc_errors == status.timeouts == status.rejected == status.dropped == 0


@pytest.mark.parametrize("protocol", ["jsonl", "emontx"])
def test_turning_a_port_off_and_on_writes_status_lines(
    protocol, services, make_device, meter, source, wait
):
    port_ids, handle, src = start_pair(protocol, make_device, meter, source)
    wait(lambda: src.status.readings >= 2, what="readings")
    assert src.cannot_cut_ports == frozenset()

    assert services.writer.command(PortCommand(port_ids[0], status="off")).done.result(5) == "off"
    wait(lambda: {"portId": port_ids[0], "status": "off"} in handle.received, what="off line")
    services.writer.command(PortCommand(port_ids[0], status="active")).done.result(5)
    wait(lambda: {"portId": port_ids[0], "status": "active"} in handle.received, what="on line")
    assert handle.received == [
        {"portId": port_ids[0], "status": "off"},
        {"portId": port_ids[0], "status": "active"},
    ]
    assert src.status.written == 2


def test_auto_cut_opens_the_relay_of_a_json_lines_board(services, make_device, meter, source, wait):
    device_id, port_ids = make_device(1, threshold_w=2.0, min_duration_s=0.0, auto_cut=True)
    handle = meter("jsonl", port_ids=port_ids, loads=["charger"], active_s=0.0)
    src = source({"port": handle.path, "protocol": "jsonl", "device_id": device_id})
    wait(lambda: {"portId": port_ids[0], "status": "off"} in handle.received, what="auto-cut")
    alerts = services.live_feed.drain().alerts
    assert [a.port_id for a in alerts] == [port_ids[0]] and alerts[0].cut
    # The relay is open: the board now reports no power on that port.
    wait(lambda: handle.sent[-1].phases[0][2] == 0.0, what="zero power after the cut")
    assert src.status.written == 1


def test_modbus_meters_cannot_cut_and_write_nothing(services, make_device, meter, source, wait):
    port_ids, _meter, src = start_pair("pzem", make_device, meter, source)
    wait(lambda: src.status.readings >= 2, what="readings")
    assert src.cannot_cut_ports == frozenset(port_ids)
    services.writer.command(PortCommand(port_ids[0], status="off")).done.result(5)
    wait(lambda: src.status.readings >= 6, what="more readings")
    assert src.status.written == 0
