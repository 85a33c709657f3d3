"""What the history commands share: ranges the user typed, the ports they named, rollups ready."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, tzinfo

from phantom_desktop.cli.support import CommandContext
from phantom_desktop.core.timespec import TimeSpecError, parse_time, zone_named
from phantom_desktop.store import repository, rollup_backfill
from phantom_desktop.store.repository import InvalidInput

EVERYTHING_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def time_options(parser, default_from: str) -> None:
    parser.add_argument(
        "--from",
        dest="start",
        metavar="T",
        default=None,
        help=f"start: ISO 8601 (local time unless it has an offset) or like -7d; "
        f"default {default_from}",
    )
    parser.add_argument("--to", dest="end", metavar="T", default=None, help="end (default: now)")


def zone(ctx: CommandContext) -> tzinfo:
    try:
        return zone_named(ctx.settings.timezone)
    except TimeSpecError as exc:
        raise InvalidInput(str(exc)) from None


def time_range(ctx: CommandContext, default_from: timedelta | None) -> tuple[datetime, datetime]:
    """The [--from, --to) range; default --from is `default_from` before now (None: all)."""
    now = datetime.now(UTC)
    local = zone(ctx)
    try:
        end = parse_time(ctx.args.end, now, local) if ctx.args.end else now
        if ctx.args.start:
            start = parse_time(ctx.args.start, now, local)
        else:
            start = end - default_from if default_from is not None else EVERYTHING_FROM
    except TimeSpecError as exc:
        raise InvalidInput(str(exc)) from None
    if end <= start:
        raise InvalidInput("--from must be before --to")
    return start, end


def chosen_ports(ctx: CommandContext, wanted: list[str] | None) -> list[tuple[str, str]]:
    """(id, name) of the ports named by id or exact name; all the user's ports if none."""
    ports = repository.list_ports(ctx.session, ctx.user)
    if not wanted:
        return [(p.id, p.name) for p in ports]
    by_key = {p.id: p for p in ports} | {p.name.lower(): p for p in ports}
    chosen = []
    for key in wanted:
        port = by_key.get(key) or by_key.get(key.lower())
        if port is None:
            raise repository.NotFound(f"port {key} not found")
        chosen.append((port.id, port.name))
    return chosen


def rollups_ready(ctx: CommandContext) -> None:
    """Finish rolling up readings stored before the upgrade, so figures cover them."""
    conn = ctx.session.connection()
    if not rollup_backfill.pending(conn):
        return
    print("rolling up readings stored before this version…", file=sys.stderr, flush=True)
    while rollup_backfill.step(conn):
        progress = rollup_backfill.progress(conn)
        if progress is not None:
            print(f"  {progress.fraction:.0%}", file=sys.stderr, end="\r", flush=True)
    print(file=sys.stderr)
