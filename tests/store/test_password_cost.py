"""Account passwords: scrypt at the recommended cost, and older hashes upgraded on login."""

from __future__ import annotations

import pytest

from phantom_desktop.core import credentials
from phantom_desktop.store import accounts


def test_default_cost_is_the_recommended_one():
    assert credentials.ScryptCost() == credentials.ScryptCost(n=2**17, r=8, p=1)


def test_hash_at_the_real_cost_verifies(monkeypatch):
    monkeypatch.setattr(credentials, "PASSWORD_COST", credentials.ScryptCost())
    stored = credentials.hash_password("correct horse")
    assert stored.startswith("scrypt$131072$8$1$")
    assert credentials.verify_password("correct horse", stored)
    assert not credentials.verify_password("wrong horse", stored)
    assert not credentials.needs_rehash(stored)


def test_login_upgrades_a_hash_made_at_an_older_cost(sessions, monkeypatch):
    monkeypatch.setattr(credentials, "PASSWORD_COST", credentials.ScryptCost(n=2**10))
    with sessions.begin() as session:
        old = accounts.create_user(session, "ada", "correct horse").password_hash
    assert old.startswith("scrypt$1024$")
    monkeypatch.setattr(credentials, "PASSWORD_COST", credentials.ScryptCost(n=2**11))
    assert credentials.needs_rehash(old)
    with sessions.begin() as session:
        accounts.authenticate(session, "ada", "correct horse")
    with sessions.begin() as session:  # stored: a new session reads the upgraded hash
        user = accounts.authenticate(session, "ada", "correct horse")
        assert user.password_hash.startswith("scrypt$2048$")
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(session, "ada", "wrong horse")
