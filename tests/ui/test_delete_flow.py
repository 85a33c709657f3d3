"""The one delete flow: the store's impact question, the user's answer, then the deletion."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QWidget

from phantom_desktop.store.repository import NotFound
from phantom_desktop.ui.common.confirm import ConfirmBox
from phantom_desktop.ui.common.delete_flow import DeleteFlow
from phantom_desktop.ui.tasks import DbWorker
from tests.ui.manage_support import TIMEOUT_MS, click


class Shelf:
    """Things that can be deleted, and a record of what the flow asked and did."""

    def __init__(self) -> None:
        self.things = {"k1": "Kettle", "k2": "Lamp"}
        self.asked: list[str] = []

    def impact(self, _session, key: str) -> str:
        self.asked.append(key)
        if key not in self.things:
            raise NotFound(f"thing {key} not found")
        return f"Delete {self.things[key]} and its 3 readings?"

    def remove(self, _session, key: str) -> str:
        return self.things.pop(key)


@pytest.fixture
def flow(qtbot, services):
    owner = QWidget()
    qtbot.addWidget(owner)
    worker = DbWorker(services.sessions, owner)
    worker.start()
    shelf = Shelf()
    opened: list[QDialog] = []

    def open_dialog(dialog: QDialog) -> None:
        opened.append(dialog)
        dialog.open()

    deleter = DeleteFlow(worker, owner, "thing", shelf.impact, shelf.remove, open_dialog)
    yield deleter, shelf, opened
    worker.stop()


def test_confirmed_deletes_then_says_so(qtbot, flow):
    deleter, shelf, opened = flow
    messages: list[str] = []
    deleter.message.connect(messages.append)

    deleter.start("k1")
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=TIMEOUT_MS)
    question = opened[0]
    assert isinstance(question, ConfirmBox)
    assert question.windowTitle() == "Delete thing"
    assert question.text() == "Delete Kettle and its 3 readings?"
    assert question.confirm_button.text() == "Delete thing"
    assert "k1" in shelf.things  # nothing deleted before the answer

    with (
        qtbot.waitSignal(deleter.deleted, timeout=TIMEOUT_MS) as deleted,
        qtbot.waitSignal(deleter.finished, timeout=TIMEOUT_MS),
    ):
        click(qtbot, question.confirm_button)

    assert deleted.args == ["k1", "Kettle"]
    assert shelf.things == {"k2": "Lamp"}
    assert messages == ["Deleted the thing Kettle"]


def test_cancel_deletes_nothing(qtbot, flow):
    deleter, shelf, opened = flow
    finished: list[bool] = []
    deleter.finished.connect(lambda: finished.append(True))

    deleter.start("k2")
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=TIMEOUT_MS)
    click(qtbot, opened[0].cancel_button)

    qtbot.wait(100)  # a deletion would have been queued by now
    assert shelf.things == {"k1": "Kettle", "k2": "Lamp"}
    assert finished == []  # nothing changed: no reload


def test_a_thing_gone_meanwhile_is_reported_without_a_question(qtbot, flow):
    deleter, shelf, opened = flow
    messages: list[str] = []
    deleter.message.connect(messages.append)

    with qtbot.waitSignal(deleter.finished, timeout=TIMEOUT_MS):
        deleter.start("k9")

    assert shelf.asked == ["k9"]
    assert opened == []
    assert messages == ["Thing k9 not found."]
