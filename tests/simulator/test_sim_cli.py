"""`phantom-sim` / `python -m simulator`: arguments, devices file, exit status, signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.devices_file import DevicesFileError, load_devices_file
from tests.simulator.sim_server import FakeApp, error

THREE_PORTS = ["--token", "t", "--port-id", "a", "--port-id", "b", "--port-id", "c"]


@pytest.fixture(autouse=True)
def no_token_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHANTOM_TOKEN", raising=False)


def fast(app: FakeApp, *args: str) -> list[str]:
    return ["--url", app.url, "--interval", "0.01", *args]


def test_count_sends_n_readings_per_port_then_exits_0(
    fake_app: Callable, capsys: pytest.CaptureFixture[str]
) -> None:
    app: FakeApp = fake_app()
    argv = fast(app, "--token", "t", "--port-id", "a", "--port-id", "b", "--count", "2")
    assert main([*argv, "--profile", "fridge", "--profile", "lamp"]) == 0

    out = capsys.readouterr().out
    assert len(app.bodies) == 4
    assert {body["deviceToken"] for body in app.bodies} == {"t"}
    assert out.count("[fridge@a] ✅ Success -> Voltage:") == 2
    assert out.count("[lamp@b] ✅ Success -> Voltage:") == 2
    assert out.startswith("Simulating 2 port(s) → ")


def test_one_profile_applies_to_every_port(
    fake_app: Callable, capsys: pytest.CaptureFixture[str]
) -> None:
    app: FakeApp = fake_app()
    argv = fast(app, "--token", "t", "--port-id", "a", "--port-id", "b", "--profile", "printer")
    assert main([*argv, "--count", "1"]) == 0

    out = capsys.readouterr().out
    assert "[printer@a]" in out
    assert "[printer@b]" in out


def test_a_devices_file_simulates_its_devices_in_one_process(
    fake_app: Callable, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app: FakeApp = fake_app()
    path = tmp_path / "devices.json"
    devices = [
        {"token": "t1", "portId": "a", "profile": "settopbox"},
        {"token": "t2", "portId": "b", "profile": "microwave", "label": "kitchen"},
        {"token": "t2", "portId": "c"},
    ]
    path.write_text(json.dumps(devices), encoding="utf-8")
    assert main(fast(app, "--devices-file", str(path), "--count", "3", "--quiet")) == 0

    assert sorted((b["deviceToken"], b["portId"]) for b in app.bodies) == sorted(
        [("t1", "a"), ("t2", "b"), ("t2", "c")] * 3
    )
    assert capsys.readouterr().out == "9 readings answered: 9 accepted, 0 refused, 0 retries\n"


def test_exit_status_is_1_when_every_port_stopped(
    fake_app: Callable, capsys: pytest.CaptureFixture[str]
) -> None:
    app: FakeApp = fake_app(lambda body, n: error(401, "Invalid or revoked device token"))
    assert main(fast(app, "--token", "old", "--port-id", "a", "--count", "3")) == 1
    assert "Devices → Generate token" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port-id", "a"], "--port-id needs --token"),
        (["--token", "t"], "nothing to simulate"),
        (["--token", "t", "--profile", "tv"], "--profile goes with --port-id"),
        (
            [*THREE_PORTS, "--profile", "tv", "--profile", "lamp"],
            "2 --profile for 3 --port-id",
        ),
        (["--token", "t", "--port-id", "a", "--port-id", "a"], "port a is given twice"),
        (["--token", "t", "--port-id", "a", "--profile", "toaster"], "invalid choice"),
        (["--token", "t", "--port-id", "a", "--interval", "0"], "must be greater than 0"),
        (["--token", "t", "--port-id", "a", "--url", "ftp://x"], "--url: not an http(s) URL"),
        (["--devices-file", "/nonexistent/devices.json"], "cannot read"),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"token": "t"}', "expected a non-empty JSON list"),
        ("[]", "expected a non-empty JSON list"),
        ('["t"]', "entry 0: expected an object"),
        ('[{"portId": "a"}]', "entry 0: 'token' is required"),
        ('[{"token": "t", "portId": 5}]', "entry 0: 'portId' must be a string"),
        ('[{"token": "t", "portId": "a", "profile": "toaster"}]', "unknown profile 'toaster'"),
    ],
)
def test_a_bad_devices_file_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "devices.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DevicesFileError, match=message):
        load_devices_file(path)


def test_python_m_simulator_shows_help_with_the_profiles() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "--help"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0
    assert "phantom-sim" in done.stdout
    assert "settopbox" in done.stdout


def test_the_simulator_never_imports_phantom_desktop() -> None:
    code = (
        "import pkgutil, importlib, sys, simulator\n"
        "for m in pkgutil.iter_modules(simulator.__path__):\n"
        "    if m.name != '__main__': importlib.import_module('simulator.' + m.name)\n"
        "print(sorted(n for n in sys.modules if n.startswith('phantom_desktop')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_an_endless_run_cleanly(fake_app: Callable, sig: signal.Signals) -> None:
    app: FakeApp = fake_app()
    argv = ["--url", app.url, "--token", "t", "--port-id", "a", "--interval", "0.05"]
    with subprocess.Popen(
        [sys.executable, "-m", "simulator", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Simulating 1 port(s)")
        assert process.stdout.readline().startswith("✅ Success")
        process.send_signal(sig)
        out, err = process.communicate(timeout=10)

    assert process.returncode == 0
    assert "Traceback" not in err
    assert out.splitlines()[-1].endswith("0 refused, 0 retries")
