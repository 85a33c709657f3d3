"""`phantom-desktop --self-test`: prove an installation (pip or bundle) works, without a display.

Starts ingestion on a free port with a throw-away SQLite database, creates a device, token and
port, posts a normal and a standby reading over HTTP, checks the answers, the stored rows and
the phantom event, builds the main window offscreen and checks the reading reached its plot,
and imports the MySQL driver and the serial and Modbus libraries.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from phantom_desktop.app import Services, open_services, start_ingestion
from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.store import repository
from phantom_desktop.store.summaries import stored_counts


class SelfTestFailure(RuntimeError):
    """One check failed; the message names it."""


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise SelfTestFailure(what)


def _ingest(services: Services) -> tuple[str, list[str]]:
    """Post a normal and a standby reading; return the port id and what was checked."""
    with services.sessions.begin() as session:
        device = repository.create_device(session, services.user_id, "self-test device")
        token, _ = repository.create_token(session, services.user_id, device.id)
        port = repository.create_port(session, services.user_id, "self-test TV", device.id, 5, 0)
        port_id = port.id
    start_ingestion(services, host="127.0.0.1", port=0)
    url = f"{services.listen_url}/api/sensor/reading"
    body = {"deviceToken": token, "portId": port_id, "voltage": 230.5, "current": 0.45}
    status, answer = _post(url, {**body, "power": 103.73})
    data = answer.get("data") or {}
    _check(status == 201 and answer.get("success") is True, f"normal reading: HTTP {status}")
    _check(data.get("portStatus") == "active", f"normal reading: portStatus {data}")
    status, answer = _post(url, {**body, "current": 0.01, "power": 2.3})
    data = answer.get("data") or {}
    _check(status == 201, f"standby reading: HTTP {status} {answer}")
    _check(
        data.get("phantomDetected") is True and data.get("portStatus") == "off",
        f"standby reading: expected phantomDetected and portStatus off, got {data}",
    )
    with services.sessions() as session:
        stored = stored_counts(session)
    _check(stored.readings == 2, f"stored readings: expected 2, found {stored.readings}")
    _check(
        stored.events == 1 and stored.notifications == 1,
        f"phantom event/notification: {stored.events}/{stored.notifications}",
    )
    return port_id, ["HTTP 201 x2", "phantom detected and port cut", "2 readings stored"]


def _window(services: Services, port_id: str) -> str:
    """Build the main window offscreen and wait until the port's readings are plotted."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from phantom_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["phantom-desktop-self-test"])
    window = MainWindow(services)
    try:
        window.show()
        deadline = time.monotonic() + 15
        while len(window.plot.series(port_id)[1]) < 2 and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        points = len(window.plot.series(port_id)[1])
        _check(points >= 2, f"window: the plot shows {points} of 2 readings")
    finally:
        window.close()
        window.shutdown()
    return f"window plotted {points} readings"


# Loaded only on demand (a MySQL URL, a serial source, demo mode), so a bundle could lack them.
RUNTIME_MODULES = (
    "pymysql",
    "sqlalchemy.dialects.mysql.pymysql",
    "serial.tools.list_ports",
    "phantom_desktop.ingest.serial.factory",
    "phantom_desktop.ingest.serial.modbus_rtu",
    "phantom_desktop.demo",
    "simulator.http_client",
    # The HTTP server's loop falls back to asyncio's without it (ingest/http_server.py).
    *(() if sys.platform == "win32" else ("uvloop",)),
)


def _libraries() -> str:
    """Import the drivers the app loads only on demand, so a bundle missing one fails here."""
    for name in RUNTIME_MODULES:
        importlib.import_module(name)
    return "MySQL driver, serial/Modbus sources, demo simulator and event loop present"


def run_self_test(out: Callable[[str], None] = print) -> int:
    """Run every check; print one summary line; 0 when all hold."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="phantom-self-test-") as tmp:
        root = Path(tmp)
        paths = AppPaths(root / "config", root / "data", root / "logs")
        services = None
        try:
            services = open_services(paths, Settings(), paths.default_db_url)
            port_id, checked = _ingest(services)
            checked.append(_window(services, port_id))
            checked.append(_libraries())
        except Exception as exc:  # every failure must end in one readable line
            out(f"self-test FAILED: {exc.__class__.__name__}: {exc}")
            return 1
        finally:
            if services is not None:
                services.stop()
    out(f"self-test passed in {time.monotonic() - started:.1f} s: " + "; ".join(checked))
    return 0
