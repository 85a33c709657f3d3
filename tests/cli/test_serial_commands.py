"""`serial add|list|remove|ports`: the settings file, checks against the database, and a source
added on the command line being read when the app starts."""

from __future__ import annotations

import json
import time

import pytest

from phantom_desktop.app import open_services, start_serial_sources
from phantom_desktop.config import AppPaths, load_settings
from phantom_desktop.ingest.serial.config import UsbMatch
from phantom_desktop.ingest.serial.discovery import SerialPortInfo
from simulator.serial_meter import start_meter


@pytest.fixture
def meter_setup(cli) -> dict:
    """A device with two ports, as `serial add` needs them."""
    device = cli("device", "add", "DIN rail", "--json").json()["id"]
    ports = [
        cli("port", "add", name, "--device", device, "--threshold", "5", "--json").json()["id"]
        for name in ("Kettle", "Washer")
    ]
    return {"device": device, "ports": ports}


def settings_file() -> dict:
    return json.loads(AppPaths.for_user().settings_file.read_text(encoding="utf-8"))


def write_settings_file(data: dict) -> None:
    path = AppPaths.for_user().settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def add_pzem(cli, setup, name="Kitchen", port="/dev/ttyUSB0", *extra):
    kettle, washer = setup["ports"]
    return cli(
        "serial", "add", name, "--path", port, "--protocol", "pzem", "--device", setup["device"],
        "--map", f"1={kettle}", "--map", f"2={washer}", *extra,
    )  # fmt: skip


def test_add_list_remove_as_json(cli, meter_setup):
    kettle, washer = meter_setup["ports"]

    added = add_pzem(cli, meter_setup, "Kitchen", "/dev/ttyUSB0", "--poll", "0.5", "--json").json()

    assert added == {
        "name": "Kitchen",
        "port": "/dev/ttyUSB0",
        "usb": None,
        "protocol": "pzem",
        "baudrate": 9600,
        "deviceId": meter_setup["device"],
        "channels": {"1": kettle, "2": washer},
        "pollIntervalS": 0.5,
        "enabled": True,
    }
    assert settings_file()["serial_sources"][0]["channels"] == {"1": kettle, "2": washer}
    assert cli("serial", "list", "--json").json() == [added]

    removed = cli("serial", "remove", "kitchen", "--json").json()  # names ignore case

    assert removed == {**added, "removed": True}
    assert cli("serial", "list", "--json").json() == []
    assert settings_file()["serial_sources"] == []


def test_emontx_over_usb_identity_with_baud(cli, meter_setup):
    kettle = meter_setup["ports"][0]
    run = cli(
        "serial", "add", "emonTx", "--usb", "10c4:ea60:0001", "--protocol", "emontx",
        "--device", meter_setup["device"], "--map", f"p1={kettle}", "--baud", "38400", "--json",
    )  # fmt: skip

    added = run.json()
    assert (added["port"], added["usb"], added["baudrate"]) == ("", "10C4:EA60 serial 0001", 38400)
    assert added["channels"] == {"P1": kettle}
    stored = settings_file()["serial_sources"][0]
    assert stored["usb"] == {"vid": "10C4", "pid": "EA60", "serial_number": "0001"}


def test_only_serial_sources_are_written_and_env_overrides_stay_out(
    cli, meter_setup, monkeypatch, tmp_path
):
    write_settings_file({"http_port": 3100, "from_a_newer_version": {"keep": True}})
    monkeypatch.setenv("PHANTOM_HTTP_PORT", "4000")
    monkeypatch.setenv("PHANTOM_HTTP_HOST", "0.0.0.0")

    add_pzem(cli, meter_setup, "Kitchen", "/dev/ttyUSB0", "--json").json()

    data = settings_file()
    assert data["http_port"] == 3100
    assert data["from_a_newer_version"] == {"keep": True}
    assert "http_host" not in data and "db_url" not in data
    assert [s["name"] for s in data["serial_sources"]] == ["Kitchen"]


