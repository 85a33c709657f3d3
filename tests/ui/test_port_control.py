"""On/off through the writer: the database worker never waits for the writer's answer."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

import pytest

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.ingest.messages import PortCommand
from phantom_desktop.ui.ports import port_control
from phantom_desktop.ui.ports.port_control import PortControl
from phantom_desktop.ui.tasks import DbWorker
from tests.ui.manage_support import TIMEOUT_MS


class SilentWriter:
    """Accepts commands and answers when the test says so."""

    def __init__(self) -> None:
        self.commands: list[PortCommand] = []

    def command(
        self, command: PortCommand, on_done: Callable[[Future[PortStatus]], None] | None = None
    ) -> PortCommand:
        if on_done is not None:
            command.done.add_done_callback(on_done)
        self.commands.append(command)
        return command


@pytest.fixture
def control(qtbot, services):
    worker = DbWorker(services.sessions)
    worker.start()
    writer = SilentWriter()
    yield PortControl(writer, worker, services.user_id), writer, worker
    worker.stop()


def test_table_loads_go_on_while_a_command_waits_for_the_writer(qtbot, control, make_plug):
    lamp = make_plug("Lamp")
    ports, writer, worker = control
    set_status: list[tuple[str, str, str]] = []
    ports.status_set.connect(lambda *args: set_status.append(args))

    ports.set_status(lamp.port_id, PortStatus.OFF)
    qtbot.waitUntil(lambda: len(writer.commands) == 1, timeout=TIMEOUT_MS)
    assert ports.is_pending(lamp.port_id)

    loaded: list[int] = []
    worker.submit("a table load", lambda _session: 7, loaded.append)
    qtbot.waitUntil(lambda: loaded == [7], timeout=1000)  # not behind the 10 s command
    assert ports.is_pending(lamp.port_id) and set_status == []

    writer.commands[0].done.set_result(PortStatus.OFF)  # on the test's thread, as on the writer's

    qtbot.waitUntil(lambda: set_status == [(lamp.port_id, "Lamp", "off")], timeout=TIMEOUT_MS)
    assert not ports.is_pending(lamp.port_id)


def test_a_command_without_an_answer_fails_after_the_timeout(
    qtbot, control, make_plug, monkeypatch
):
    monkeypatch.setattr(port_control, "COMMAND_TIMEOUT_MS", 200)
    lamp = make_plug("Lamp")
    ports, writer, _worker = control
    set_status: list[tuple[str, str, str]] = []
    ports.status_set.connect(lambda *args: set_status.append(args))

    with qtbot.waitSignal(ports.status_failed, timeout=TIMEOUT_MS) as failed:
        ports.set_status(lamp.port_id, PortStatus.OFF)

    assert failed.args == [lamp.port_id, "Turning Lamp off failed: the app did not answer"]
    assert not ports.is_pending(lamp.port_id)
    writer.commands[0].done.set_result(PortStatus.OFF)  # too late: nothing more happens
    qtbot.wait(50)
    assert set_status == [] and not ports.is_pending(lamp.port_id)


def test_the_writers_refusal_is_reported(qtbot, control, make_plug):
    lamp = make_plug("Lamp")
    ports, writer, _worker = control
    ports.set_status(lamp.port_id, PortStatus.OFF)
    qtbot.waitUntil(lambda: len(writer.commands) == 1, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(ports.status_failed, timeout=TIMEOUT_MS) as failed:
        writer.commands[0].done.set_exception(RuntimeError("ingestion is stopped"))

    assert failed.args == [lamp.port_id, "Turning Lamp off failed: ingestion is stopped"]
    assert not ports.is_pending(lamp.port_id)
