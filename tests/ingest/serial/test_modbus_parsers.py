"""Modbus-RTU requests and replies, and PZEM/SDM register decoding: examples and properties."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phantom_desktop.core.readings import ReadingError
from phantom_desktop.ingest.serial.meters import METER_MODELS, Measurement, register_float
from phantom_desktop.ingest.serial.modbus_rtu import Reply, RtuClient, Scan, reply_size
from simulator.serial_meter.modbus_slave import ModbusSlaves

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
client = RtuClient()

# PZEM-004T v3.0 manual: read request, and a reply of 220.0 V, 1.000 A, 220.0 W, 50.0 Hz, PF 1.
PZEM_REQUEST = bytes.fromhex("01040000000a700d")
PZEM_REGISTERS = (0x0898, 0x03E8, 0, 0x0898, 0, 0, 0, 0x01F4, 0x0064, 0)


def reply_frame(address: int, registers: list[int] | tuple[int, ...]) -> bytes:
    """A correct reply, built by the emulator's slave side."""
    image = dict(enumerate(registers))
    return ModbusSlaves(lambda a: image if a == address else None).receive(
        client.read_input_registers(address, 0, len(registers)), 0.0
    )


def test_request_frame_matches_the_pzem_manual():
    assert client.read_input_registers(1, 0x0000, 10) == PZEM_REQUEST


def test_pzem_reply_decodes_to_the_manual_values():
    frame = reply_frame(1, PZEM_REGISTERS)
    assert frame[:3] == bytes.fromhex("010414") and len(frame) == reply_size(10)
    scan = client.scan_reply(frame, 1, 10)
    assert scan == Scan(Reply(PZEM_REGISTERS), 0)
    m = METER_MODELS["pzem"].decode({0: scan.reply.registers})
    assert (m.voltage_v, m.current_a, m.power_w, m.frequency_hz, m.power_factor) == (
        220.0,
        1.0,
        220.0,
        50.0,
        1.0,
    )


def test_pzem_32_bit_values_are_low_word_first():
    registers = [2301, 0x5678, 0x0001, 0x86A0, 0x0001, 0x0002, 0x0000, 499, 35, 0xFFFF]
    m = METER_MODELS["pzem"].decode({0: registers})
    assert m.current_a == 0x15678 / 1000
    assert m.power_w == 0x186A0 / 10
    assert m.energy_wh == 2 and m.alarm


def test_sdm_floats_are_big_endian_register_pairs():
    high, low = struct.unpack(">HH", struct.pack(">f", 229.5))
    assert register_float(high, low) == 229.5
    f = {v: struct.unpack(">HH", struct.pack(">f", v)) for v in (230.0, 0.5, 100.0, -4.0)}
    sdm120 = METER_MODELS["sdm120"].decode({0: f[230.0], 6: f[0.5], 12: f[100.0]})
    assert (sdm120.voltage_v, sdm120.current_a, sdm120.power_w) == (230.0, 0.5, 100.0)
    phases = [*f[230.0], *f[230.0], 0, 0, *f[0.5], *f[0.5], 0, 0, *f[100.0], *f[-4.0], 0, 0]
    sdm630 = METER_MODELS["sdm630"].decode({0: phases})
    assert (sdm630.voltage_v, sdm630.current_a, sdm630.power_w) == (230.0, 1.0, 96.0)


def test_exception_replies_echoed_requests_and_bad_crc():
    exception = ModbusSlaves(lambda a: {0: 1}).receive(client.read_input_registers(3, 0, 5), 0)
    assert client.scan_reply(exception, 3, 5).reply == Reply(exception_code=2)
    good = reply_frame(1, PZEM_REGISTERS)
    assert client.scan_reply(PZEM_REQUEST + good, 1, 10).reply == Reply(PZEM_REGISTERS)
    bad = good[:-1] + bytes([good[-1] ^ 1])
    assert client.scan_reply(bad, 1, 10) == Scan(None, 1)
    assert client.scan_reply(good, 2, 10).reply is None  # another meter's reply


def test_measurements_become_readings_with_magnitudes():
    reading = Measurement(230.0, -0.4, -92.0).reading("p", NOW)
    assert (reading.voltage, reading.current, reading.power) == (230.0, 0.4, 92.0)
    with pytest.raises(ReadingError, match="voltage"):
        Measurement(math.nan, 0, 0).reading("p", NOW)


# -- properties ------------------------------------------------------------------------------
registers = st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=40)


@given(st.binary(max_size=400), st.integers(1, 247), st.integers(1, 125))
def test_scanning_any_bytes_never_raises(data, address, count):
    scan = client.scan_reply(data, address, count)
    assert scan.bad_frames >= 0
    if scan.reply is not None and scan.reply.exception_code is None:
        assert len(scan.reply.registers) == count


@given(st.binary(max_size=300), st.integers(1, 247), registers, st.binary(max_size=300))
def test_a_reply_in_garbage_is_still_found(before, address, values, after):
    frame = reply_frame(address, values)
    scan = client.scan_reply(before + frame + after, address, len(values))
    assert scan.reply == Reply(tuple(values))


@given(st.integers(1, 247), registers, st.data())
def test_a_truncated_reply_is_never_taken_for_one(address, values, data):
    frame = reply_frame(address, values)
    keep = data.draw(st.integers(0, len(frame) - 1))
    assert client.scan_reply(frame[:keep], address, len(values)).reply is None


@given(st.sampled_from(sorted(METER_MODELS)), st.data())
def test_any_register_values_decode_or_are_rejected_as_readings(name, data):
    model = METER_MODELS[name]
    blocks = {
        start: data.draw(st.lists(st.integers(0, 0xFFFF), min_size=count, max_size=count))
        for start, count in model.blocks
    }
    measurement = model.decode(blocks)
    try:
        reading = measurement.reading("p", NOW)
    except ReadingError:
        return
    assert reading.power >= 0 and reading.current >= 0


@given(st.binary(max_size=400))
def test_the_emulated_slave_survives_any_bytes(data):
    slaves = ModbusSlaves(lambda a: dict(enumerate(range(10))) if a == 1 else None)
    slaves.receive(data, 0.0)
    assert client.scan_reply(slaves.receive(PZEM_REQUEST, 1.0), 1, 10).reply is not None
