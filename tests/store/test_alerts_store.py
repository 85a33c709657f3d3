"""Alerts: unread first, newest first, with the port; mark read only the user's own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from phantom_desktop.store import alerts, repository
from phantom_desktop.store.models import Notification, PhantomEvent
from phantom_desktop.store.repository import InvalidInput, NotFound
from tests.store.store_helpers import T0


def notify(session, user_id, port, minutes: int, read: bool = False) -> int:
    event = PhantomEvent(
        port_id=port.id, started_at=T0, detected_at=T0, power_w=2.0, action="auto_cut"
    )
    session.add(event)
    session.flush()
    note = Notification(
        user_id=user_id,
        port_id=port.id,
        event_id=event.id,
        message=f"alert at +{minutes} min",
        is_read=read,
        created_at=T0 + timedelta(minutes=minutes),
    )
    session.add(note)
    session.flush()
    return note.id


@pytest.fixture
def notes(sessions, users):
    with sessions.begin() as s:
        tv = repository.create_port(s, users.alice, "TV", None, 5.0)
        theirs = repository.create_port(s, users.bob, "Their TV", None, 5.0)
        ids = {
            "old_read": notify(s, users.alice, tv, 1, read=True),
            "old": notify(s, users.alice, tv, 2),
            "new_read": notify(s, users.alice, tv, 3, read=True),
            "new": notify(s, users.alice, tv, 4),
            "bobs": notify(s, users.bob, theirs, 5),
        }
    return ids


def test_list_unread_first_then_newest_with_port(sessions, users, notes):
    with sessions() as s:
        rows = alerts.list_alerts(s, users.alice)
        assert [r.id for r in rows] == [notes[k] for k in ("new", "old", "new_read", "old_read")]
        first = rows[0]
        assert (first.port_name, first.port_status, first.action, first.is_read) == (
            "TV",
            "active",
            "auto_cut",
            False,
        )
        assert first.created_at == T0 + timedelta(minutes=4)
        unread = alerts.list_alerts(s, users.alice, unread_only=True)
        assert [r.id for r in unread] == [notes["new"], notes["old"]]
        assert [r.id for r in alerts.list_alerts(s, users.alice, limit=1)] == [notes["new"]]
        assert [r.id for r in alerts.list_alerts(s, users.bob)] == [notes["bobs"]]
        with pytest.raises(InvalidInput):
            alerts.list_alerts(s, users.alice, limit=0)


def test_mark_read_one_many_and_all(sessions, users, notes):
    with sessions.begin() as s:
        assert alerts.unread_count(s, users.alice) == 2
        assert alerts.mark_read(s, users.alice, [notes["old"], notes["old_read"]]) == 1
        assert alerts.unread_count(s, users.alice) == 1
        assert alerts.mark_read(s, users.alice, []) == 0
        assert alerts.mark_all_read(s, users.alice) == 1
        assert alerts.unread_count(s, users.alice) == 0
        assert alerts.unread_count(s, users.bob) == 1


def test_mark_read_refuses_another_users_alert_and_changes_nothing(sessions, users, notes):
    with sessions.begin() as s:
        with pytest.raises(NotFound, match=f"alerts {notes['bobs']}, 999999 not found"):
            alerts.mark_read(s, users.alice, [notes["new"], notes["bobs"], 999999])
        assert alerts.unread_count(s, users.alice) == 2
        assert alerts.unread_count(s, users.bob) == 1
