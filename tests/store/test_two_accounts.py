"""Two accounts in one database: each sees and changes only its own rows; the writer refuses
a device token for another account's port (403), and rotated or revoked tokens (401)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import Outcome, Submission
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store import accounts, alerts, repository, summaries
from phantom_desktop.store.models import Notification
from phantom_desktop.store.repository import NotFound
from tests.store.store_helpers import add_readings, setup_device


class RecordingSink:
    """Collects the writer's outcomes and lets a test wait for them."""

    def __init__(self) -> None:
        self.outcomes: dict[object, Outcome] = {}
        self._cond = threading.Condition()

    def deliver(self, results) -> None:
        with self._cond:
            self.outcomes.update(results)
            self._cond.notify_all()

    def post(self, writer: Writer, tag: str, token: str, port_id: str) -> int:
        """Submit one reading with a clear token, as the HTTP server would; its status."""
        values = ReadingValues(port_id, 230.0, 0.5, 115.0, datetime.now(UTC))
        assert writer.submit(Submission([values], self, tag, token_hash=hash_token(token)))
        with self._cond:
            assert self._cond.wait_for(lambda: tag in self.outcomes, 10)
        return self.outcomes[tag].status


@pytest.fixture
def two(sessions):
    """Alice and Bob, each with a device (and token), two ports, readings and an alert."""
    made = {}
    with sessions.begin() as s:
        for name in ("alice", "bob"):
            user = accounts.create_user(s, name, f"{name}'s password")
            device, token, ports = setup_device(s, user.id, "strip", ports=("TV", "Lamp"))
            add_readings(s, ports[0].id, [100.0, 1.0])
            s.add(Notification(user_id=user.id, port_id=ports[0].id, message=f"{name} alert"))
            made[name] = {
                "user": user.id,
                "device": device.id,
                "token": token,
                "ports": {p.id for p in ports},
            }
    return made


@pytest.fixture
def writer(sessions):
    w = Writer(sessions.kw["bind"])
    w.watch_sessions(sessions)  # as the app does: its own management commits apply at once
    w.start()
    yield w
    w.stop()


@pytest.mark.parametrize(("me", "other"), [("alice", "bob"), ("bob", "alice")])
def test_each_account_sees_only_its_own_rows_in_every_view(sessions, two, me, other):
    mine, theirs = two[me], two[other]
    their_device, their_port = theirs["device"], next(iter(theirs["ports"]))
    with sessions() as s:
        user = accounts.authenticate(s, me, f"{me}'s password").id
        assert [d.id for d in repository.list_devices(s, user)] == [mine["device"]]
        assert [d.id for d in summaries.device_summaries(s, user)] == [mine["device"]]
        assert {p.id for p in repository.list_ports(s, user)} == mine["ports"]
        assert {p.id for p in summaries.port_summaries(s, user)} == mine["ports"]
        assert len(repository.list_tokens(s, user, mine["device"])) == 1
        assert [a.message for a in alerts.list_alerts(s, user)] == [f"{me} alert"]
        assert alerts.unread_count(s, user) == 1
        assert summaries.device_summaries(s, user, [their_device]) == []
        assert summaries.port_summaries(s, user, theirs["ports"]) == []
        for change, *args in (
            (repository.get_device, their_device),
            (repository.rename_device, their_device, "mine now"),
            (repository.list_tokens, their_device),
            (repository.create_token, their_device),
            (repository.rotate_token, their_device),
            (repository.revoke_device_tokens, their_device),
            (repository.delete_device, their_device),
            (repository.get_port, their_port),
            (repository.update_port, their_port, "x", None, 5.0, 0.0, True),
            (repository.set_port_status, their_port, "off"),
            (repository.delete_port, their_port),
            (summaries.suggest_port_threshold, their_port),
        ):
            with pytest.raises(NotFound):
                change(s, user, *args)


def test_a_token_is_refused_for_another_accounts_port(two, writer):
    sink = RecordingSink()
    alice_port, bob_port = (next(iter(two[n]["ports"])) for n in ("alice", "bob"))
    assert sink.post(writer, "own", two["alice"]["token"], alice_port) == 201
    assert sink.post(writer, "cross", two["alice"]["token"], bob_port) == 403
    assert sink.post(writer, "cross back", two["bob"]["token"], alice_port) == 403
    assert sink.post(writer, "bob own", two["bob"]["token"], bob_port) == 201


def test_rotate_stops_the_old_token_at_once_and_revoke_stops_the_new(sessions, two, writer):
    sink = RecordingSink()
    alice = two["alice"]
    port = next(iter(alice["ports"]))
    old = alice["token"]
    assert sink.post(writer, "before", old, port) == 201
    with sessions.begin() as s:
        new, _ = repository.rotate_token(s, alice["user"], alice["device"])
    assert sink.post(writer, "old after rotate", old, port) == 401
    assert sink.post(writer, "new after rotate", new, port) == 201
    with sessions.begin() as s:
        assert repository.revoke_device_tokens(s, alice["user"], alice["device"]) == 1
    assert sink.post(writer, "new after revoke", new, port) == 401
    bob_port = next(iter(two["bob"]["ports"]))
    assert sink.post(writer, "bob unaffected", two["bob"]["token"], bob_port) == 201
