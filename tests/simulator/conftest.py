"""Fixtures of the simulator tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.simulator.sim_server import FakeApp, Responder, created


@pytest.fixture
def fake_app() -> Iterator[Callable[..., FakeApp]]:
    """Start fake apps with a responder; all of them stop when the test ends."""
    apps: list[FakeApp] = []

    def start(respond: Responder = lambda body, _: created(body)) -> FakeApp:
        apps.append(FakeApp(respond).start())
        return apps[-1]

    yield start
    for app in apps:
        app.stop()
