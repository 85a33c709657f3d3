"""Logging: a rotating file in the user log dir, Qt's messages routed in, uncaught errors shown.

Call `setup_logging` first, then `install_qt_message_handler` before the QApplication exists
(so platform-plugin errors reach the file), then `install_excepthook`. Qt is imported only
inside the functions that need it, so headless commands never load it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from phantom_desktop.log_redaction import RedactingFormatter

LOG_FILE_NAME = "phantom-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-8s [%(threadName)s] %(name)s: %(message)s"
_HANDLER_NAMES = ("phantom-desktop-file", "phantom-desktop-stderr")
# Loggers that say too much at INFO; heard only with verbose.
_CHATTY = ("alembic.runtime.plugins",)

log = logging.getLogger(__name__)


def setup_logging(log_dir: Path, verbose: bool = False) -> Path:
    """Log INFO and up (DEBUG when verbose) to a rotating file, warnings to stderr.

    Calling it again replaces the handlers it added before. Returns the log file's path.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() in _HANDLER_NAMES]:
        root.removeHandler(handler)
        handler.close()

    level = logging.DEBUG if verbose else logging.INFO
    file_handler = RotatingFileHandler(
        log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.set_name(_HANDLER_NAMES[0])
    file_handler.setLevel(level)
    file_handler.setFormatter(RedactingFormatter(FORMAT))
    root.addHandler(file_handler)
    if sys.stderr is not None:  # None in a windowed (no console) frozen app
        stderr_handler = logging.StreamHandler(sys.stderr)
        stderr_handler.set_name(_HANDLER_NAMES[1])
        stderr_handler.setLevel(level if verbose else logging.WARNING)
        stderr_handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stderr_handler)
    root.setLevel(level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
    logging.captureWarnings(True)
    return log_file


def install_qt_message_handler() -> None:
    """Send qDebug/qWarning/... (and Qt's own diagnostics) to the `qt` logger."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")

    def handler(msg_type, context, message: str) -> None:
        category = context.category
        if category and category != "default":
            message = f"{category}: {message}"
        qt_log.log(levels.get(msg_type, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def install_excepthook(log_file: Path) -> None:
    """Log uncaught exceptions from any thread; in the GUI, also tell the user where the log is."""
    reporter = _GuiErrorReporter(log_file)

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("Uncaught exception", exc_info=(exc_type, exc, tb))
        reporter.report(exc_type, exc, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit) or args.exc_value is None:
            return
        name = args.thread.name if args.thread else "?"
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        log.critical("Uncaught exception in thread %s", name, exc_info=exc_info)
        reporter.report(*exc_info)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


class _GuiErrorReporter:
    """Shows an uncaught error in a dialog on the GUI thread, if a QApplication is running."""

    def __init__(self, log_file: Path) -> None:
        self.log_file = log_file
        self._showing = False

    def report(
        self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if "PySide6.QtWidgets" not in sys.modules:  # headless: the log is enough
            return
        from PySide6.QtCore import QThread, QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        summary = f"{exc_type.__name__}: {exc}"
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        if QThread.currentThread() == app.thread():
            self._show(summary, details)
        else:  # widgets belong to the GUI thread: queue the dialog there
            QTimer.singleShot(0, app, lambda: self._show(summary, details))

    def _show(self, summary: str, details: str) -> None:
        if self._showing:  # another error while the box is up (e.g. in a paint event): log only
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, "Phantom Desktop — unexpected error", "")
        box.setText("Phantom Desktop ran into an unexpected error and may not work correctly.")
        box.setInformativeText(f"{summary}\n\nThe details are in the log file:\n{self.log_file}")
        box.setDetailedText(details)
        self._showing = True
        try:
            box.exec()
        finally:
            self._showing = False
