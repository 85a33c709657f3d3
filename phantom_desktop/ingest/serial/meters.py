"""Register maps and decoding of the supported Modbus meters (pure: registers in, values out).

PZEM-004T v3.0: 10 input registers from 0x0000 — voltage 0.1 V; current 0.001 A and power
0.1 W as 32-bit values, low word first; energy Wh (32-bit, low word first); frequency 0.1 Hz;
power factor 0.01; alarm (0xFFFF when the power alarm is on).

Eastron SDM120 / SDM630: input registers hold big-endian IEEE-754 floats in register pairs.
SDM120: voltage 0x0000, current 0x0006, active power 0x000C, each read on its own as the
manual documents (the registers between are undefined on that model). SDM630: one block of
per-phase values from 0x0000 (voltage L1–L3, current L1–L3, active power L1–L3); the reading
is the meter's sum of power and current and the mean voltage of the live phases.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from phantom_desktop.core.readings import ReadingValues, parse_reading

Blocks = Mapping[int, Sequence[int]]  # start register -> the registers read from there


@dataclass(frozen=True, slots=True)
class Measurement:
    """What a meter reported. Extras (energy, frequency, power factor) are NaN when unknown."""

    voltage_v: float
    current_a: float
    power_w: float
    energy_wh: float = math.nan
    frequency_hz: float = math.nan
    power_factor: float = math.nan
    alarm: bool = False

    def reading(self, port_id: str, now: datetime) -> ReadingValues:
        """Validate as any reading (finite, in range); ReadingError otherwise.

        Signed power (a meter wired the other way round) is stored as its magnitude.
        """
        body = {
            "portId": port_id,
            "voltage": self.voltage_v,
            "current": abs(self.current_a),
            "power": abs(self.power_w),
        }
        return parse_reading(body, now)


@dataclass(frozen=True, slots=True)
class MeterModel:
    """The register blocks to read each poll, and how to turn them into a Measurement."""

    name: str
    blocks: tuple[tuple[int, int], ...]  # (start register, count)
    decode: Callable[[Blocks], Measurement]


def _u32_low_first(low: int, high: int) -> int:
    return (high << 16) | low


def decode_pzem(blocks: Blocks) -> Measurement:
    r = _block(blocks, 0x0000, 10)
    return Measurement(
        voltage_v=r[0] / 10,
        current_a=_u32_low_first(r[1], r[2]) / 1000,
        power_w=_u32_low_first(r[3], r[4]) / 10,
        energy_wh=float(_u32_low_first(r[5], r[6])),
        frequency_hz=r[7] / 10,
        power_factor=r[8] / 100,
        alarm=r[9] == 0xFFFF,
    )


def register_float(high: int, low: int) -> float:
    """A big-endian IEEE-754 float held in two registers, high word first."""
    value: float = struct.unpack(">f", struct.pack(">HH", high, low))[0]
    return value


def decode_sdm120(blocks: Blocks) -> Measurement:
    voltage = _block(blocks, 0x0000, 2)
    current = _block(blocks, 0x0006, 2)
    power = _block(blocks, 0x000C, 2)
    return Measurement(register_float(*voltage), register_float(*current), register_float(*power))


def decode_sdm630(blocks: Blocks) -> Measurement:
    r = _block(blocks, 0x0000, 18)
    values = [register_float(r[i], r[i + 1]) for i in range(0, 18, 2)]
    voltages, currents, powers = values[0:3], values[3:6], values[6:9]
    live = [v for v in voltages if v > 1.0]
    voltage = sum(live) / len(live) if live else max(voltages)
    return Measurement(voltage, sum(abs(c) for c in currents), sum(powers))


def _block(blocks: Blocks, start: int, count: int) -> Sequence[int]:
    registers = blocks.get(start)
    if registers is None or len(registers) != count:
        raise ValueError(f"expected {count} registers from 0x{start:04X}")
    if any(not 0 <= r <= 0xFFFF for r in registers):
        raise ValueError("a register value is not 16-bit")
    return registers


METER_MODELS: dict[str, MeterModel] = {
    "pzem": MeterModel("PZEM-004T v3.0", ((0x0000, 10),), decode_pzem),
    "sdm120": MeterModel("Eastron SDM120", ((0x0000, 2), (0x0006, 2), (0x000C, 2)), decode_sdm120),
    "sdm630": MeterModel("Eastron SDM630", ((0x0000, 18),), decode_sdm630),
}
