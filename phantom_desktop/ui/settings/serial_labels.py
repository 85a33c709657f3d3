"""How the window names serial protocols, source states and counters."""

from __future__ import annotations

import re

from phantom_desktop.ingest.serial.config import MODBUS_PROTOCOLS
from phantom_desktop.ingest.serial.status import SourceStatus

# In the order a protocol picker lists them: the common Modbus meters first.
PROTOCOL_NAMES = {
    "pzem": "PZEM-004T (Modbus)",
    "sdm120": "Eastron SDM120 (Modbus)",
    "sdm630": "Eastron SDM630, 3-phase (Modbus)",
    "emontx": "emonTx / emonPi (key:value lines)",
    "jsonl": "JSON lines (relay board, ESP32)",
}

SHORT_NAMES = {
    "pzem": "PZEM-004T",
    "sdm120": "SDM120",
    "sdm630": "SDM630",
    "emontx": "emonTx",
    "jsonl": "JSON lines",
}

STATE_NAMES = {
    "connecting": "Connecting…",
    "connected": "Connected",
    "reconnecting": "Reconnecting…",
    "error": "Error",
    "stopped": "Stopped",
}


def protocol_name(protocol: str) -> str:
    return PROTOCOL_NAMES.get(protocol, protocol)


def short_name(protocol: str) -> str:
    return SHORT_NAMES.get(protocol, protocol)


def is_modbus(protocol: str) -> bool:
    return protocol in MODBUS_PROTOCOLS


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# pyserial repeats itself: "cannot open X: [Errno 2] could not open port X: [Errno 2] No such…"
_NOISE = re.compile(r"\[Errno \d+\] |could not open port [^:]+: ")


def readable_reason(reason: str) -> str:
    """A source's reason without pyserial's errno tags and repeated "could not open port"."""
    return _NOISE.sub("", reason)


def counters_text(status: SourceStatus) -> str:
    """Readings per second and errors, the line a user watches."""
    return f"{status.readings_per_s:.1f} readings/s · {plural(status.errors, 'error')}"


def counters_tooltip(status: SourceStatus) -> str:
    """Every counter, for the curious: what the errors are made of."""
    return "\n".join(
        (
            f"Stored readings: {status.readings:,}",
            f"Refused by the database: {status.rejected:,}",
            f"Dropped (app busy or stopping): {status.dropped:,}",
            f"Unreadable data: {status.garbage:,}",
            f"CRC errors: {status.crc_errors:,}",
            f"Meter did not answer: {status.timeouts:,}",
            f"Connections lost: {status.reconnects:,}",
        )
    )
