"""Editing the list of serial sources in the settings: add, remove, and the checks between
entries (names, serial ports, mapped ports). Shared by `phantom-desktop serial …` and the
window's Settings dialog; no Qt and no database here (`store.serial_choices` checks ownership).
"""

from __future__ import annotations

from typing import Any

from phantom_desktop.ingest.serial.config import (
    SerialConfigError,
    SerialSourceConfig,
    parse_source_configs,
)
from phantom_desktop.store.repository import InvalidInput, NotFound


def same_name(entry: object, name: str) -> bool:
    """Source names are compared ignoring case, as `parse_source_configs` does."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and entry["name"].strip().casefold() == name.strip().casefold()
    )


def measured_twice(config: SerialSourceConfig, others: list[Any]) -> str | None:
    """Why `config` may not map a port another enabled source already maps, or None.

    Two meters on one port would interleave their readings on its plot and in its detection.
    """
    if not config.enabled:
        return None
    for entry in others:
        try:
            other = SerialSourceConfig.from_dict(entry)
        except SerialConfigError:
            continue
        shared = config.port_ids & other.port_ids if other.enabled else frozenset()
        if shared:
            channel = next(k for k, port_id in config.channels.items() if port_id in shared)
            return f"channel {channel}: that port is already measured by {other.name!r}"
    return None


def with_source(sources: list[Any], config: SerialSourceConfig) -> list[dict[str, Any]]:
    """`sources` with `config` added at the end; InvalidInput if its name, serial port or
    one of its mapped ports is taken."""
    if any(same_name(entry, config.name) for entry in sources):
        raise InvalidInput(
            f"a serial source named {config.name!r} exists: remove it first "
            "(`phantom-desktop serial remove NAME`) or choose another name"
        )
    updated = [*sources, config.to_dict()]
    try:
        parse_source_configs(updated)
    except SerialConfigError as exc:
        raise InvalidInput(str(exc)) from None
    taken = measured_twice(config, sources)
    if taken:
        raise InvalidInput(taken)
    return updated


def without_source(sources: list[Any], name: str) -> tuple[list[Any], Any]:
    """`sources` without the entry named `name` (valid or not), and that entry."""
    for position, entry in enumerate(sources):
        if same_name(entry, name):
            return sources[:position] + sources[position + 1 :], entry
    raise NotFound(f"no serial source named {name!r}: `phantom-desktop serial list` shows them")
