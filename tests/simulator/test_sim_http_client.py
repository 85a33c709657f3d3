"""The HTTP client against a small app that answers like the contract."""

from __future__ import annotations

import asyncio
import io
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from simulator.backoff import Backoff
from simulator.device import DeviceSpec
from simulator.http_client import reading_endpoint, run_devices
from simulator.summary import Summary
from tests.simulator.sim_server import FakeApp, created, error

FAST = Backoff(first_s=0.01, cap_s=0.05)
TV = DeviceSpec("token-1", "port-1")
SUCCESS = re.compile(
    r"✅ Success -> Voltage: \d+\.\dV \| Current: \d+\.\d{3}A \| Power: \d+\.\d{2}W$"
)


def simulate(
    url: str,
    devices: list[DeviceSpec],
    count: int | None = 3,
    stop_after_s: float | None = None,
    **options: Any,
) -> tuple[Summary, str]:
    """Run the devices at 0.01 s intervals; return the summary and what was printed."""
    out = io.StringIO()

    async def scenario() -> Summary:
        stop = asyncio.Event()
        if stop_after_s is not None:
            asyncio.get_running_loop().call_later(stop_after_s, stop.set)
        return await run_devices(
            url, devices, 0.01, count, out=out, backoff=FAST, stop=stop, **options
        )

    return asyncio.run(scenario()), out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3000",
        "http://127.0.0.1:3000/",
        "127.0.0.1:3000",
        "http://127.0.0.1:3000/api/sensor/reading",
        "http://127.0.0.1:3000/api/sensor/reading/",
    ],
)
def test_the_url_may_be_given_with_or_without_the_path(url: str) -> None:
    assert reading_endpoint(url) == "http://127.0.0.1:3000/api/sensor/reading"


@pytest.mark.parametrize("url", ["ftp://host", "http://", "http://host:port"])
def test_a_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        reading_endpoint(url)


def test_each_reading_is_posted_as_the_contract_says_and_printed(fake_app: Callable) -> None:
    app: FakeApp = fake_app()
    summary, out = simulate(app.url, [TV], count=3)

    lines = out.splitlines()
    assert len(lines) == 4
    assert all(SUCCESS.match(line) for line in lines[:3]), out
    assert lines[3] == "3 readings answered: 3 accepted, 0 refused, 0 retries"
    assert (summary.sent, summary.accepted, summary.failed) == (3, 3, 0)
    for body in app.bodies:
        assert set(body) == {"deviceToken", "portId", "voltage", "current", "power"}
        assert (body["deviceToken"], body["portId"]) == ("token-1", "port-1")
        assert body["current"] == pytest.approx(body["power"] / body["voltage"], abs=0.00051)


def test_a_busy_app_gets_the_same_reading_again_then_takes_it(fake_app: Callable) -> None:
    app: FakeApp = fake_app(
        lambda body, n: error(503, "store unavailable") if n < 2 else created(body)
    )
    summary, out = simulate(app.url, [TV], count=1)

    assert len(app.bodies) == 3
    assert app.bodies[0] == app.bodies[1] == app.bodies[2]
    assert out.count("retrying in") == 1  # the same notice is not repeated
    assert "… app busy (503: store unavailable), retrying in 0.0 s" in out
    assert "✅ app answering again" in out
    assert (summary.accepted, summary.retries) == (1, 2)


def test_an_unreachable_app_is_retried_with_one_clear_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    summary, out = simulate(url, [TV], count=None, stop_after_s=0.3)

    assert out.count("retrying in") == 1
    assert f"… app not reachable at {url}/api/sensor/reading, retrying in" in out
    assert summary.retries >= 2
    assert summary.sent == 0
    assert not summary.all_stopped


def test_a_refused_token_stops_the_port_and_says_what_to_do(fake_app: Callable) -> None:
    app: FakeApp = fake_app(lambda body, n: error(401, "Invalid or revoked device token"))
    summary, out = simulate(app.url, [TV], count=5)

    assert len(app.bodies) == 1
    assert "the token was refused (Invalid or revoked device token)" in out
    assert "generate a new token in Phantom Desktop (Devices → Generate token)" in out
    assert summary.all_stopped
    assert summary.ports[0].stop_reason == "token refused (401)"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (error(404, "Port port-1 not found"), "port port-1 does not exist"),
        ((404, "404: Not Found"), "/api/sensor/reading is not a Phantom Desktop reading endpoint"),
        (error(403, "Port port-1 belongs to another user"), "port port-1 belongs to another user"),
    ],
)
def test_an_unknown_or_foreign_port_stops_the_port(
    fake_app: Callable, answer: tuple[int, Any], expected: str
) -> None:
    app: FakeApp = fake_app(lambda body, n: answer)
    summary, out = simulate(app.url, [TV], count=5)

    assert len(app.bodies) == 1
    assert "⛔ tv@port-1 stopped: " in out
    assert expected in out
    assert summary.all_stopped


