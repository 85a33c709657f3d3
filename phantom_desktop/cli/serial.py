"""`serial` commands: add, list and remove the serial meters read by the window and `serve`.

They edit `serial_sources` in the settings file (and nothing else in it); a running window or
`serve` picks the change up when it next starts, while the window's Settings dialog applies
its own changes at once.
"""

from __future__ import annotations

import argparse
import sys

from phantom_desktop.cli.support import CommandContext, action, group
from phantom_desktop.config import file_settings, update_settings_file
from phantom_desktop.ingest.serial.config import (
    PROTOCOLS,
    SerialConfigError,
    SerialSourceConfig,
)
from phantom_desktop.ingest.serial.discovery import available_ports
from phantom_desktop.ingest.serial.source_list import with_source, without_source
from phantom_desktop.store.repository import InvalidInput
from phantom_desktop.store.serial_choices import check_owned

APPLIES_LATER = (
    "Saved in {file}. A window or `serve` that is running reads it when it next starts "
    "(the window's Settings dialog applies changes at once)."
)

FLAGS = {
    "port": "--path",
    "usb": "--usb",
    "baudrate": "--baud",
    "device_id": "--device",
    "channels": "--map",
    "poll_interval_s": "--poll",
}


def source_dict(config: SerialSourceConfig) -> dict:
    return {
        "name": config.name,
        "port": config.port,
        "usb": str(config.usb) if config.usb else None,
        "protocol": config.protocol,
        "baudrate": config.baudrate,
        "deviceId": config.device_id,
        "channels": dict(config.channels),
        "pollIntervalS": config.poll_interval_s,
        "enabled": config.enabled,
    }


def entry_dict(entry: object) -> dict:
    """A stored entry as `serial list` shows it; an invalid one with the reason."""
    try:
        return source_dict(SerialSourceConfig.from_dict(entry))
    except SerialConfigError as exc:
        name = entry.get("name") if isinstance(entry, dict) else None
        return {"name": name, "error": str(exc)}


def in_flags(message: str) -> str:
    """A settings error in the words of `serial add`'s options ('baudrate' → --baud)."""
    for key, flag in FLAGS.items():
        message = message.replace(f"'{key}'", flag)
    return message


def parse_map(items: list[str]) -> dict[str, str]:
    """`--map P1=<port id> 2=<port id>` as a channel → port id dict."""
    channels: dict[str, str] = {}
    for item in items:
        channel, sep, port_id = item.partition("=")
        if not sep or not channel.strip() or not port_id.strip():
            raise InvalidInput(
                f"--map {item!r}: write CHANNEL=PORT_ID, e.g. P1=<port id> (emonTx) or "
                "1=<port id> (Modbus meter address)"
            )
        if channel.strip() in channels:
            raise InvalidInput(f"--map: channel {channel.strip()} is given twice")
        channels[channel.strip()] = port_id.strip()
    return channels


def parse_usb(text: str) -> dict[str, str]:
    """`--usb VID:PID[:SERIAL]` (hex, as `serial ports` shows them) as a `usb` setting."""
    vid, _, rest = text.partition(":")
    pid, _, serial_number = rest.partition(":")
    if not vid or not pid:
        raise InvalidInput(f"--usb {text!r}: write VID:PID or VID:PID:SERIAL, e.g. 10C4:EA60")
    usb = {"vid": vid, "pid": pid}
    if serial_number:
        usb["serial_number"] = serial_number
    return usb


def serial_add(ctx: CommandContext) -> dict:
    a = ctx.args
    data: dict = {
        "name": a.name,
        "port": a.path or "",
        "protocol": a.protocol,
        "device_id": a.device,
        "channels": parse_map(a.map),
    }
    if a.usb:
        data["usb"] = parse_usb(a.usb)
    if a.baud is not None:
        data["baudrate"] = a.baud
    if a.poll is not None:
        data["poll_interval_s"] = a.poll
    try:
        config = SerialSourceConfig.from_dict(data)
    except SerialConfigError as exc:
        raise InvalidInput(in_flags(str(exc))) from None
    check_owned(ctx.session, ctx.user, config.device_id, config.channels)
    sources = with_source(file_settings(ctx.paths).serial_sources, config)
    update_settings_file(ctx.paths, serial_sources=sources)
    _say_applies_later(ctx)
    return source_dict(config)


def serial_list(ctx: CommandContext) -> list[dict]:
    return [entry_dict(entry) for entry in file_settings(ctx.paths).serial_sources]


def serial_remove(ctx: CommandContext) -> dict:
    sources, removed = without_source(file_settings(ctx.paths).serial_sources, ctx.args.name)
    update_settings_file(ctx.paths, serial_sources=sources)
    _say_applies_later(ctx)
    return {**entry_dict(removed), "removed": True}


def serial_ports(_ctx: CommandContext) -> list[dict]:
    return [
        {"port": p.device, "description": p.description, "usb": str(p.usb) if p.usb else None}
        for p in available_ports()
    ]


def _say_applies_later(ctx: CommandContext) -> None:
    if not ctx.args.json:
        print(APPLIES_LATER.format(file=ctx.paths.settings_file), file=sys.stderr)


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `serial` command group to the CLI."""
    serial = group(sub, "serial", "manage serial-attached meters (read by the window and serve)")
    add = action(serial, "add", common, "add a serial meter", serial_add)
    add.add_argument("name", help="a name for this meter, e.g. 'Kitchen PZEM'")
    add.add_argument(
        "--path",
        metavar="PATH|URL",
        help="device path (/dev/ttyUSB0, COM3, /dev/pts/5) or pyserial URL (socket://host:port);"
        " optional with --usb",
    )
    add.add_argument(
        "--usb",
        metavar="VID:PID[:SERIAL]",
        help="find the USB adapter by its identity wherever the OS puts it (see `serial ports`)",
    )
    add.add_argument("--protocol", required=True, choices=PROTOCOLS, help="what the meter speaks")
    add.add_argument(
        "--device", required=True, metavar="DEVICE_ID", help="the device the meter belongs to"
    )
    add.add_argument("--baud", type=int, metavar="N", help="baud rate (default: the protocol's)")
    add.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="CHANNEL=PORT_ID",
        help="the port an emonTx channel (P1..P12) or Modbus meter address (1..247) measures;"
        " once per channel",
    )
    add.add_argument(
        "--poll", type=float, metavar="S", help="Modbus: seconds between polls (default 1)"
    )
    action(serial, "list", common, "list the configured serial meters", serial_list).set_defaults(
        acts_as_user=False
    )
    remove = action(serial, "remove", common, "remove a serial meter", serial_remove)
    remove.add_argument("name")
    remove.set_defaults(acts_as_user=False)
    action(
        serial, "ports", common, "list the serial ports this computer has", serial_ports
    ).set_defaults(acts_as_user=False)
