"""Management commands (devices, tokens, ports) for the command line, as JSON-able data.

Each command group registers its sub-parsers with `register`; every handler takes a
`CommandContext` and returns a dict or a list of dicts that the CLI prints (or prints as JSON).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from sqlalchemy.orm import Session

from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.store import repository
from phantom_desktop.store.models import Device, Port


@dataclass
class CommandContext:
    """What a management command works with: an open transaction as the acting user."""

    session: Session
    user_id: str
    args: argparse.Namespace
    paths: AppPaths
    settings: Settings


def device_dict(device: Device) -> dict:
    return {"id": device.id, "name": device.name, "createdAt": device.created_at.isoformat()}


def port_dict(port: Port) -> dict:
    return {
        "id": port.id,
        "name": port.name,
        "deviceId": port.device_id,
        "thresholdW": port.threshold_w,
        "minDurationS": port.min_duration_s,
        "autoCut": port.auto_cut,
        "status": port.status,
    }


def device_add(ctx: CommandContext) -> dict:
    return device_dict(repository.create_device(ctx.session, ctx.user_id, ctx.args.name))


def device_list(ctx: CommandContext) -> list[dict]:
    return [device_dict(d) for d in repository.list_devices(ctx.session, ctx.user_id)]


def token_create(ctx: CommandContext) -> dict:
    token, row = repository.create_token(ctx.session, ctx.user_id, ctx.args.device_id)
    return {"token": token, "deviceId": row.device_id, "prefix": row.prefix}


def port_add(ctx: CommandContext) -> dict:
    a = ctx.args
    port = repository.create_port(
        ctx.session, ctx.user_id, a.name, a.device_id, a.threshold, a.min_duration, a.auto_cut
    )
    return port_dict(port)


def port_list(ctx: CommandContext) -> list[dict]:
    return [port_dict(p) for p in repository.list_ports(ctx.session, ctx.user_id)]


def _group(sub, name: str, help_text: str):
    return sub.add_parser(name, help=help_text).add_subparsers(
        dest="action", metavar="ACTION", required=True
    )


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the device, token and port command groups to the CLI."""
    device = _group(sub, "device", "manage devices")
    add = device.add_parser("add", parents=[common], help="add a device")
    add.add_argument("name")
    add.set_defaults(handler=device_add)
    device.add_parser("list", parents=[common], help="list devices").set_defaults(
        handler=device_list
    )

    token = _group(sub, "token", "manage device tokens")
    create = token.add_parser("create", parents=[common], help="create a token (shown once)")
    create.add_argument("device_id")
    create.set_defaults(handler=token_create)

    port = _group(sub, "port", "manage ports")
    add = port.add_parser("add", parents=[common], help="add a port")
    add.add_argument("name")
    add.add_argument("--device", dest="device_id", help="id of the device that feeds this port")
    add.add_argument(
        "--threshold", type=float, required=True, metavar="W", help="standby threshold in watts"
    )
    add.add_argument(
        "--min-duration",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds of standby before an alert (default 30; 0 = first reading)",
    )
    add.add_argument(
        "--no-auto-cut",
        dest="auto_cut",
        action="store_false",
        help="only report phantom power, never turn this port off (fridge, router)",
    )
    add.set_defaults(handler=port_add)
    port.add_parser("list", parents=[common], help="list ports").set_defaults(handler=port_list)