def test_a_refused_reading_is_reported_and_the_port_goes_on(fake_app: Callable) -> None:
    app: FakeApp = fake_app(
        lambda body, n: error(400, "'voltage' must be a number") if n == 0 else created(body)
    )
    summary, out = simulate(app.url, [TV], count=3)

    assert "❌ Reading refused (400): 'voltage' must be a number" in out
    assert len(app.bodies) == 3
    assert (summary.sent, summary.accepted, summary.failed) == (3, 2, 1)
    assert not summary.all_stopped


def test_a_port_turned_off_draws_nothing_until_it_is_on_again(fake_app: Callable) -> None:
    def respond(body: dict[str, Any], n: int) -> tuple[int, Any]:
        if n == 1:
            return created(body, phantom=True, port_status="off")
        return created(body, port_status="off" if n in (2, 3) else "active")

    app: FakeApp = fake_app(respond)
    summary, out = simulate(app.url, [TV], count=7)

    powers = [body["power"] for body in app.bodies]
    assert all(power > 50 for power in powers[:2] + powers[5:]), powers  # a TV being watched
    for body in app.bodies[2:5]:
        assert (body["current"], body["power"]) == (0.0, 0.0)
        assert body["voltage"] > 220
    assert "⚠️  Phantom detected on tv@port-1: port turned off" in out
    assert "🔌 tv@port-1: port turned back on, relay closed" in out
    assert out.count("relay open (port off)") == 3
    assert summary.ports[0].phantoms == 1


def test_a_phantom_the_app_leaves_on_is_reported_once(fake_app: Callable) -> None:
    app: FakeApp = fake_app(lambda body, n: created(body, phantom=n >= 1))
    summary, out = simulate(app.url, [TV], count=4)

    assert summary.ports[0].phantoms == 1
    assert out.count("Phantom detected") == 1
    assert "⚠️  Phantom detected on tv@port-1: standby" in out
    assert "(port left on)" in out
    assert all(body["power"] > 0 for body in app.bodies)


def test_many_devices_run_concurrently_on_kept_alive_connections(fake_app: Callable) -> None:
    app: FakeApp = fake_app()
    devices = [
        DeviceSpec("token-1", "p1", "tv"),
        DeviceSpec("token-1", "p2", "fridge"),
        DeviceSpec("token-2", "p3", "charger", label="kitchen"),
    ]
    summary, out = simulate(app.url, devices, count=5)

    assert len(app.bodies) == 15
    assert {body["portId"] for body in app.bodies} == {"p1", "p2", "p3"}
    assert len(app.peers) <= 3  # connections are reused, not one per reading
    for label in ("tv@p1", "fridge@p2", "kitchen"):
        assert out.count(f"[{label}] ✅ Success -> Voltage:") == 5
    assert summary.accepted == 15


def test_stop_ends_an_endless_run_with_a_summary(fake_app: Callable) -> None:
    app: FakeApp = fake_app()
    summary, out = simulate(app.url, [TV], count=None, stop_after_s=0.2)

    assert summary.accepted > 3
    assert out.splitlines()[-1].startswith(f"{summary.sent} readings answered:")


def test_a_seed_repeats_the_same_readings(fake_app: Callable) -> None:
    app: FakeApp = fake_app()
    simulate(app.url, [TV], count=5, seed=11, quiet=True)
    simulate(app.url, [TV], count=5, seed=11, quiet=True)

    assert app.bodies[:5] == app.bodies[5:]


def test_quiet_prints_only_notices_and_the_summary(fake_app: Callable) -> None:
    app: FakeApp = fake_app(
        lambda body, n: created(body, port_status="off" if n == 1 else "active")
    )
    _, out = simulate(app.url, [TV], count=3, quiet=True)

    assert out.splitlines() == [
        "⏻  tv@port-1: port turned off in Phantom Desktop, relay open",
        "🔌 tv@port-1: port turned back on, relay closed",
        "3 readings answered: 3 accepted, 0 refused, 0 retries",
    ]
