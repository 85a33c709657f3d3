"""`device` commands: add, list, rename, delete."""

from __future__ import annotations

import argparse

from phantom_desktop.cli.support import CommandContext, action, confirm, group, iso
from phantom_desktop.store import repository, summaries
from phantom_desktop.store.models import Device


def device_dict(device: Device) -> dict:
    return {"id": device.id, "name": device.name, "createdAt": iso(device.created_at)}


def device_summary_dict(row: summaries.DeviceSummary) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "createdAt": iso(row.created_at),
        "ports": row.port_count,
        "lastReadingAt": iso(row.last_reading_at),
        "tokenState": row.token_state,
        "tokenPrefix": row.token_prefix,
    }


def device_add(ctx: CommandContext) -> dict:
    return device_dict(repository.create_device(ctx.session, ctx.user, ctx.args.name))


def device_list(ctx: CommandContext) -> list[dict]:
    return [device_summary_dict(d) for d in summaries.device_summaries(ctx.session, ctx.user)]


def device_rename(ctx: CommandContext) -> dict:
    a = ctx.args
    return device_dict(repository.rename_device(ctx.session, ctx.user, a.device_id, a.name))


def device_delete(ctx: CommandContext) -> dict:
    a = ctx.args
    impact = repository.device_delete_impact(ctx.session, ctx.user, a.device_id)
    confirm(impact.describe(), a.yes)
    repository.delete_device(ctx.session, ctx.user, a.device_id)
    return {
        "id": impact.device_id,
        "name": impact.device_name,
        "deleted": True,
        "tokensDeleted": impact.tokens,
        "portsKept": list(impact.port_names),
        "readingsKept": impact.readings,
    }


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `device` command group."""
    devices = group(sub, "device", "manage devices")
    action(devices, "add", common, "add a device", device_add).add_argument("name")
    action(devices, "list", common, "list devices with ports and token state", device_list)
    rename = action(devices, "rename", common, "rename a device", device_rename)
    rename.add_argument("device_id", metavar="ID")
    rename.add_argument("name")
    delete = action(
        devices,
        "delete",
        common,
        "delete a device and its tokens; its ports and readings are kept, detached",
        device_delete,
    )
    delete.add_argument("device_id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
