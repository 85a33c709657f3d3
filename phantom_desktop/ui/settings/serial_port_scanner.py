"""Lists the computer's serial ports on a thread of its own: enumerating them can be slow."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal

from phantom_desktop.ingest.serial.discovery import available_ports

log = logging.getLogger(__name__)


class PortScanner(QThread):
    """`scan()` once or again; `found` (list of SerialPortInfo) or `failed` (message) arrive on the
    GUI thread. Call `wait()` before the owner goes away."""

    found = Signal(list)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phantom-port-scan")

    def scan(self) -> bool:
        """Start a scan unless one is running; False when one already is."""
        if self.isRunning():
            return False
        self.start()
        return True

    def run(self) -> None:
        try:
            ports = available_ports()
        except Exception as exc:  # the OS's enumeration fails in various ways
            log.exception("listing serial ports failed")
            self.failed.emit(f"Could not list serial ports: {exc}")
        else:
            self.found.emit(ports)
