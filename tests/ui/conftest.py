"""Fixtures for window tests (on the root conftest's `services`): plugs fed through the writer,
an open window, and a check that every thread a test started has ended."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThread, QThreadPool

from phantom_desktop.app import Services
from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import CREATED, Outcome, Submission
from phantom_desktop.store import repository
from phantom_desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def no_threads_left(monkeypatch) -> Iterator[None]:
    """Fail a test that leaves a QThread, a pool worker or one of our threads running."""
    started: list[QThread] = []
    original_start = QThread.start

    def recording_start(self, *args):
        started.append(self)
        return original_start(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    before = set(threading.enumerate())
    yield
    # A QThread deleted during the test (with its dialog) has stopped: Qt aborts otherwise.
    assert [t for t in started if shiboken6.isValid(t) and t.isRunning()] == []
    assert QThreadPool.globalInstance().activeThreadCount() == 0
    left = [t for t in threading.enumerate() if t not in before and t.name.startswith("phantom")]
    assert left == []


class RecordingSink:
    """Collects the writer's outcomes; `wait` blocks until `count` have arrived."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self._arrived = threading.Condition()

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        with self._arrived:
            self.outcomes.extend(outcome for _tag, outcome in results)
            self._arrived.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> list[Outcome]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.outcomes) >= count, timeout)
            return list(self.outcomes)


@dataclass
class Plug:
    """A device with a token and one port, fed through the writer like the HTTP server does."""

    services: Services
    token: str
    port_id: str
    name: str

    def send(self, *powers: float, voltage: float = 230.0) -> None:
        """Submit readings (one submission each) and wait until all are committed."""
        sink = RecordingSink()
        for power in powers:
            reading = ReadingValues(
                self.port_id, voltage, power / voltage, power, datetime.now(UTC)
            )
            submission = Submission(
                readings=[reading], sink=sink, token_hash=hash_token(self.token)
            )
            assert self.services.writer.submit(submission)
        outcomes = sink.wait(len(powers))
        assert [outcome.status for outcome in outcomes] == [CREATED] * len(powers)


@pytest.fixture
def make_plug(services):
    """Create a device, token and port: make_plug("TV", threshold_w=5, min_duration_s=0)."""

    def make(name: str, **port_options) -> Plug:
        with services.sessions.begin() as session:
            device = repository.create_device(session, services.user_id, f"{name} plug")
            token, _ = repository.create_token(session, services.user_id, device.id)
            port_options.setdefault("threshold_w", 5.0)
            port = repository.create_port(
                session, services.user_id, name, device.id, **port_options
            )
            port_id = port.id
        return Plug(services, token, port_id, name)

    return make


@pytest.fixture
def window_settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_window(qtbot, services, window_settings):
    """Open (and at teardown close) a MainWindow; waits until its start state is shown."""
    windows: list[MainWindow] = []

    def open_() -> MainWindow:
        window = MainWindow(services, settings=window_settings)
        windows.append(window)
        with qtbot.waitSignal(window.loaded, timeout=5000):
            window.show()
        return window

    yield open_
    for window in windows:
        window.close()
        window.deleteLater()
