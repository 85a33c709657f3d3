"""`phantom-desktop serve`: headless ingestion until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from phantom_desktop.cli.support import http_port_option
from phantom_desktop.config import AppPaths, Settings

log = logging.getLogger(__name__)


def run_serve(paths: AppPaths, settings: Settings, args: argparse.Namespace) -> int:
    """Receive readings over HTTP (and from serial sources) until asked to stop."""
    from phantom_desktop.app import open_services, start_ingestion
    from phantom_desktop.gc_tuning import settle_after_startup

    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    services = open_services(paths, settings, args.db, live_view=False)
    try:
        start_ingestion(services, host=args.host, port=args.port)
        settle_after_startup()
        print(
            f"Phantom Desktop is receiving readings at {services.listen_url} "
            f"(database: {services.db_description}). Stop with Ctrl+C.",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        services.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped; every acknowledged reading is stored.", flush=True)
    return 0


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `serve` command."""
    parser = sub.add_parser("serve", parents=[common], help="receive readings without a window")
    parser.add_argument("--host", default=argparse.SUPPRESS, help="address to listen on")
    http_port_option(parser, "HTTP port", default=argparse.SUPPRESS)
    parser.set_defaults(runner=run_serve)
