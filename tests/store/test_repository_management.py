"""Devices, tokens and ports: create, rename/edit, delete, status, and their validation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from phantom_desktop.core.credentials import hash_token
from phantom_desktop.store import repository
from phantom_desktop.store.models import (
    Device,
    DeviceToken,
    Notification,
    PhantomEvent,
    Port,
    PowerReading,
)
from phantom_desktop.store.repository import InvalidInput, NotFound
from tests.store.store_helpers import add_readings, setup_device


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_rename_device_checks_name_and_uniqueness_ignoring_case(sessions, users):
    with sessions.begin() as s:
        a = repository.create_device(s, users.alice, "Strip")
        repository.create_device(s, users.alice, "Desk")
        repository.create_device(s, users.bob, "Hall")
        assert repository.rename_device(s, users.alice, a.id, "  Living room ").name == (
            "Living room"
        )
        assert repository.rename_device(s, users.alice, a.id, "LIVING ROOM").name == "LIVING ROOM"
        with pytest.raises(InvalidInput, match="already have a device named 'desk'"):
            repository.rename_device(s, users.alice, a.id, "desk")
        with pytest.raises(InvalidInput, match="must not be empty"):
            repository.rename_device(s, users.alice, a.id, "   ")
        with pytest.raises(InvalidInput, match="control characters"):
            repository.rename_device(s, users.alice, a.id, "a\tb")
        assert repository.rename_device(s, users.alice, a.id, "Hall").name == "Hall"
        with pytest.raises(NotFound, match="device"):
            repository.rename_device(s, users.bob, a.id, "Mine now")


def test_delete_device_deletes_tokens_and_keeps_ports_with_readings(sessions, users):
    with sessions.begin() as s:
        device, _token, (tv, lamp) = setup_device(s, users.alice, ports=("TV", "Lamp"))
        repository.create_token(s, users.alice, device.id)
        repository.revoke_token(s, users.alice, device.tokens[0].id)
        add_readings(s, tv.id, [100.0, 2.0, 2.0])
        add_readings(s, lamp.id, [40.0])
        device_id, port_ids = device.id, {tv.id, lamp.id}
    with sessions.begin() as s:
        impact = repository.device_delete_impact(s, users.alice, device_id)
        assert (impact.tokens, impact.active_tokens, impact.readings) == (2, 1, 4)
        assert impact.port_names == ("Lamp", "TV")
        text = impact.describe()
        assert "2 tokens will be deleted, so it can no longer send readings" in text
        assert "2 ports ('Lamp', 'TV') are kept with their 4 readings, attached to no device" in (
            text
        )
        with pytest.raises(NotFound):
            repository.delete_device(s, users.bob, device_id)
        assert repository.delete_device(s, users.alice, device_id) == impact
    with sessions() as s:
        assert s.get(Device, device_id) is None
        assert count(s, DeviceToken) == 0
        ports = s.scalars(select(Port)).all()
        assert {p.id for p in ports} == port_ids
        assert all(p.device_id is None for p in ports)
        assert count(s, PowerReading) == 4


def test_delete_impact_text_for_one_port_and_for_none(sessions, users):
    with sessions.begin() as s:
        one, _, _ = setup_device(s, users.alice, "one", ports=("TV",))
        bare = repository.create_device(s, users.alice, "bare")
        text = repository.device_delete_impact(s, users.alice, one.id).describe()
        assert "1 token will be deleted" in text
        assert "1 port ('TV') is kept with its 0 readings" in text
        assert repository.device_delete_impact(s, users.alice, bare.id).describe() == (
            "Delete the device 'bare'? It feeds no ports, so no readings are affected."
        )


def test_rotate_revokes_every_active_token_and_creates_one(sessions, users):
    with sessions.begin() as s:
        device, old, _ = setup_device(s, users.alice)
        _older, _ = repository.create_token(s, users.alice, device.id)
        new, row = repository.rotate_token(s, users.alice, device.id)
        assert new != old and row.token_hash == hash_token(new) and row.revoked_at is None
        device_id = device.id
    with sessions() as s:
        rows = repository.list_tokens(s, users.alice, device_id)
        assert [r.token_hash == hash_token(new) for r in rows] == [True, False, False]
        assert [r.revoked_at is None for r in rows] == [True, False, False]
        assert all(r.prefix.startswith("pdt_") and len(r.prefix) == 8 for r in rows)
        with pytest.raises(NotFound):
            repository.list_tokens(s, users.bob, device_id)
        with pytest.raises(NotFound):
            repository.rotate_token(s, users.bob, device_id)


def test_revoke_device_tokens_and_one_token(sessions, users):
    with sessions.begin() as s:
        device, _, _ = setup_device(s, users.alice)
        _, second = repository.create_token(s, users.alice, device.id)
        with pytest.raises(NotFound, match="token"):
            repository.revoke_token(s, users.bob, second.id)
        first_revoked = repository.revoke_token(s, users.alice, second.id).revoked_at
        assert first_revoked is not None
        assert repository.revoke_token(s, users.alice, second.id).revoked_at == first_revoked
        assert repository.revoke_device_tokens(s, users.alice, device.id) == 1
        assert repository.revoke_device_tokens(s, users.alice, device.id) == 0
        tokens = repository.list_tokens(s, users.alice, device.id)
        assert all(t.revoked_at is not None for t in tokens)


def test_update_port_validates_every_field(sessions, users):
    with sessions.begin() as s:
        device, _, (tv, fridge) = setup_device(s, users.alice, ports=("TV", "Fridge"))
        theirs = repository.create_device(s, users.bob, "theirs")

        def edit(**changes):
            fields = {
                "name": "TV",
                "device_id": device.id,
                "threshold_w": 5.0,
                "min_duration_s": 0.0,
                "auto_cut": True,
            }
            fields.update(changes)
            return repository.update_port(s, users.alice, tv.id, **fields)

        changes = {"device_id": None, "threshold_w": 3, "min_duration_s": 60, "auto_cut": False}
        port = edit(name=" Telly ", **changes)
        assert (port.name, port.device_id, port.threshold_w, port.min_duration_s) == (
            "Telly",
            None,
            3.0,
            60.0,
        )
        assert port.auto_cut is False
        for bad, message in (
            ({"threshold_w": 0}, "threshold must be a positive number"),
            ({"threshold_w": -1}, "threshold must be a positive number"),
            ({"threshold_w": float("nan")}, "threshold must be a positive number"),
            ({"threshold_w": 1e9}, "at most 100000 W"),
            ({"min_duration_s": -1}, "minimum duration must be zero or more"),
            ({"min_duration_s": float("inf")}, "finite"),
            ({"name": "fridge"}, "already have a port named 'fridge'"),
            ({"name": ""}, "port name must not be empty"),
            ({"name": "x" * 101}, "at most 100 characters"),
        ):
            with pytest.raises(InvalidInput, match=message):
                edit(**bad)
        with pytest.raises(NotFound, match="device"):
            edit(device_id=theirs.id)
        with pytest.raises(NotFound, match="port"):
            repository.update_port(s, users.bob, fridge.id, "F", None, 5, 0, True)
        assert edit(name="tv").name == "tv"  # its own name, in other case


def test_set_port_status(sessions, users):
    with sessions.begin() as s:
        _, _, (tv,) = setup_device(s, users.alice)
        assert repository.set_port_status(s, users.alice, tv.id, "off").status == "off"
        assert repository.set_port_status(s, users.alice, tv.id, "active").status == "active"
        with pytest.raises(InvalidInput, match="'active' or 'off'"):
            repository.set_port_status(s, users.alice, tv.id, "on")
        with pytest.raises(NotFound):
            repository.set_port_status(s, users.bob, tv.id, "off")


def test_delete_port_deletes_readings_events_and_alerts(sessions, users):
    with sessions.begin() as s:
        _, _, (tv, lamp) = setup_device(s, users.alice, ports=("TV", "Lamp"))
        add_readings(s, tv.id, [100.0, 2.0])
        add_readings(s, lamp.id, [40.0])
        event = PhantomEvent(
            port_id=tv.id,
            started_at=tv.created_at,
            detected_at=tv.created_at,
            power_w=2.0,
            action="auto_cut",
        )
        s.add(event)
        s.flush()
        s.add(Notification(user_id=users.alice, port_id=tv.id, event_id=event.id, message="m"))
        tv_id = tv.id
    with sessions.begin() as s:
        impact = repository.port_delete_impact(s, users.alice, tv_id)
        assert (impact.readings, impact.events, impact.alerts) == (2, 1, 1)
        assert "2 readings, 1 phantom event and 1 alert will be deleted" in impact.describe()
        with pytest.raises(NotFound):
            repository.delete_port(s, users.bob, tv_id)
        repository.delete_port(s, users.alice, tv_id)
    with sessions() as s:
        assert s.get(Port, tv_id) is None
        assert count(s, PowerReading) == 1
        assert count(s, PhantomEvent) == count(s, Notification) == 0


def test_port_names_unique_per_user_not_across_users(sessions, users):
    with sessions.begin() as s:
        repository.create_port(s, users.alice, "TV", None, 5.0)
        repository.create_port(s, users.bob, "tv", None, 5.0)
        with pytest.raises(InvalidInput, match="already have a port named 'Tv'"):
            repository.create_port(s, users.alice, "Tv", None, 5.0)
