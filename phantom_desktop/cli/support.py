"""What management commands share: their context, confirmations, password input, dates."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.store.repository import InvalidInput


@dataclass
class CommandContext:
    """What a management command works with: an open transaction as the acting user.

    `user_id` is None only for commands registered with ``set_defaults(acts_as_user=False)``
    (creating an account), which act as nobody.
    """

    session: Session
    user_id: str | None
    args: argparse.Namespace
    paths: AppPaths
    settings: Settings

    @property
    def user(self) -> str:
        """The acting user's id, for the commands that act as someone (all but `user add`)."""
        if self.user_id is None:
            raise RuntimeError("this command acts as nobody")
        return self.user_id


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def confirm(question: str, yes: bool) -> None:
    """Go on if `yes` (--yes) or the user answers y; otherwise InvalidInput, nothing changed."""
    if yes:
        return
    if not interactive():
        raise InvalidInput(f"{question} Not confirmed: add --yes to do it without asking.")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise InvalidInput("cancelled; nothing was changed")


def read_new_password(from_stdin: bool) -> str:
    """A new account's password: one line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not interactive():
        raise InvalidInput("no password: pipe it in with --password-stdin, or run in a terminal")
    password = getpass.getpass("New password: ")
    if getpass.getpass("Repeat the password: ") != password:
        raise InvalidInput("the two passwords differ")
    return password


def group(sub, name: str, help_text: str):
    """A command group (`device`, `port`…) whose actions are sub-commands."""
    return sub.add_parser(name, help=help_text).add_subparsers(
        dest="action", metavar="ACTION", required=True
    )


def action(actions, name: str, common: argparse.ArgumentParser, help_text: str, handler):
    """One sub-command with the common options (--db, --json, --user) and its handler."""
    parser = actions.add_parser(name, parents=[common], help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def http_port_option(parser: argparse.ArgumentParser, help_text: str, default: object) -> None:
    """`--http-port N`; `--port N` is still accepted (older scripts), but not shown."""
    parser.add_argument(
        "--http-port", dest="port", type=int, metavar="N", default=default, help=help_text
    )
    parser.add_argument("--port", dest="port", type=int, default=default, help=argparse.SUPPRESS)
