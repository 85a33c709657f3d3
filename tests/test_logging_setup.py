"""Log file and rotation, Qt messages routed into logging, uncaught exceptions logged and shown."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

import pytest

from phantom_desktop import logging_setup
from phantom_desktop.logging_setup import (
    LOG_FILE_NAME,
    install_excepthook,
    install_qt_message_handler,
    setup_logging,
)


@pytest.fixture
def restore_logging():
    """Undo setup_logging: root handlers and level, chatty loggers' levels, warnings capture."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name in logging_setup._CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.captureWarnings(False)


@pytest.fixture
def shown_dialogs(monkeypatch) -> Iterator[list[str]]:
    """Record each error box's text instead of exec(); restore the excepthooks afterwards.

    Pending (queued) dialogs are delivered before the fake is removed, so none leaks into
    a later test as a real, blocking box.
    """
    from PySide6.QtWidgets import QApplication, QMessageBox

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    yield shown
    if QApplication.instance() is not None:
        QApplication.processEvents()


def _raise_and_capture() -> tuple:
    try:
        raise ValueError("the meter said 42")
    except ValueError:
        return sys.exc_info()


def test_setup_logging_writes_info_to_the_file(tmp_path, restore_logging):
    log_file = setup_logging(tmp_path / "logs")
    assert log_file == tmp_path / "logs" / LOG_FILE_NAME

    logging.getLogger("phantom_desktop.test").info("hello file")
    logging.getLogger("phantom_desktop.test").debug("not without verbose")

    text = log_file.read_text("utf-8")
    assert "INFO" in text and "phantom_desktop.test: hello file" in text
    assert "not without verbose" not in text


def test_verbose_logs_debug(tmp_path, restore_logging):
    log_file = setup_logging(tmp_path, verbose=True)
    logging.getLogger("phantom_desktop.test").debug("details")
    assert "details" in log_file.read_text("utf-8")


def test_alembic_plugin_chatter_only_when_verbose(tmp_path, restore_logging):
    chatty = logging.getLogger("alembic.runtime.plugins")
    log_file = setup_logging(tmp_path)
    chatty.info("setup plugin quiet")
    setup_logging(tmp_path, verbose=True)
    chatty.info("setup plugin loud")
    text = log_file.read_text("utf-8")
    assert "quiet" not in text and "loud" in text


def test_calling_setup_again_does_not_duplicate_lines(tmp_path, restore_logging):
    setup_logging(tmp_path)
    log_file = setup_logging(tmp_path)
    logging.getLogger("phantom_desktop.test").warning("once")
    assert log_file.read_text("utf-8").count("once") == 1


def test_log_file_rotates(tmp_path, monkeypatch, restore_logging):
    monkeypatch.setattr(logging_setup, "MAX_BYTES", 500)
    log_file = setup_logging(tmp_path)
    for i in range(200):
        logging.getLogger("phantom_desktop.test").info("line %03d %s", i, "x" * 40)

    names = sorted(p.name for p in tmp_path.iterdir())
    backups = [f"{LOG_FILE_NAME}.{n}" for n in range(1, logging_setup.BACKUP_COUNT + 1)]
    assert names == sorted([LOG_FILE_NAME, *backups])
    assert log_file.stat().st_size <= 500
    assert "line 199" in log_file.read_text("utf-8")


def test_qt_messages_go_to_the_qt_logger(qapp, caplog):
    from PySide6.QtCore import qCritical, qWarning

    install_qt_message_handler()  # pytest-qt restores its own handler after the test
    with caplog.at_level(logging.DEBUG, logger="qt"):
        qWarning("plugin trouble")
        qCritical("worse trouble")

    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name == "qt"]
    assert ("qt", logging.WARNING, "plugin trouble") in records
    assert ("qt", logging.ERROR, "worse trouble") in records


def test_excepthook_logs_the_traceback(tmp_path, caplog, shown_dialogs):
    install_excepthook(tmp_path / LOG_FILE_NAME)
    with caplog.at_level(logging.CRITICAL):
        sys.excepthook(*_raise_and_capture())

    (record,) = caplog.records
    assert record.getMessage() == "Uncaught exception"
    assert record.exc_info[0] is ValueError
    assert "the meter said 42" in caplog.text and "_raise_and_capture" in caplog.text


def test_thread_excepthook_logs_with_the_thread_name(tmp_path, caplog, shown_dialogs):
    install_excepthook(tmp_path / LOG_FILE_NAME)

    def fail() -> None:
        raise RuntimeError("serial port vanished")

    with caplog.at_level(logging.CRITICAL):
        thread = threading.Thread(target=fail, name="serial-COM3")
        thread.start()
        thread.join()

    assert "Uncaught exception in thread serial-COM3" in caplog.text
    assert "serial port vanished" in caplog.text


def test_gui_error_dialog_names_the_log_file(qapp, tmp_path, shown_dialogs):
    log_file = tmp_path / LOG_FILE_NAME
    install_excepthook(log_file)
    sys.excepthook(*_raise_and_capture())

    (text,) = shown_dialogs
    assert "ValueError: the meter said 42" in text
    assert str(log_file) in text


def test_error_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(
    qapp, qtbot, tmp_path, shown_dialogs
):
    install_excepthook(tmp_path / LOG_FILE_NAME)

    def fail() -> None:
        raise RuntimeError("writer crashed")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    assert shown_dialogs == []  # queued, not shown from the worker
    qtbot.waitUntil(lambda: len(shown_dialogs) == 1, timeout=2000)
    assert "RuntimeError: writer crashed" in shown_dialogs[0]
