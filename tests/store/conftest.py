"""Store fixtures: an upgraded database on SQLite and MariaDB, and two accounts in it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import User


@pytest.fixture
def sessions(db_url):
    engine = open_store(db_url)
    yield session_factory(engine)
    engine.dispose()


@dataclass
class Accounts:
    alice: str
    bob: str


@pytest.fixture
def users(sessions: sessionmaker[Session]) -> Accounts:
    """Two users (no password needed at this level: accounts are tested on their own)."""
    with sessions.begin() as s:
        alice, bob = User(name="alice"), User(name="bob")
        s.add_all([alice, bob])
        s.flush()
        return Accounts(alice.id, bob.id)
