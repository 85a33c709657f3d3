"""`export`: readings or rollups of a range and ports to a CSV file, streamed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from phantom_desktop.cli import history_support as hs
from phantom_desktop.cli.support import CommandContext, interactive
from phantom_desktop.store.export import ExportProgress, export_csv
from phantom_desktop.store.history_queries import Resolution
from phantom_desktop.store.repository import InvalidInput


def export(ctx: CommandContext) -> dict:
    a = ctx.args
    out = Path(a.out).expanduser()
    if not out.parent.is_dir():
        raise InvalidInput(f"--out: the folder {out.parent} does not exist")
    hs.rollups_ready(ctx)
    start, end = hs.time_range(ctx, None)
    ports = hs.chosen_ports(ctx, a.port)

    def show(progress: ExportProgress) -> None:
        share = progress.rows / progress.total if progress.total else 1.0
        print(f"  {progress.rows:,} of {progress.total:,} rows ({share:.0%})", end="\r",
              file=sys.stderr, flush=True)  # fmt: skip

    try:
        rows = export_csv(
            ctx.session.connection(), ports, start, end, Resolution(a.resolution), out,
            show if interactive() else None,
        )  # fmt: skip
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror or exc}") from None
    return {"rows": rows, "file": str(out), "resolution": a.resolution, "ports": len(ports),
            "from": start.isoformat(), "to": end.isoformat()}  # fmt: skip


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `export` command."""
    text = "write readings (raw) or rollups (1m, 1h) of a range and ports to a CSV file"
    parser = sub.add_parser("export", parents=[common], help=text, description=text)
    parser.set_defaults(handler=export)
    parser.add_argument("--port", action="append", metavar="ID", help="a port id or name (repeat)")
    hs.time_options(parser, "the first reading")
    parser.add_argument("--resolution", choices=["raw", "1m", "1h"], default="raw")
    parser.add_argument("--out", required=True, metavar="FILE.csv", help="the CSV file to write")
