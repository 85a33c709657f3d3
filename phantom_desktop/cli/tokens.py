"""`token` commands: create, rotate, revoke and list a device's tokens."""

from __future__ import annotations

import argparse
import sys

from phantom_desktop.cli.support import CommandContext, action, group, iso
from phantom_desktop.core.enums import TokenState
from phantom_desktop.core.snippets import listen_url, snippets
from phantom_desktop.store import repository
from phantom_desktop.store.models import DeviceToken


def token_dict(row: DeviceToken) -> dict:
    return {
        "id": row.id,
        "deviceId": row.device_id,
        "prefix": row.prefix,
        "state": TokenState.REVOKED if row.revoked_at else TokenState.ACTIVE,
        "createdAt": iso(row.created_at),
        "lastUsedAt": iso(row.last_used_at),
        "revokedAt": iso(row.revoked_at),
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
    token, row = repository.create_token(ctx.session, ctx.user, ctx.args.device_id)
    return _new_token_result(ctx, token, row)


def token_rotate(ctx: CommandContext) -> dict:
    token, row = repository.rotate_token(ctx.session, ctx.user, ctx.args.device_id)
    return _new_token_result(ctx, token, row)


def token_revoke(ctx: CommandContext) -> dict:
    device_id = ctx.args.device_id
    revoked = repository.revoke_device_tokens(ctx.session, ctx.user, device_id)
    return {"deviceId": device_id, "revoked": revoked}


def token_list(ctx: CommandContext) -> list[dict]:
    rows = repository.list_tokens(ctx.session, ctx.user, ctx.args.device_id)
    return [token_dict(row) for row in rows]


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `token` command group."""
    tokens = group(sub, "token", "manage device tokens")
    for name, help_text, handler in (
        ("create", "create a token (shown once)", token_create),
        ("rotate", "revoke the device's tokens and create a new one (shown once)", token_rotate),
        ("revoke", "revoke the device's tokens: it can no longer send readings", token_revoke),
        ("list", "list the device's tokens (prefix, created, last used)", token_list),
    ):
        action(tokens, name, common, help_text, handler).add_argument("device_id", metavar="ID")
