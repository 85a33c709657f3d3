"""The window's database worker: tasks off the GUI thread, results and errors back on it."""

from __future__ import annotations

import threading

import pytest

from phantom_desktop.ui.tasks import DbWorker


@pytest.fixture
def worker(services):
    worker = DbWorker(services.sessions)
    worker.start()
    yield worker
    worker.stop()


def test_task_runs_off_the_gui_thread_and_reports_on_it(qtbot, worker):
    seen: dict[str, object] = {}

    def task(session):
        seen["task_thread"] = threading.current_thread()
        return session.connection().exec_driver_sql("select 41 + 1").scalar()

    def done(result):
        seen["done_thread"] = threading.current_thread()
        seen["result"] = result

    worker.submit("Adding", task, done)

    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["task_thread"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()


def test_a_failing_task_is_reported(qtbot, worker):
    errors: list[str] = []

    def task(_session):
        raise RuntimeError("disk on fire")

    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.submit("Burning", task, lambda _result: None, on_error=errors.append)

    assert blocker.args == ["Burning failed: disk on fire"]
    assert errors == ["Burning failed: disk on fire"]


def test_stop_finishes_queued_tasks_first(qtbot, worker):
    ran: list[int] = []
    for number in range(3):
        worker.submit("Counting", lambda _session, n=number: ran.append(n), lambda _r: None)

    worker.stop()

    assert ran == [0, 1, 2]
    assert not worker.isRunning()
