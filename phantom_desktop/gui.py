"""Runs the window: Qt application setup, services, demo feed, and a clean stop on close."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from phantom_desktop.app import Services, open_services, start_http, start_serial_sources
from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.gc_tuning import settle_after_startup
from phantom_desktop.store.accounts import needs_login
from phantom_desktop.store.database import StoreError

log = logging.getLogger(__name__)


def _start_ingestion_or_explain(services: Services, args: argparse.Namespace, demo: bool) -> str:
    """Start HTTP ingestion; return a warning for the user when it cannot listen, else ''."""
    start_serial_sources(services)
    try:
        start_http(services, host=args.host, port=args.port)
    except OSError as exc:
        if not demo:
            log.warning("HTTP ingestion is off: %s", exc)
            return f"Devices cannot reach this window over HTTP: {exc}"
        log.info("demo: %s; listening on a free port instead", exc)
        start_http(services, host=args.host, port=0)
    return ""


def _close_on_signals(window) -> None:
    """SIGINT/SIGTERM (Ctrl+C, logout, `kill`) close the window like its close button does."""
    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: window.close())
    # Python runs signal handlers only between bytecodes; a timer gives it the chance.
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)


def run_window(paths: AppPaths, settings: Settings, args: argparse.Namespace) -> int:
    """Show the main window until it is closed; every thread is stopped before returning."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from phantom_desktop.logging_setup import install_qt_message_handler
    from phantom_desktop.resources_path import app_icon, style_sheet

    install_qt_message_handler()  # before QApplication: platform plugin errors happen there
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Phantom Desktop")
    app.setOrganizationName("Phantom Desktop")
    app.setDesktopFileName("phantom-desktop")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())

    demo_setup = None
    db_url = args.db
    try:
        if args.demo:
            from phantom_desktop.demo import create_demo_database

            demo_setup = create_demo_database(paths.data_dir)
            db_url = demo_setup.db_url
        db_url = db_url or settings.resolved_db_url(paths)
        user_id = None
        if needs_login(db_url):  # a shared server database: act as whoever logs in
            from phantom_desktop.ui.accounts.login_dialog import log_in

            user_id = log_in(db_url)
            if user_id is None:
                return 0
        services = open_services(paths, settings, db_url, user_id)
    except StoreError as exc:
        QMessageBox.critical(None, "Phantom Desktop — database", str(exc))
        return 1

    feed = None
    try:
        warning = _start_ingestion_or_explain(services, args, demo_setup is not None)
        from phantom_desktop.ui.main_window import MainWindow

        window = MainWindow(services)
        window.show()
        _close_on_signals(window)
        settle_after_startup()
        if warning:
            QMessageBox.warning(window, "Phantom Desktop — ingestion", warning)
        if demo_setup is not None and services.listen_url:
            from phantom_desktop.demo import DemoFeed

            feed = DemoFeed(services.listen_url, demo_setup)
            feed.start()
        return app.exec()
    finally:
        if feed is not None:
            feed.stop()
        services.stop()
