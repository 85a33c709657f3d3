"""Management commands for the command line, as JSON-able data: devices and tokens here.

Each command group registers its sub-parsers with `register`; every handler takes a
`CommandContext` and returns a dict or a list of dicts that the CLI prints (or prints as JSON).
Ports, accounts and alerts have their own modules; `register` adds them all.
"""

from __future__ import annotations

import argparse
import sys

from phantom_desktop import account_commands, alert_commands, port_commands
from phantom_desktop.cli_support import CommandContext, action, confirm, group, iso
from phantom_desktop.core.snippets import listen_url, snippets
from phantom_desktop.store import repository, summaries
from phantom_desktop.store.models import Device, DeviceToken

__all__ = ["CommandContext", "register"]


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


def token_dict(row: DeviceToken) -> dict:
    return {
        "id": row.id,
        "deviceId": row.device_id,
        "prefix": row.prefix,
        "state": "revoked" if row.revoked_at else "active",
        "createdAt": iso(row.created_at),
        "lastUsedAt": iso(row.last_used_at),
        "revokedAt": iso(row.revoked_at),
    }


def device_add(ctx: CommandContext) -> dict:
    return device_dict(repository.create_device(ctx.session, ctx.user_id, ctx.args.name))


def device_list(ctx: CommandContext) -> list[dict]:
    return [device_summary_dict(d) for d in summaries.device_summaries(ctx.session, ctx.user_id)]


def device_rename(ctx: CommandContext) -> dict:
    a = ctx.args
    return device_dict(repository.rename_device(ctx.session, ctx.user_id, a.device_id, a.name))


def device_delete(ctx: CommandContext) -> dict:
    a = ctx.args
    impact = repository.device_delete_impact(ctx.session, ctx.user_id, a.device_id)
    confirm(impact.describe(), a.yes)
    repository.delete_device(ctx.session, ctx.user_id, a.device_id)
    return {
        "id": impact.device_id,
        "name": impact.device_name,
        "deleted": True,
        "tokensDeleted": impact.tokens,
        "portsKept": list(impact.port_names),
        "readingsKept": impact.readings,
    }


def _new_token_result(ctx: CommandContext, token: str, row: DeviceToken) -> dict:
    """The token (shown this once), and on a terminal how to try it out."""
    result = {"token": token, "deviceId": row.device_id, "prefix": row.prefix, "tokenId": row.id}
    port = min(row.device.ports, key=lambda p: p.name, default=None)
    if port is not None and not ctx.args.json:
        url = listen_url(ctx.settings.http_host, ctx.settings.http_port)
        shown = snippets(token, port.id, url)
        print(
            f"Store the token now: it is not shown again. Try it on port {port.name!r}:\n"
            f"  {shown.phantom_sim}\n  {shown.curl}",
            file=sys.stderr,
        )
    return result


def token_create(ctx: CommandContext) -> dict:
    token, row = repository.create_token(ctx.session, ctx.user_id, ctx.args.device_id)
    return _new_token_result(ctx, token, row)


def token_rotate(ctx: CommandContext) -> dict:
    token, row = repository.rotate_token(ctx.session, ctx.user_id, ctx.args.device_id)
    return _new_token_result(ctx, token, row)


def token_revoke(ctx: CommandContext) -> dict:
    device_id = ctx.args.device_id
    revoked = repository.revoke_device_tokens(ctx.session, ctx.user_id, device_id)
    return {"deviceId": device_id, "revoked": revoked}


def token_list(ctx: CommandContext) -> list[dict]:
    rows = repository.list_tokens(ctx.session, ctx.user_id, ctx.args.device_id)
    return [token_dict(row) for row in rows]


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add every management command group to the CLI."""
    account_commands.register(sub, common)
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

    tokens = group(sub, "token", "manage device tokens")
    for name, help_text, handler in (
        ("create", "create a token (shown once)", token_create),
        ("rotate", "revoke the device's tokens and create a new one (shown once)", token_rotate),
        ("revoke", "revoke the device's tokens: it can no longer send readings", token_revoke),
        ("list", "list the device's tokens (prefix, created, last used)", token_list),
    ):
        action(tokens, name, common, help_text, handler).add_argument("device_id", metavar="ID")

    port_commands.register(sub, common)
    alert_commands.register(sub, common)
