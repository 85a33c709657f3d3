"""`alerts` commands: list the acting user's alerts and mark them read."""

from __future__ import annotations

import argparse

from phantom_desktop.cli.support import CommandContext, action, group, iso
from phantom_desktop.store import alerts
from phantom_desktop.store.repository import InvalidInput


def alert_dict(item: alerts.AlertItem) -> dict:
    return {
        "id": item.id,
        "createdAt": iso(item.created_at),
        "read": item.is_read,
        "message": item.message,
        "portId": item.port_id,
        "portName": item.port_name,
        "portStatus": item.port_status,
        "action": item.action,
    }


def alerts_list(ctx: CommandContext) -> list[dict]:
    a = ctx.args
    rows = alerts.list_alerts(ctx.session, ctx.user, unread_only=a.unread, limit=a.limit)
    return [alert_dict(item) for item in rows]


def alerts_read(ctx: CommandContext) -> dict:
    a = ctx.args
    if a.all == bool(a.alert_ids):
        raise InvalidInput("name the alerts to mark read (alert ids), or give --all")
    if a.all:
        marked = alerts.mark_all_read(ctx.session, ctx.user)
    else:
        marked = alerts.mark_read(ctx.session, ctx.user, a.alert_ids)
    return {"markedRead": marked, "unread": alerts.unread_count(ctx.session, ctx.user)}


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `alerts` command group."""
    commands = group(sub, "alerts", "list alerts and mark them read")
    listing = action(commands, "list", common, "list alerts, unread first", alerts_list)
    listing.add_argument("--unread", action="store_true", help="only unread alerts")
    listing.add_argument(
        "--limit", type=int, default=alerts.DEFAULT_LIMIT, metavar="N", help="at most N alerts"
    )
    read = action(commands, "read", common, "mark alerts read", alerts_read)
    read.add_argument("alert_ids", metavar="ID", type=int, nargs="*", help="alert ids")
    read.add_argument("--all", action="store_true", help="mark every alert read")
