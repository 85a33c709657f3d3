"""Building sources from the settings: enabled entries only, relays told about all the
device's ports, and the ports whose cut cannot be carried out."""

from __future__ import annotations

import pytest

from phantom_desktop.config import Settings
from phantom_desktop.ingest.messages import PortCommand
from phantom_desktop.ingest.serial import (
    SerialConfigError,
    ports_without_relay,
    sources_from_settings,
)


def test_sources_are_built_for_enabled_entries(services, make_device, meter, wait):
    device_id, port_ids = make_device(2)
    modbus_device, modbus_ports = make_device(1)
    board = meter("jsonl", port_ids=port_ids[:1])  # the board only measures the first port
    settings = Settings(
        serial_sources=[
            {"name": "board", "port": board.path, "protocol": "jsonl", "device_id": device_id},
            {
                "name": "meter",
                "port": "/dev/null-meter",
                "protocol": "sdm630",
                "device_id": modbus_device,
                "channels": {"2": modbus_ports[0]},
                "enabled": True,
            },
            {
                "name": "spare",
                "port": "/dev/x",
                "protocol": "jsonl",
                "device_id": "d",
                "enabled": False,
            },
        ]
    )
    sources = sources_from_settings(settings, services.writer, services.sessions)
    assert [s.name for s in sources] == ["board", "meter"]
    assert ports_without_relay(sources) == {modbus_ports[0]}
    board_source = sources[0]
    board_source.start()
    try:
        wait(lambda: board_source.status.state == "connected", what="the board connected")
        # A port of the board's device that it has not reported yet is still switched.
        services.writer.command(PortCommand(port_ids[1], status="off")).done.result(5)
        wait(lambda: {"portId": port_ids[1], "status": "off"} in board.received, what="off line")
    finally:
        board_source.stop()


def test_an_invalid_entry_stops_the_build_with_its_index(services):
    settings = Settings(serial_sources=[{"name": "x", "protocol": "pzem"}])
    with pytest.raises(SerialConfigError, match=r"serial_sources\[0\]: serial source 'x': 'port'"):
        sources_from_settings(settings, services.writer, services.sessions)
