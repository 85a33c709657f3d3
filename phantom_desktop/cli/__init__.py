"""Command line: the window by default, `serve` headless, and management commands.

`COMMAND_GROUPS` is the one list of commands: each module registers its sub-parsers with
`register(sub, common)`. A management command's handler takes a `CommandContext` and returns a
dict or a list of dicts, printed as text or (with --json) as JSON; a command that runs instead
of answering (`serve`) sets `runner` to a function of (paths, settings, args) -> exit code.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from typing import Any

from phantom_desktop import __version__
from phantom_desktop.cli import accounts as account_commands
from phantom_desktop.cli import (
    alerts,
    devices,
    energy,
    export,
    history,
    mqtt,
    plugs,
    ports,
    serial,
    serve,
    tokens,
)
from phantom_desktop.cli.support import CommandContext, http_port_option, interactive
from phantom_desktop.config import AppPaths, ConfigError, Settings, load_settings
from phantom_desktop.store import accounts
from phantom_desktop.store.accounts import LoginFailed
from phantom_desktop.store.database import StoreError, open_store, session_factory
from phantom_desktop.store.repository import InvalidInput, NotFound, ensure_local_user

log = logging.getLogger(__name__)

COMMAND_GROUPS = (
    serve,
    account_commands,
    devices,
    tokens,
    ports,
    alerts,
    serial,
    mqtt,
    plugs,
    energy,
    history,
    export,
)

PASSWORD_ENV = "PHANTOM_PASSWORD"


def _common_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="database URL, e.g. mysql+pymysql://user@host/db (default: the embedded SQLite file)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print one JSON object or array",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=f"act as this account (needed on a server database); password from ${PASSWORD_ENV}"
        " or a prompt",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="phantom-desktop",
        description="Find and cut phantom (standby) power. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the window on a fresh demo database fed by the simulator",
    )
    parser.add_argument("--host", help="address to listen on for devices (default 127.0.0.1)")
    http_port_option(parser, "HTTP port for devices (default 3000)", default=None)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation without a display and exit (0 when it works)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    _common_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, suppress=True)

    for group in COMMAND_GROUPS:
        group.register(sub, common)
    return parser


def _print_result(result: dict[str, Any] | list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=None if isinstance(result, dict) else 2))
        return
    rows = result if isinstance(result, list) else [result]
    if not rows:
        print("(none)")
    for row in rows:
        print("  ".join(f"{key}={value}" for key, value in row.items()))


def _password(name: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not interactive():
        raise LoginFailed(f"no password for {name!r}: set {PASSWORD_ENV} or run in a terminal")
    return getpass.getpass(f"Password for {name}: ")


def _acting_user_id(session, url: str, args: argparse.Namespace) -> str | None:
    """Who a management command acts as: --user (with a password), else the local account.

    A server database has no local account to fall back on: it needs --user.
    """
    if not getattr(args, "acts_as_user", True):
        return None
    name = getattr(args, "user", None)
    if name:
        return accounts.authenticate(session, name, _password(name)).id
    if accounts.needs_login(url):
        raise LoginFailed(
            "this is a shared database: say who you are with --user NAME (password from "
            f"${PASSWORD_ENV} or a prompt); create an account with `user add NAME`"
        )
    return ensure_local_user(session).id


def _management(args: argparse.Namespace, paths: AppPaths, settings: Settings) -> int:
    url = args.db or settings.resolved_db_url(paths)
    engine = open_store(url)
    try:
        with session_factory(engine).begin() as session:
            user_id = _acting_user_id(session, url, args)
            ctx = CommandContext(session, user_id, args, paths, settings)
            result = args.handler(ctx)
    finally:
        engine.dispose()
    _print_result(result, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    paths = AppPaths.for_user()
    from phantom_desktop.logging_setup import install_excepthook, setup_logging

    install_excepthook(setup_logging(paths.log_dir, verbose=args.verbose))
    try:
        settings = load_settings(paths)
        if args.self_test:
            from phantom_desktop.self_test import run_self_test

            return run_self_test()
        if args.command is None:
            from phantom_desktop.gui import run_window

            return run_window(paths, settings, args)
        runner = getattr(args, "runner", None)
        if runner is not None:
            return int(runner(paths, settings, args))
        return _management(args, paths, settings)
    except LoginFailed as exc:
        print(f"phantom-desktop: error: {exc}", file=sys.stderr)
        return 3
    except (ConfigError, StoreError, InvalidInput, NotFound, OSError) as exc:
        print(f"phantom-desktop: error: {exc}", file=sys.stderr)
        return 1 if not isinstance(exc, (InvalidInput, NotFound)) else 2
