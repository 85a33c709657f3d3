"""Read many devices from a JSON file: `[{"token": ..., "portId": ..., "profile": ...}, ...]`."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.device import DeviceSpec


class DevicesFileError(ValueError):
    """The devices file cannot be read or an entry is invalid; the message says where."""


def load_devices_file(path: Path) -> list[DeviceSpec]:
    """Parse the file; `profile` defaults to "tv" and an optional `label` names the device."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DevicesFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DevicesFileError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise DevicesFileError(f"{path}: expected a non-empty JSON list of devices")
    return [_entry(path, index, entry) for index, entry in enumerate(entries)]


def _entry(path: Path, index: int, entry: object) -> DeviceSpec:
    where = f"{path}: entry {index}"
    if not isinstance(entry, dict):
        raise DevicesFileError(f"{where}: expected an object with 'token' and 'portId'")
    fields = {
        "token": entry.get("token"),
        "portId": entry.get("portId"),
        "profile": entry.get("profile", "tv"),
        "label": entry.get("label", ""),
    }
    for name, value in fields.items():
        if value is None:
            raise DevicesFileError(f"{where}: '{name}' is required")
        if not isinstance(value, str):
            raise DevicesFileError(f"{where}: '{name}' must be a string")
    try:
        return DeviceSpec(fields["token"], fields["portId"], fields["profile"], fields["label"])
    except ValueError as exc:
        raise DevicesFileError(f"{where}: {exc}") from exc
