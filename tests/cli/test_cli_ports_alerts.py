"""`port` and `alerts` commands on the embedded database."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from phantom_desktop.config import AppPaths
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import Notification, PowerReading
from phantom_desktop.store.repository import ensure_local_user
from phantom_desktop.store.rollups import insert_readings_with_rollups

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.fixture
def port(cli) -> dict:
    device = cli("device", "add", "strip", "--json").json()["id"]
    return cli(
        "port", "add", "TV", "--device", device, "--threshold", "5", "--min-duration", "0", "--json"
    ).json()


def store_readings(port_id: str, powers: list[float]) -> None:
    """Readings one second apart from T0, as the writer would have stored them."""
    rows = [
        {"port_id": port_id, "timestamp": T0 + timedelta(seconds=i), "voltage": 230.0,
         "current": p / 230.0, "power": p, "source": "http"}
        for i, p in enumerate(powers)
    ]  # fmt: skip
    with _default_store() as s:
        s.execute(insert(PowerReading), rows)


def store_alerts(port_id: str, count: int) -> None:
    """Unread alerts of the local account, a minute apart."""
    with _default_store() as s:
        user_id = ensure_local_user(s).id
        for i in range(count):
            s.add(
                Notification(
                    user_id=user_id,
                    port_id=port_id,
                    message=f"alert {i}",
                    created_at=T0 + timedelta(minutes=i),
                )
            )


@contextmanager
def _default_store():
    engine = open_store(AppPaths.for_user().default_db_url)
    try:
        with session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def test_port_edit_changes_only_what_is_given(cli, port):
    other = cli("device", "add", "other", "--json").json()["id"]
    edited = cli("port", "edit", port["id"], "--threshold", "3.5", "--no-auto-cut", "--json")
    assert edited.json() == {**port, "thresholdW": 3.5, "autoCut": False}
    moved = cli(
        "port",
        "edit",
        port["id"],
        "--name",
        "Telly",
        "--device",
        other,
        "--min-duration",
        "60",
        "--auto-cut",
        "--json",
    ).json()
    assert (moved["name"], moved["deviceId"], moved["minDurationS"], moved["autoCut"]) == (
        "Telly",
        other,
        60.0,
        True,
    )
    assert cli("port", "edit", port["id"], "--no-device", "--json").json()["deviceId"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "0"], "the threshold must be a positive number of watts"),
        (["--threshold", "nan"], "the threshold must be a positive number of watts"),
        (["--min-duration", "-1"], "the minimum duration must be zero or more seconds"),
        (["--name", " "], "port name must not be empty"),
        (["--name", "lamp"], "you already have a port named 'lamp'"),
        (["--device", "nope"], "device nope not found"),
    ],
)
def test_port_edit_errors(cli, port, args, message):
    cli("port", "add", "Lamp", "--threshold", "2", "--json").json()
    result = cli("port", "edit", port["id"], *args)
    assert (result.code, result.out) == (2, "")
    assert f"phantom-desktop: error: {message}" in result.err


def test_port_edit_usage_errors_exit_2(cli, port):
    with pytest.raises(SystemExit) as exit_info:
        cli("port", "edit", port["id"], "--device", "x", "--no-device")
    assert exit_info.value.code == 2


def test_port_off_on_and_list_with_latest_power(cli, port):
    assert cli("port", "off", port["id"], "--json").json()["status"] == "off"
    store_readings(port["id"], [80.0, 2.5])
    (row,) = cli("port", "list", "--json").json()
    assert (row["status"], row["latestPowerW"], row["deviceName"]) == ("off", 2.5, "strip")
    assert row["lastReadingAt"] == "2026-11-20T12:00:01+00:00"
    assert cli("port", "on", port["id"], "--json").json()["status"] == "active"
    assert "status=active" in cli("port", "list").out
    assert cli("port", "off", "nope").code == 2


def test_port_suggest(cli, port):
    result = cli("port", "suggest", port["id"], "--json").json()
    assert result["suggestedThresholdW"] is None and result["readings"] == 0
    assert result["explanation"].startswith("Not enough data")
    store_readings(port["id"], [0.8] * 60 + [90.0] * 40)
    result = cli("port", "suggest", port["id"], "--hours", "24", "--json").json()
    assert result["suggestedThresholdW"] == 1.3
    assert (result["standbyW"], result["activeW"], result["readings"]) == (0.8, 90.0, 100)
    assert "the 24 h up to its latest reading" in result["explanation"]
    assert cli("port", "suggest", port["id"], "--hours", "0").code == 2


def test_port_delete(cli, port):
    refused = cli("port", "delete", port["id"])
    assert refused.code == 2 and "0 readings, 0 phantom events and 0 alerts" in refused.err
    deleted = cli("port", "delete", port["id"], "--yes", "--json").json()
    assert (deleted["id"], deleted["deleted"], deleted["readingsDeleted"]) == (port["id"], True, 0)
    assert cli("port", "list", "--json").json() == []


def test_alerts_list_and_read(cli, port):
    store_alerts(port["id"], 3)
    listed = cli("alerts", "list", "--json").json()
    assert [a["message"] for a in listed] == ["alert 2", "alert 1", "alert 0"]
    assert listed[0]["portName"] == "TV" and listed[0]["read"] is False
    ids = [a["id"] for a in listed]
    assert cli("alerts", "read", str(ids[0]), "--json").json() == {"markedRead": 1, "unread": 2}
    assert [a["id"] for a in cli("alerts", "list", "--unread", "--json").json()] == ids[1:]
    assert cli("alerts", "list", "--json").json()[-1]["read"] is True  # read ones last
    missing = cli("alerts", "read", str(ids[1]), "999999")
    assert missing.code == 2 and "alert 999999 not found" in missing.err
    assert cli("alerts", "read", "--all", "--json").json() == {"markedRead": 2, "unread": 0}
    both = cli("alerts", "read", str(ids[0]), "--all")
    assert both.code == 2 and "or give --all" in both.err
    assert cli("alerts", "read").code == 2
    assert "message=alert 2" in cli("alerts", "list").out


def test_port_rhythm_override_and_what_was_recognised(cli, port):
    assert (port["rhythmOverride"], port["rhythmSeen"], port["rhythmSince"]) == ("auto", None, None)
    edited = cli("port", "edit", port["id"], "--rhythm", "rests", "--json").json()
    assert edited["rhythmOverride"] == "rests"
    (row,) = cli("port", "list", "--json").json()
    assert row["rhythmOverride"] == "rests"
    with pytest.raises(SystemExit) as exit_info:
        cli("port", "edit", port["id"], "--rhythm", "fridge")
    assert exit_info.value.code == 2


def test_port_suggest_tells_a_fridge_its_low_phases_are_rests(cli, port):
    cycle = [95.0] * 600 + [1.5] * 1800  # 10 min run, 30 min rest, one reading a second
    rows = [
        {"port_id": port["id"], "timestamp": T0 + timedelta(seconds=i), "voltage": 230.0,
         "current": p / 230.0, "power": p, "source": "http"}
        for i, p in enumerate(cycle * 12)
    ]  # fmt: skip
    with _default_store() as s:
        insert_readings_with_rollups(s.connection(), rows)  # as the writer stores them
    suggestion = cli("port", "suggest", port["id"], "--json").json()
    assert (
        "It cycles (~40 min rhythm): its low phases are rests between runs"
        in (suggestion["explanation"])
    )
