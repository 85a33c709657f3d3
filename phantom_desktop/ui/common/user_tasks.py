"""Database tasks that act on what a user typed: refusals come back as values, not failures.

The store raises `InvalidInput` or `NotFound` (and accounts `LoginFailed`) with a message meant
for the user. A dialog shows it next to the fields and stays open, so these are not errors for
the log or the status bar: `user_task` rolls the transaction back and returns `Rejected`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from phantom_desktop.store.accounts import LoginFailed
from phantom_desktop.store.repository import InvalidInput, NotFound

REFUSALS = (InvalidInput, NotFound, LoginFailed)


@dataclass(frozen=True, slots=True)
class Rejected:
    """The store refused the change; `message` says why, in words for the user."""

    message: str


def sentence(message: str) -> str:
    """The store's lower-case message as a sentence: "The threshold must be …"."""
    message = message.strip()
    if not message:
        return message
    text = message[0].upper() + message[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def user_task(task: Callable[[Session], Any]) -> Callable[[Session], Any]:
    """`task`, with the store's refusals rolled back and returned as `Rejected`."""

    def run(session: Session) -> Any:
        try:
            return task(session)
        except REFUSALS as exc:
            session.rollback()
            return Rejected(sentence(str(exc)))

    return run
