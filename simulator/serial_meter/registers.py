"""Register images of the emulated Modbus meters, encoded as the real meters do.

Written independently of the app's decoders (the simulator never imports the app), so the
end-to-end tests check one implementation against the other.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from simulator.serial_meter.loads import Sample

SDM_SPAN = 0x0200  # registers an SDM answers for; the undefined ones read as 0


def _u32_low_first(value: int) -> tuple[int, int]:
    value = max(0, min(value, 0xFFFFFFFF))
    return value & 0xFFFF, value >> 16


def pzem_registers(sample: Sample, energy_wh: float, alarm_w: float | None = None) -> list[int]:
    """The PZEM-004T v3.0's 10 input registers from 0x0000."""
    current = _u32_low_first(round(sample.current * 1000))
    power = _u32_low_first(round(sample.power * 10))
    energy = _u32_low_first(round(energy_wh))
    alarm = 0xFFFF if alarm_w is not None and sample.power > alarm_w else 0
    return [
        min(round(sample.voltage * 10), 0xFFFF),
        *current,
        *power,
        *energy,
        min(round(sample.frequency * 10), 0xFFFF),
        min(round(sample.power_factor * 100), 100),
        alarm,
    ]


def pzem_values(registers: Sequence[int]) -> tuple[float, float, float]:
    """Voltage, current and power as a client decodes them (what the tests compare with)."""
    return (
        registers[0] / 10,
        (registers[2] << 16 | registers[1]) / 1000,
        (registers[4] << 16 | registers[3]) / 10,
    )


def float_registers(value: float) -> tuple[int, int]:
    """A big-endian IEEE-754 float as two registers, high word first."""
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return high, low


def float32(value: float) -> float:
    rounded: float = struct.unpack(">f", struct.pack(">f", value))[0]
    return rounded


def sdm_image(phases: Sequence[Sample], energy_wh: float) -> dict[int, int]:
    """An Eastron SDM's input registers: per-phase values, totals, frequency, energy.

    One phase makes an SDM120 (its values sit where the SDM630 keeps phase L1).
    """
    values: dict[int, float] = {}
    for i, s in enumerate(phases[:3]):
        apparent = s.voltage * s.current
        values[0x0000 + 2 * i] = s.voltage
        values[0x0006 + 2 * i] = s.current
        values[0x000C + 2 * i] = s.power
        values[0x0012 + 2 * i] = apparent
        values[0x0018 + 2 * i] = max(0.0, apparent**2 - s.power**2) ** 0.5
        values[0x001E + 2 * i] = s.power_factor
    values[0x0034] = sum(s.power for s in phases)
    values[0x0046] = phases[0].frequency
    values[0x0048] = energy_wh / 1000
    values[0x0156] = energy_wh / 1000
    image = dict.fromkeys(range(SDM_SPAN), 0)
    for address, value in values.items():
        image[address], image[address + 1] = float_registers(value)
    return image
