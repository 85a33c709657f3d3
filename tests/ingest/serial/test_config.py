"""SerialSourceConfig: validation with clear messages, defaults, and a lossless round trip."""

from __future__ import annotations

import pytest

from phantom_desktop.config import ConfigError
from phantom_desktop.ingest.serial import (
    SerialConfigError,
    SerialSourceConfig,
    UsbMatch,
    parse_source_configs,
)

PORT_A = "6f1c0d4e-0000-4000-8000-00000000000a"
PORT_B = "6f1c0d4e-0000-4000-8000-00000000000b"


def entry(**overrides) -> dict:
    base = {"name": "desk", "port": "/dev/ttyUSB0", "protocol": "pzem", "device_id": "dev-1"}
    base["channels"] = {"1": PORT_A}
    return {**base, **overrides}


def test_defaults_follow_the_protocol():
    config = SerialSourceConfig.from_dict(entry())
    assert config.baudrate == 9600 and config.poll_interval_s == 1.0 and config.enabled
    assert SerialSourceConfig.from_dict(entry(protocol="sdm630")).baudrate == 2400
    emontx = SerialSourceConfig.from_dict(entry(protocol="emontx", channels={"p2": PORT_A}))
    assert emontx.baudrate == 115200 and emontx.channels == {"P2": PORT_A}


@pytest.mark.parametrize(
    "data",
    [
        entry(),
        entry(protocol="emontx", channels={"P1": PORT_A, "P12": PORT_B}, baudrate=38400),
        entry(protocol="jsonl", channels={}, port="socket://localhost:7000"),
        entry(protocol="sdm120", channels={7: PORT_A, "247": PORT_B}, poll_interval_s=2.5),
        entry(usb={"vid": "1a86", "pid": "0x7523", "serial_number": "A1"}, enabled=False),
    ],
)
def test_round_trip(data):
    config = SerialSourceConfig.from_dict(data)
    assert SerialSourceConfig.from_dict(config.to_dict()) == config


def test_modbus_addresses_are_numbers_in_order():
    config = SerialSourceConfig.from_dict(entry(channels={"12": PORT_B, 3: PORT_A}))
    assert config.meter_addresses() == [(3, PORT_A), (12, PORT_B)]
    assert config.port_ids == {PORT_A, PORT_B}
    assert config.to_dict()["channels"] == {"3": PORT_A, "12": PORT_B}


def test_usb_match_is_written_as_hex():
    config = SerialSourceConfig.from_dict(entry(usb={"vid": 0x1A86, "pid": 29987}))
    assert config.usb == UsbMatch(0x1A86, 0x7523)
    assert config.to_dict()["usb"] == {"vid": "1A86", "pid": "7523"}
    assert str(config.usb) == "1A86:7523"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (entry(protocol="modbus"), "'protocol' must be one of jsonl, emontx, pzem"),
        (entry(name=" "), "'name' is required"),
        (entry(device_id=None), "'device_id' is required"),
        (entry(port=""), "'port' is required"),
        (entry(baudrate="fast"), "'baudrate' must be a whole number"),
        (entry(baudrate=True), "'baudrate' must be a whole number"),
        (entry(poll_interval_s=0), "'poll_interval_s' must be more than 0"),
        (entry(poll_interval_s=float("nan")), "'poll_interval_s' must be a number"),
        (entry(channels={}), "at least one of the meter addresses"),
        (entry(channels={"248": PORT_A}), "channel '248': a Modbus meter address is 1 to 247"),
        (entry(channels={"0": PORT_A}), "a Modbus meter address is 1 to 247"),
        (entry(protocol="emontx", channels={"P13": PORT_A}), "emonTx channels are P1 to P12"),
        (entry(protocol="emontx", channels={"I1": PORT_A}), "emonTx channels are P1 to P12"),
        (entry(protocol="jsonl"), "each line carries its portId"),
        (entry(channels={"1": PORT_A, "2": PORT_A}), "two channels to the same port"),
        (entry(channels={"1": ""}), "channel 1: the port id must be a non-empty string"),
        (entry(channels=[PORT_A]), "'channels' must be an object"),
        (entry(usb={"vid": "xyz", "pid": 1}), "'usb.vid' must be a hex number"),
        (entry(usb={"vid": 1, "pid": 0x10000}), "'usb.pid' must be a 16-bit number"),
        (entry(usb="1A86:7523"), "'usb' must be an object"),
        (entry(enabled="yes"), "'enabled' must be true or false"),
        (entry(colour="red"), "unknown setting(s) 'colour'"),
    ],
)
def test_invalid_entries_name_the_source_and_the_field(data, message):
    with pytest.raises(SerialConfigError) as caught:
        SerialSourceConfig.from_dict(data)
    assert message in str(caught.value)
    assert str(caught.value).startswith("serial source")


def test_a_port_is_optional_when_the_adapter_is_matched_by_usb():
    config = SerialSourceConfig.from_dict(entry(port=None, usb={"vid": "0403", "pid": "6001"}))
    assert config.port == "" and config.usb == UsbMatch(0x0403, 0x6001)


def test_the_settings_list_is_checked_as_a_whole():
    second = entry(name="shelf", channels={"2": PORT_B})
    with pytest.raises(ConfigError, match="two enabled serial sources use the port /dev/ttyUSB0"):
        parse_source_configs([entry(), second])
    assert len(parse_source_configs([entry(), {**second, "enabled": False}])) == 2
    with pytest.raises(SerialConfigError, match="two serial sources are named 'DESK'"):
        parse_source_configs([entry(), entry(name="DESK", port="/dev/ttyUSB1")])
    with pytest.raises(SerialConfigError, match=r"^serial_sources\[1\]: serial source 'x'"):
        parse_source_configs([entry(), entry(name="x", protocol="?")])
