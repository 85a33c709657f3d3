"""`device` and `token` commands on the embedded database, with --json and as text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phantom_desktop.core.credentials import TOKEN_PREFIX


@pytest.fixture
def device(cli) -> str:
    return cli("device", "add", "plug strip", "--json").json()["id"]


def test_device_add_list_rename(cli, device):
    cli("port", "add", "TV", "--device", device, "--threshold", "5", "--json").json()
    (row,) = cli("device", "list", "--json").json()
    assert row["id"] == device and row["name"] == "plug strip"
    assert (row["ports"], row["tokenState"], row["tokenPrefix"], row["lastReadingAt"]) == (
        1,
        "none",
        None,
        None,
    )
    renamed = cli("device", "rename", device, "Desk strip", "--json").json()
    assert (renamed["id"], renamed["name"]) == (device, "Desk strip")
    text = cli("device", "list")
    assert text.code == 0 and "name=Desk strip" in text.out and "tokenState=none" in text.out


def test_device_errors_name_the_problem(cli, device):
    cli("device", "add", "other", "--json").json()
    taken = cli("device", "rename", device, "OTHER")
    assert (taken.code, taken.out) == (2, "")
    assert "you already have a device named 'OTHER'" in taken.err
    missing = cli("device", "rename", "no-such-id", "x")
    assert missing.code == 2 and "device no-such-id not found" in missing.err


def test_device_delete_asks_and_says_what_happens(cli, device):
    cli("token", "create", device, "--json")
    port = cli("port", "add", "TV", "--device", device, "--threshold", "5", "--json").json()
    refused = cli("device", "delete", device)
    assert refused.code == 2
    assert "1 token will be deleted" in refused.err
    assert "1 port ('TV') is kept with its 0 readings, attached to no device" in refused.err
    assert "add --yes" in refused.err
    declined = cli("device", "delete", device, tty=True, stdin="n\n")
    assert declined.code == 2 and "[y/N]" in declined.err and "nothing was changed" in declined.err
    assert len(cli("device", "list", "--json").json()) == 1
    confirmed = cli("device", "delete", device, "--json", tty=True, stdin="y\n")
    assert confirmed.json() == {
        "id": device,
        "name": "plug strip",
        "deleted": True,
        "tokensDeleted": 1,
        "portsKept": ["TV"],
        "readingsKept": 0,
    }
    assert cli("device", "list", "--json").json() == []
    (kept,) = cli("port", "list", "--json").json()
    assert (kept["id"], kept["deviceId"]) == (port["id"], None)
    assert cli("device", "delete", device, "--yes").code == 2


def test_token_create_rotate_revoke_list(cli, device):
    created = cli("token", "create", device, "--json").json()
    assert created["token"].startswith(TOKEN_PREFIX) and created["deviceId"] == device
    assert created["prefix"] == created["token"][:8]
    rotated = cli("token", "rotate", device, "--json").json()
    assert rotated["token"] != created["token"]
    listed = cli("token", "list", device, "--json").json()
    assert [(t["prefix"], t["state"]) for t in listed] == [
        (rotated["prefix"], "active"),
        (created["prefix"], "revoked"),
    ]
    assert all(set(t) >= {"createdAt", "lastUsedAt", "revokedAt"} for t in listed)
    assert cli("token", "revoke", device, "--json").json() == {"deviceId": device, "revoked": 1}
    assert cli("token", "revoke", device, "--json").json()["revoked"] == 0
    assert cli("device", "list", "--json").json()[0]["tokenState"] == "revoked"
    missing = cli("token", "rotate", "nope")
    assert missing.code == 2 and "device nope not found" in missing.err


def test_new_token_as_text_shows_how_to_try_it(cli, device):
    port = cli("port", "add", "TV", "--device", device, "--threshold", "5", "--json").json()
    shown = cli("token", "create", device)
    assert shown.code == 0 and shown.out.startswith(f"token={TOKEN_PREFIX}")
    token = shown.out.split()[0].removeprefix("token=")
    assert "not shown again" in shown.err
    assert f"phantom-sim --url http://127.0.0.1:3000 --token {token} --port-id {port['id']}" in (
        shown.err
    )
    assert "curl -X POST http://127.0.0.1:3000/api/sensor/reading" in shown.err
    as_json = cli("token", "rotate", device, "--json")
    assert as_json.err == ""  # scripts get the JSON only
    logs = Path(os.environ["PHANTOM_HOME"]) / "logs"
    for log in logs.glob("*"):
        assert token not in log.read_text(encoding="utf-8")
