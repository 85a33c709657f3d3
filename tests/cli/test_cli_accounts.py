"""`user add` and acting as a named user (--user): required on a server database."""

from __future__ import annotations

import getpass

import pytest

PASSWORD = "correct horse"


@pytest.fixture
def server(cli, mysql_url, monkeypatch):
    """A MariaDB database with the accounts alice and bob; `as_(name, *args)` runs as one."""
    for name in ("alice", "bob"):
        added = cli("user", "add", name, "--password-stdin", "--db", mysql_url, "--json",
                    stdin=f"{name} {PASSWORD}\n")  # fmt: skip
        assert added.json()["name"] == name

    def as_(name: str, *args: str):
        monkeypatch.setenv("PHANTOM_PASSWORD", f"{name} {PASSWORD}")
        return cli(*args, "--db", mysql_url, "--user", name)

    return as_


def test_user_add_reads_the_password_and_checks_it(cli):
    added = cli("user", "add", "alice", "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert set(added.json()) == {"id", "name", "createdAt"}
    short = cli("user", "add", "bob", "--password-stdin", stdin="short\n")
    assert short.code == 2 and "at least 8 characters" in short.err
    taken = cli("user", "add", "ALICE", "--password-stdin", stdin=PASSWORD + "\n")
    assert taken.code == 2 and "the user name 'ALICE' is taken" in taken.err
    piped = cli("user", "add", "carol")
    assert piped.code == 2 and "--password-stdin" in piped.err


def test_user_add_prompts_twice_on_a_terminal(cli, monkeypatch):
    answers = iter([PASSWORD, PASSWORD, PASSWORD, "something else"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert cli("user", "add", "alice", "--json", tty=True).json()["name"] == "alice"
    differ = cli("user", "add", "bob", tty=True)
    assert differ.code == 2 and "the two passwords differ" in differ.err


def test_embedded_database_acts_as_local_user_unless_told(cli, monkeypatch):
    cli("device", "add", "local strip", "--json").json()
    cli("user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    monkeypatch.setenv("PHANTOM_PASSWORD", PASSWORD)
    assert cli("device", "list", "--user", "alice", "--json").json() == []
    assert [d["name"] for d in cli("device", "list", "--json").json()] == ["local strip"]


@pytest.mark.mysql
def test_server_database_needs_a_user_and_the_right_password(cli, server, mysql_url, monkeypatch):
    anonymous = cli("device", "list", "--db", mysql_url)
    assert anonymous.code == 3
    assert "shared database: say who you are with --user NAME" in anonymous.err
    monkeypatch.delenv("PHANTOM_PASSWORD", raising=False)
    no_password = cli("device", "list", "--db", mysql_url, "--user", "alice")
    assert no_password.code == 3 and "no password for 'alice': set PHANTOM_PASSWORD" in (
        no_password.err
    )
    monkeypatch.setenv("PHANTOM_PASSWORD", "wrong")
    wrong = cli("device", "list", "--db", mysql_url, "--user", "alice")
    assert (wrong.code, wrong.err.strip()) == (
        3,
        "phantom-desktop: error: wrong user name or password",
    )
    monkeypatch.delenv("PHANTOM_PASSWORD")
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": f"alice {PASSWORD}")
    prompted = cli("device", "list", "--db", mysql_url, "--user", "alice", "--json", tty=True)
    assert prompted.json() == []


@pytest.mark.mysql
def test_two_accounts_on_mariadb_see_only_their_own(server):
    ids = {}
    for name in ("alice", "bob"):
        device = server(name, "device", "add", f"{name}'s strip", "--json").json()["id"]
        port = server(name, "port", "add", "TV", "--device", device, "--threshold", "5", "--json")
        server(name, "token", "create", device, "--json").json()
        ids[name] = (device, port.json()["id"])
    for me, other in (("alice", "bob"), ("bob", "alice")):
        (device,) = server(me, "device", "list", "--json").json()
        assert (device["id"], device["tokenState"]) == (ids[me][0], "active")
        assert [p["id"] for p in server(me, "port", "list", "--json").json()] == [ids[me][1]]
        assert server(me, "alerts", "list", "--json").json() == []
        their_device, their_port = ids[other]
        for args in (  # every function is checked in tests/store; here, the CLI's path
            ("device", "delete", their_device, "--yes"),
            ("token", "rotate", their_device),
            ("port", "off", their_port),
        ):
            refused = server(me, *args)
            assert refused.code == 2 and "not found" in refused.err, args
    (bobs,) = server("bob", "device", "list", "--json").json()
    assert (bobs["name"], bobs["tokenState"]) == ("bob's strip", "active")
