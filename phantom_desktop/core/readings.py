"""Validation of one power reading as devices send it (the HTTP/JSON contract)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from phantom_desktop.core.text_checks import text_problem

MAX_VOLTAGE_V = 1000.0
MAX_CURRENT_A = 1000.0
MAX_POWER_W = 1_000_000.0
# Buffered readings may be old, but not from before the epoch of cheap meters nor from the future.
MAX_FUTURE_SKEW = timedelta(minutes=5)
OLDEST_TIMESTAMP = datetime(2000, 1, 1, tzinfo=UTC)
MAX_PORT_ID_LENGTH = 64
MAX_TIMESTAMP_LENGTH = 64


class ReadingError(ValueError):
    """A reading field is missing or invalid; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ReadingValues:
    """One validated measurement for one port. `timestamp` is aware UTC."""

    port_id: str
    voltage: float
    current: float
    power: float
    timestamp: datetime


def _number(body: dict[str, Any], field: str, maximum: float) -> float:
    value = body.get(field)
    if type(value) is float and 0.0 <= value <= maximum:  # the usual case (NaN fails it)
        return value
    if value is None:
        raise ReadingError(field, f"'{field}' is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReadingError(field, f"'{field}' must be a number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise ReadingError(field, f"'{field}' must be at most {maximum:g}") from None
    if not math.isfinite(value):
        raise ReadingError(field, f"'{field}' must be a finite number")
    if value < 0:
        raise ReadingError(field, f"'{field}' must not be negative")
    if value > maximum:
        raise ReadingError(field, f"'{field}' must be at most {maximum:g}")
    return value


def parse_timestamp(value: object, now: datetime) -> datetime:
    """Parse an ISO 8601 string or epoch seconds into aware UTC; naive ISO means UTC."""
    if isinstance(value, bool):
        raise ReadingError("timestamp", "'timestamp' must be ISO 8601 or epoch seconds")
    if isinstance(value, (int, float)):
        try:
            seconds = float(value)
        except OverflowError:
            raise ReadingError("timestamp", "'timestamp' is out of range") from None
        if not math.isfinite(seconds):
            raise ReadingError("timestamp", "'timestamp' must be a finite number")
        try:
            ts = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ReadingError("timestamp", "'timestamp' is out of range") from exc
    elif isinstance(value, str):
        if len(value) > MAX_TIMESTAMP_LENGTH:
            raise ReadingError("timestamp", "'timestamp' must be ISO 8601 or epoch seconds")
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ReadingError(
                "timestamp", "'timestamp' must be ISO 8601 or epoch seconds"
            ) from exc
        ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    else:
        raise ReadingError("timestamp", "'timestamp' must be ISO 8601 or epoch seconds")
    if ts < OLDEST_TIMESTAMP:
        raise ReadingError("timestamp", "'timestamp' is before 2000-01-01")
    if ts > now + MAX_FUTURE_SKEW:
        raise ReadingError("timestamp", "'timestamp' is in the future")
    return ts


def parse_port_id(body: dict[str, Any]) -> str:
    """Return the port id as a non-empty string of valid text and sensible length."""
    port_id = body.get("portId")
    if port_id is None:
        raise ReadingError("portId", "'portId' is required")
    if isinstance(port_id, bool) or not isinstance(port_id, (str, int)):
        raise ReadingError("portId", "'portId' must be a string")
    if isinstance(port_id, int) and abs(port_id) >= 10**MAX_PORT_ID_LENGTH:
        raise ReadingError("portId", f"'portId' must be at most {MAX_PORT_ID_LENGTH} characters")
    port_id = str(port_id).strip()
    problem = text_problem(port_id, MAX_PORT_ID_LENGTH)
    if problem is not None:
        raise ReadingError("portId", f"'portId' {problem}")
    return port_id


def parse_reading(body: object, now: datetime | None = None) -> ReadingValues:
    """Validate one reading object; raise ReadingError naming the first bad field."""
    if not isinstance(body, dict):
        raise ReadingError("body", "a reading must be a JSON object")
    now = now or datetime.now(UTC)
    port_id = parse_port_id(body)
    voltage = _number(body, "voltage", MAX_VOLTAGE_V)
    current = _number(body, "current", MAX_CURRENT_A)
    power = _number(body, "power", MAX_POWER_W)
    raw_ts = body.get("timestamp")
    timestamp = now if raw_ts is None else parse_timestamp(raw_ts, now)
    return ReadingValues(port_id, voltage, current, power, timestamp)


def format_timestamp(ts: datetime) -> str:
    """Render aware or naive-UTC time as the contract's `2024-01-01T12:00:00.000Z`."""
    if ts.tzinfo is UTC:
        ts = ts.replace(tzinfo=None)
    elif ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts.isoformat(timespec="milliseconds") + "Z"
