"""`user` commands: create an account for a shared (server) database."""

from __future__ import annotations

import argparse

from phantom_desktop.cli.support import CommandContext, action, group, iso, read_new_password
from phantom_desktop.store import accounts


def user_add(ctx: CommandContext) -> dict:
    """Anyone who can reach the database can create an account (the first one included)."""
    a = ctx.args
    user = accounts.create_user(ctx.session, a.name, read_new_password(a.password_stdin))
    return {"id": user.id, "name": user.name, "createdAt": iso(user.created_at)}


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `user` command group."""
    users = group(sub, "user", "manage accounts (for a shared server database)")
    add = action(users, "add", common, "create an account with a password", user_add)
    add.add_argument("name")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (default: prompt twice)",
    )
    add.set_defaults(acts_as_user=False)