def test_a_database_from_the_environment_is_not_persisted(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PHANTOM_DB_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    device = cli("device", "add", "strip", "--json").json()["id"]
    port = cli("port", "add", "TV", "--device", device, "--threshold", "5", "--json").json()["id"]

    cli(
        "serial", "add", "Strip", "--path", "/dev/ttyACM0", "--protocol", "jsonl",
        "--device", device, "--json",
    ).json()  # fmt: skip

    assert "db_url" not in settings_file()
    assert port  # the device and port were checked in the environment's database


def test_text_output_says_when_the_change_applies(cli, meter_setup):
    run = add_pzem(cli, meter_setup)

    assert run.code == 0, run.err
    assert "name=Kitchen" in run.out and "protocol=pzem" in run.out
    assert "when it next starts" in run.err
    assert "Settings dialog applies changes at once" in run.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--device", "nope"], "device nope not found"),
        (["--map", "1=nope"], "channel 1: port nope not found"),
        (["--map", "P1=KETTLE"], "a Modbus meter address is 1 to 247"),
        (["--map", "1"], "write CHANNEL=PORT_ID"),
        (["--map", "1=KETTLE", "--map", "1=KETTLE"], "channel 1 is given twice"),
        (["--baud", "3"], "--baud must be a whole number from 50 to 4000000"),
        (["--poll", "0"], "--poll must be more than 0"),
        (["--usb", "zz"], "write VID:PID"),
        (["NO_MAP"], "--map must map at least one of the meter addresses"),
    ],
)
def test_add_refuses_what_is_wrong_and_writes_nothing(cli, meter_setup, argv, message):
    kettle = meter_setup["ports"][0]
    argv = [a.replace("KETTLE", kettle) for a in argv]
    if "--device" not in argv:
        argv += ["--device", meter_setup["device"]]
    if "--map" not in argv and "NO_MAP" not in argv:
        argv += ["--map", f"1={kettle}"]
    argv = [a for a in argv if a != "NO_MAP"]

    run = cli("serial", "add", "Kitchen", "--path", "/dev/ttyUSB0", "--protocol", "pzem", *argv)

    assert run.code == 2
    assert message in run.err
    assert not AppPaths.for_user().settings_file.exists()


def test_add_refuses_a_taken_name_or_port(cli, meter_setup):
    add_pzem(cli, meter_setup, "Kitchen", "/dev/ttyUSB0", "--json").json()
    before = settings_file()

    same_name = add_pzem(cli, meter_setup, "KITCHEN", "/dev/ttyUSB1")
    same_port = add_pzem(cli, meter_setup, "Garage", "/dev/ttyUSB0")

    assert same_name.code == 2 and "a serial source named 'KITCHEN' exists" in same_name.err
    assert same_port.code == 2 and "two enabled serial sources use the port" in same_port.err
    assert settings_file() == before


def test_add_refuses_a_port_another_meter_measures(cli, meter_setup):
    add_pzem(cli, meter_setup, "Kitchen", "/dev/ttyUSB0", "--json").json()
    kettle = meter_setup["ports"][0]

    run = cli(
        "serial", "add", "Clamp", "--path", "/dev/ttyACM0", "--protocol", "emontx",
        "--device", meter_setup["device"], "--map", f"P2={kettle}",
    )  # fmt: skip

    assert run.code == 2
    assert "channel P2: that port is already measured by 'Kitchen'" in run.err


def test_list_shows_a_broken_entry_and_remove_deletes_it(cli):
    write_settings_file({"serial_sources": [{"name": "Old", "protocol": "modbus"}]})

    listed = cli("serial", "list", "--json").json()

    assert listed[0]["name"] == "Old"
    assert "'protocol' must be one of" in listed[0]["error"]
    assert cli("serial", "remove", "Old", "--json").json()["removed"] is True
    assert settings_file()["serial_sources"] == []


def test_remove_an_unknown_source(cli):
    run = cli("serial", "remove", "Nothing")

    assert run.code == 2
    assert "no serial source named 'Nothing'" in run.err


def test_ports_lists_what_the_os_has(cli, monkeypatch):
    found = [SerialPortInfo("/dev/ttyUSB0", "CP2102 USB to UART", UsbMatch(0x10C4, 0xEA60, "0001"))]
    monkeypatch.setattr("phantom_desktop.cli.serial.available_ports", lambda: found)

    assert cli("serial", "ports", "--json").json() == [
        {
            "port": "/dev/ttyUSB0",
            "description": "CP2102 USB to UART",
            "usb": "10C4:EA60 serial 0001",
        }
    ]


def test_a_source_added_on_the_command_line_is_read_when_the_app_starts(cli, meter_setup):
    with start_meter("pzem", addresses=(1, 2), interval_s=0.05) as meter:
        add_pzem(cli, meter_setup, "Bus", meter.path, "--poll", "0.05", "--json").json()
        paths = AppPaths.for_user()
        services = open_services(paths, load_settings(paths))
        try:
            start_serial_sources(services)
            (source,) = services.sources
            deadline = time.monotonic() + 10
            while source.status.readings < 4 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert source.status.readings >= 4
            assert source.status.state == "connected"
        finally:
            services.stop()
