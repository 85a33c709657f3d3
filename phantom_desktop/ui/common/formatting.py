"""How numbers and times read in the window's tables: units, sensible precision, local time."""

from __future__ import annotations

from datetime import datetime

MISSING = "—"


def volts(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.1f} V"


def amps(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.3f} A"


def watts(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.1f} W"


def threshold(value: float) -> str:
    return f"{value:g} W"


def local_time(ts: datetime | None, today: datetime | None = None) -> str:
    """Clock time for today, date and time otherwise, in the computer's time zone."""
    if ts is None:
        return MISSING
    local = ts.astimezone()
    today = (today or datetime.now()).astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")
