"""Key:value lines as emonTx4 / emonPi2 firmware prints them on its serial port.

`MSG:12,Vrms:239.8,P1:102,P2:3,E1:250,E2:9,pulse:0` — `Vrms` (or `V1` on three-phase firmware)
is the voltage, `Pn` the real power of CT channel n, `In` its current when the firmware prints
it; otherwise the current is estimated as |P|/V. The firmware reports signed power (negative
when a CT faces the other way); the pipeline stores magnitudes, which is what standby
detection needs. Lines without a leading `MSG` key (`describe:…`, the start-up banner,
configuration echoes) carry no readings and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from phantom_desktop.core.readings import ReadingError, ReadingValues, parse_reading
from phantom_desktop.ingest.serial.lines import BadLine

_VOLTAGE_KEYS = ("VRMS", "V1", "V")


def parse_emontx_line(
    line: bytes, channels: Mapping[str, str], now: datetime
) -> list[ReadingValues] | None:
    """Readings of the mapped channels (`{"P1": port_id}`), or None for a line to skip.

    BadLine for a data line that cannot be used or for bytes that are not printable text.
    """
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        raise BadLine("not ASCII text") from None
    if not text.isprintable():
        raise BadLine("control characters in the line")
    fields = _fields(text)
    if fields is None:
        return None
    voltage = next((fields[key] for key in _VOLTAGE_KEYS if key in fields), None)
    if voltage is None:
        raise BadLine("no Vrms in the line")
    readings = []
    for channel, port_id in channels.items():
        power = fields.get(channel.upper())
        if power is None:
            continue
        current = fields.get("I" + channel[1:])
        if current is None:
            current = abs(power) / voltage if voltage > 0 else 0.0
        body = {"portId": port_id, "voltage": voltage, "current": abs(current), "power": abs(power)}
        try:
            readings.append(parse_reading(body, now))
        except ReadingError as exc:
            raise BadLine(f"{channel}: {exc}") from None
    if not readings:
        raise BadLine(f"none of the channels {', '.join(channels)} in the line")
    return readings


def _fields(text: str) -> dict[str, float] | None:
    """Upper-cased keys to numbers; None when the line is not a data line."""
    items = [item.partition(":") for item in text.strip().split(",")]
    if not items or items[0][0].strip().upper() != "MSG" or not items[0][1]:
        return None
    fields: dict[str, float] = {}
    for key, colon, value in items:
        key = key.strip().upper()
        if not colon or not key:
            raise BadLine(f"{key or 'an item'} has no value")
        try:
            fields[key] = float(value)
        except ValueError:
            raise BadLine(f"{key} is not a number") from None
    return fields
