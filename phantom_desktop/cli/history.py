"""`history`: one port's power over a range, at the resolution the span needs or the one asked."""

from __future__ import annotations

import argparse
from datetime import timedelta

from phantom_desktop.cli import history_support as hs
from phantom_desktop.cli.support import CommandContext
from phantom_desktop.store.history_queries import Resolution, fetch_series


def history(ctx: CommandContext) -> list[dict]:
    hs.rollups_ready(ctx)
    start, end = hs.time_range(ctx, timedelta(days=1))
    ((port_id, _name),) = hs.chosen_ports(ctx, [ctx.args.port_id])
    series = fetch_series(
        ctx.session.connection(), [port_id], start, end, Resolution(ctx.args.resolution)
    )
    return series[port_id].to_json()


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `history` command."""
    text = (
        "a port's power over a range: raw readings {t, power} or rollups {t, min, mean, max} "
        "(auto: raw up to 30 min, 1-minute up to a day, 1-hour beyond; at most 1200 points)"
    )
    parser = sub.add_parser("history", parents=[common], help=text, description=text)
    parser.set_defaults(handler=history)
    parser.add_argument("port_id", metavar="PORT_ID", help="the port's id (or name)")
    hs.time_options(parser, "-1d")
    parser.add_argument("--resolution", choices=[r.value for r in Resolution], default="auto")
