"""Accounts: password rules, scrypt hashes, login, and when a login is needed."""

from __future__ import annotations

import pytest

from phantom_desktop.store import accounts, repository
from phantom_desktop.store.accounts import LoginFailed
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.repository import InvalidInput


def test_needs_login_only_for_server_databases():
    assert accounts.needs_login("mysql+pymysql://u:p@db.example/phantom") is True
    assert accounts.needs_login("sqlite:////home/me/.local/share/phantom.db") is False


def test_create_and_authenticate(sessions):
    with sessions.begin() as s:
        assert accounts.has_accounts(s) is False
        repository.ensure_local_user(s)  # has no password: it does not count
        assert accounts.has_accounts(s) is False
        user = accounts.create_user(s, "  Alice ", "correct horse")
        assert user.name == "Alice"
        assert user.password_hash.startswith("scrypt$")
        assert "correct horse" not in user.password_hash
        assert accounts.has_accounts(s) is True
        with pytest.raises(InvalidInput, match="the user name 'ALICE' is taken"):
            accounts.create_user(s, "ALICE", "another password")
    with sessions() as s:
        assert accounts.authenticate(s, "alice", "correct horse").id == user.id
        for name, password in (("alice", "wrong horse"), ("nobody", "correct horse")):
            with pytest.raises(LoginFailed, match="wrong user name or password"):
                accounts.authenticate(s, name, password)
        with pytest.raises(LoginFailed, match="enter a password"):
            accounts.authenticate(s, "alice", "")
        with pytest.raises(LoginFailed, match="enter a user name"):
            accounts.authenticate(s, " ", "correct horse")
        with pytest.raises(LoginFailed, match="wrong user name or password"):
            accounts.authenticate(s, "local", "anything at all")


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("bob", "short", "at least 8 characters"),
        ("bob", " " * 12, "not be only spaces"),
        ("bobbobbob", "BobBobBob", "not be the user name"),
        ("bob", "x" * 1025, "at most 1024 characters"),
        ("", "long enough", "user name must not be empty"),
        ("Local", "long enough", "reserved for the embedded database"),
    ],
)
def test_create_user_says_what_is_wrong(sqlite_url, name, password, message):
    """Rules checked before the database is asked: one backend is enough."""
    engine = open_store(sqlite_url)
    with session_factory(engine).begin() as s, pytest.raises(InvalidInput, match=message):
        accounts.create_user(s, name, password)
    engine.dispose()


def test_password_problem_for_a_dialog():
    assert accounts.password_problem("bob", "long enough") is None
    assert accounts.password_problem("bob", "short") == (
        "the password must have at least 8 characters"
    )
