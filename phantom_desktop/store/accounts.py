"""User accounts: create with a scrypt-hashed password, log in, and when a login is needed.

The embedded SQLite file is one person's database: the app acts as its local account and asks
for no login. A server database (MySQL/MariaDB) is shared, so each person logs in and sees
only their own rows. Names are unique ignoring case, the same on both backends.
"""

from __future__ import annotations

import functools

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from phantom_desktop.core import credentials
from phantom_desktop.core.credentials import hash_password, needs_rehash, verify_password
from phantom_desktop.store.models import LOCAL_USER_NAME, User
from phantom_desktop.store.repository import InvalidInput, clean_name

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


class LoginFailed(PermissionError):
    """Wrong name or password, or no login given where one is needed."""


@functools.lru_cache(maxsize=1)
def _unknown_user_hash(_cost: object) -> str:
    """Checked when the name is unknown, so a wrong name takes as long as a wrong password
    (made at the current cost, hence keyed by it)."""
    return hash_password("phantom-desktop: no such user")


def needs_login(url: str) -> bool:
    """True for a shared server database, False for the embedded SQLite file."""
    return make_url(url).get_backend_name() != "sqlite"


def has_accounts(session: Session) -> bool:
    """Whether anyone can log in yet (False: the login dialog offers "create account")."""
    query = select(User.id).where(User.password_hash.is_not(None)).limit(1)
    return session.scalar(query) is not None


def password_problem(name: str, password: str) -> str | None:
    """What is wrong with a new password, in words; None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password must have at most {MAX_PASSWORD_LENGTH} characters"
    if not password.strip():
        return "the password must not be only spaces"
    if password.strip().lower() == name.strip().lower():
        return "the password must not be the user name"
    return None


def _find(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))


def create_user(session: Session, name: str, password: str) -> User:
    """A new account; InvalidInput says what is wrong with the name or password."""
    name = clean_name(name, "user")
    if name.lower() == LOCAL_USER_NAME:
        raise InvalidInput(f"the user name {name!r} is reserved for the embedded database")
    problem = password_problem(name, password)
    if problem:
        raise InvalidInput(problem)
    if _find(session, name) is not None:
        raise InvalidInput(f"the user name {name!r} is taken")
    user = User(name=name, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User:
    """The account with this name and password, or LoginFailed."""
    if not (name or "").strip():
        raise LoginFailed("enter a user name")
    if not password:
        raise LoginFailed("enter a password")
    user = _find(session, name)
    if user is None or user.password_hash is None:
        verify_password(password, _unknown_user_hash(credentials.PASSWORD_COST))
        raise LoginFailed("wrong user name or password")
    if not verify_password(password, user.password_hash):
        raise LoginFailed("wrong user name or password")
    if needs_rehash(user.password_hash):  # made at an older cost: upgrade it now we know it
        user.password_hash = hash_password(password)
        session.flush()
    return user
