"""`energy`: energy, standby, waste, savings and cost per port and period, and for the home."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from phantom_desktop.cli import history_support as hs
from phantom_desktop.cli.support import CommandContext
from phantom_desktop.core.periods import PeriodBy
from phantom_desktop.store.energy_queries import energy_report


def energy(ctx: CommandContext) -> list[dict]:
    hs.rollups_ready(ctx)
    start, end = hs.time_range(ctx, timedelta(days=30))
    ports = hs.chosen_ports(ctx, ctx.args.port)
    by = PeriodBy(ctx.args.by) if ctx.args.by else PeriodBy.ALL
    by_port, home = energy_report(
        ctx.session.connection(), ports, start, end, by, ctx.settings.tariff(), hs.zone(ctx),
        datetime.now(UTC),
    )  # fmt: skip
    rows = [row.to_json() for rows in by_port.values() for row in rows]
    if len(ports) > 1:
        rows += [row.to_json() for row in home]
    return rows


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `energy` command."""
    text = (
        "energy and cost per port and period: kWh, standby kWh, wasted in phantom episodes, "
        "saved by cuts, cost, always-on watts (and the whole home)"
    )
    parser = sub.add_parser("energy", parents=[common], help=text, description=text)
    parser.set_defaults(handler=energy)
    parser.add_argument("--port", action="append", metavar="ID", help="a port id or name (repeat)")
    hs.time_options(parser, "-30d")
    parser.add_argument("--by", choices=[p.value for p in PeriodBy if p is not PeriodBy.ALL],
                        help="one row per local day, week or month")  # fmt: skip
