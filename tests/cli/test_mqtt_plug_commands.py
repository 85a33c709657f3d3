"""`mqtt broker` and `plug add|list|remove|discover`: the settings file, the password file,
checks against the database, and plugs heard on the real broker."""

from __future__ import annotations

import json
import stat
import uuid

import pytest

from phantom_desktop.config import AppPaths


@pytest.fixture
def plug_setup(cli) -> dict:
    device = cli("device", "add", "TV corner", "--json").json()["id"]
    ports = [
        cli("port", "add", name, "--device", device, "--threshold", "5", "--json").json()["id"]
        for name in ("TV", "Soundbar")
    ]
    return {"device": device, "ports": ports}


def settings_file() -> dict:
    return json.loads(AppPaths.for_user().settings_file.read_text(encoding="utf-8"))


def test_broker_set_and_shown_with_the_password_in_a_private_file(cli):
    assert cli("mqtt", "broker", "--json").json() == {
        "url": None, "username": None, "clientId": None, "passwordSet": False,
    }  # fmt: skip
    shown = cli(
        "mqtt", "broker", "mqtt://192.168.1.10", "--username", "phantom", "--password-stdin",
        "--json", stdin="s3cret\n",
    ).json()  # fmt: skip
    assert shown["url"] == "mqtt://192.168.1.10" and shown["username"] == "phantom"
    assert shown["passwordSet"] is True and shown["clientId"].startswith("phantom-desktop-")
    saved = settings_file()["mqtt"]
    assert "s3cret" not in json.dumps(settings_file())
    password_file = AppPaths.for_user().config_dir / "mqtt-password"
    assert password_file.read_text(encoding="utf-8") == "s3cret"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    # Changing the URL keeps the client id: it names the broker session of our messages.
    again = cli("mqtt", "broker", "mqtt://broker.lan:1884", "--json").json()
    assert again["clientId"] == saved["client_id"] and again["passwordSet"] is True


def test_a_bad_broker_url_is_a_clear_error(cli):
    run = cli("mqtt", "broker", "http://example.com")
    assert run.code != 0 and "scheme must be mqtt or mqtts" in run.err
    assert "Traceback" not in run.err


def test_plug_add_list_remove(cli, plug_setup):
    tv, soundbar = plug_setup["ports"]
    added = cli(
        "plug", "add", "TV strip", "--kind", "tasmota", "--topic", "tasmota_A1B2C3",
        "--device", plug_setup["device"], "--map", f"1={tv}", "--map", f"2={soundbar}", "--json",
    ).json()  # fmt: skip
    assert added == {
        "name": "TV strip",
        "kind": "tasmota",
        "topic": "tasmota_A1B2C3",
        "deviceId": plug_setup["device"],
        "channels": {"1": tv, "2": soundbar},
        "telePeriodS": None,
    }
    assert cli("plug", "list", "--json").json() == [added]
    assert settings_file()["plugs"][0]["channels"] == {"1": tv, "2": soundbar}
    removed = cli("plug", "remove", "TV strip", "--json").json()
    assert removed["removed"] is True
    assert cli("plug", "list", "--json").json() == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--kind", "tasmota", "--map", "0={tv}"], "tasmota channels count from 1"),
        (["--kind", "shelly", "--map", "x={tv}"], "channel 'x' is not a number"),
        (["--kind", "z2m", "--map", "1=nope"], "port nope not found"),
        (["--kind", "z2m", "--map", "1={tv}", "--map", "2={tv}"], "one port cannot be fed"),
    ],
)
def test_plug_add_refuses_bad_maps_and_changes_nothing(cli, plug_setup, args, words):
    tv = plug_setup["ports"][0]
    args = [a.format(tv=tv) for a in args]
    run = cli("plug", "add", "P", "--topic", "t", "--device", plug_setup["device"], *args)
    assert run.code != 0 and words in run.err, run.err
    assert cli("plug", "list", "--json").json() == []


def test_a_port_fed_by_another_plug_or_a_taken_name_is_refused(cli, plug_setup):
    tv = plug_setup["ports"][0]
    base = ["--device", plug_setup["device"], "--map", f"1={tv}"]
    assert cli("plug", "add", "A", "--kind", "z2m", "--topic", "zigbee2mqtt/a", *base).code == 0
    run = cli("plug", "add", "B", "--kind", "z2m", "--topic", "zigbee2mqtt/b", *base)
    assert run.code != 0 and "is fed by another plug" in run.err
    run = cli("plug", "add", "A", "--kind", "tasmota", "--topic", "other", *base)
    assert run.code != 0 and "configured twice" in run.err


@pytest.mark.mqtt
def test_plug_discover_lists_plugs_heard_on_the_broker(cli, broker_url, plug):
    topic = f"disc{uuid.uuid4().hex[:8]}"
    plug("tasmota", topic, profiles=["tv"], name="Living room TV")
    cli("mqtt", "broker", broker_url, "--json").json()
    found = cli("plug", "discover", "--seconds", "1.5", "--json").json()
    mine = [p for p in found if p["topic"] == topic]
    assert mine == [
        {
            "kind": "tasmota",
            "topic": topic,
            "name": "Living room TV",
            "channels": [1],
            "model": "Phantom emulated plug",
            "online": True,
            "added": False,
        }
    ]


def test_plug_discover_without_a_broker_says_how_to_set_one(cli):
    run = cli("plug", "discover")
    assert run.code != 0 and "mqtt broker URL" in run.err
