"""Times a user types: ISO 8601 or a span relative to now ("-7d", "-12h", "-30m", "now")."""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RELATIVE = re.compile(r"^\s*-\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class TimeSpecError(ValueError):
    """Not a time we understand; the message shows what is."""


def parse_time(text: str, now: datetime, zone: tzinfo) -> datetime:
    """An aware UTC datetime. Naive ISO times are read in `zone` (the user's local time)."""
    text = text.strip()
    if text.lower() == "now":
        return now.astimezone(UTC)
    match = _RELATIVE.match(text)
    if match:
        seconds = float(match[1]) * _UNITS[match[2].lower()]
        return (now - timedelta(seconds=seconds)).astimezone(UTC)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise TimeSpecError(
            f"{text!r} is not a time: use ISO 8601 (2026-11-30 or 2026-11-30T18:00) "
            "or a span before now such as -7d, -12h, -30m"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def local_zone() -> tzinfo:
    """The user's time zone with its DST rules (TZ, then /etc/localtime), else a fixed offset."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            names.append(target.split("zoneinfo/", 1)[1])
    for name in names:
        if name:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(name)
    return datetime.now().astimezone().tzinfo or UTC


def zone_named(name: str) -> tzinfo:
    """A zone from the settings ("" or "local": the system's)."""
    if not name or name == "local":
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeSpecError(f"unknown time zone {name!r}: use a name like Europe/Berlin") from None
