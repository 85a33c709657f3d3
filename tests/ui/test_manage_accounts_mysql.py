"""Two accounts on a shared MariaDB: each window shows and changes only its user's rows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from phantom_desktop.app import Services, open_services, start_http
from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.store import accounts, repository
from phantom_desktop.store.database import open_store, session_factory
from phantom_desktop.store.models import Port
from phantom_desktop.ui.accounts.login_dialog import LoginDialog
from phantom_desktop.ui.main_window import MainWindow
from tests.ui.manage_support import TIMEOUT_MS, click, post_reading, type_into

pytestmark = pytest.mark.mysql

PASSWORD = "correct horse"


@dataclass
class Account:
    user_id: str
    token: str
    device_id: str
    port_id: str


def log_in(qtbot, url: str, name: str, password: str, create: bool = False) -> LoginDialog:
    """Drive the login dialog against its own engine, as gui.run_window does before services."""
    engine = open_store(url)
    try:
        dialog = LoginDialog(session_factory(engine), url)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitUntil(dialog.action_button.isEnabled, timeout=TIMEOUT_MS)
        assert dialog.creating == create
        type_into(qtbot, dialog.name_edit, name)
        type_into(qtbot, dialog.password_edit, password)
        if create:
            type_into(qtbot, dialog.repeat_edit, password)
        click(qtbot, dialog.action_button)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT_MS)
        return dialog
    finally:
        engine.dispose()


def seed(services: Services, user_id: str, name: str) -> Account:
    with services.sessions.begin() as session:
        device = repository.create_device(session, user_id, f"{name}'s plug")
        token, _ = repository.create_token(session, user_id, device.id)
        port = repository.create_port(
            session, user_id, f"{name}'s TV", device.id, 5.0, min_duration_s=0, auto_cut=False
        )
        return Account(user_id, token, device.id, port.id)


def check_window(qtbot, services, settings, name: str, me: Account, other: Account) -> None:
    """Open the window as `me`: every view lists only `me`'s rows, live readings included."""
    window = MainWindow(services, settings=settings)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT_MS):
        window.show()
    try:
        workspace = window.workspace
        ports, devices = workspace.ports_tab.model, workspace.devices_tab.model
        qtbot.waitUntil(lambda: "Signed in" in workspace.user_label.text(), timeout=TIMEOUT_MS)
        assert workspace.user_label.text() == f"Signed in as <b>{name}</b>"
        assert [d.id for d in devices.rows()] == [me.device_id]
        assert [p.id for p in ports.rows()] == [me.port_id]
        assert [port.id for port in window.ports_model.rows()] == [me.port_id]
        assert window.alerts_model.rowCount() == 1
        assert window.alerts_model.alert_at(0).port_id == me.port_id
        assert window.plot.port_name(other.port_id) is None

        assert post_reading(services.listen_url, other.token, other.port_id, 1.0)[0] == 201
        assert post_reading(services.listen_url, me.token, me.port_id, 77.0)[0] == 201
        qtbot.waitUntil(lambda: ports.row(me.port_id).power == 77.0, timeout=TIMEOUT_MS)
        assert ports.row(other.port_id) is None and devices.row(other.device_id) is None
        assert window.alerts_model.rowCount() == 1

        with qtbot.waitSignal(window.port_control.status_failed, timeout=TIMEOUT_MS) as refused:
            window.port_control.set_status(other.port_id, "off")  # not this user's port
        assert refused.args == [other.port_id, f"Port {other.port_id} not found."]
        with services.sessions() as session:
            assert session.get(Port, other.port_id).status == "active"
    finally:
        window.close()


def test_each_user_sees_only_their_rows_and_cannot_post_to_others(
    qtbot, mysql_url, tmp_path, window_settings
):
    url, paths = mysql_url, AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")
    assert accounts.needs_login(url)
    first = log_in(qtbot, url, "alice", PASSWORD, create=True)  # first run: no accounts yet
    assert first.result() == LoginDialog.DialogCode.Accepted
    alice_id = first.user_id

    services = open_services(paths, Settings(), url, user_id=alice_id)
    try:
        with services.sessions.begin() as session:
            bob_id = accounts.create_user(session, "bob", PASSWORD).id
        alice, bob = seed(services, alice_id, "Alice"), seed(services, bob_id, "Bob")
        start_http(services, host="127.0.0.1", port=0)
        for account in (alice, bob):
            status, answer = post_reading(services.listen_url, account.token, account.port_id, 2.0)
            assert status == 201 and answer["data"]["phantomDetected"], answer
        status, answer = post_reading(services.listen_url, alice.token, bob.port_id, 2.0)
        assert status == 403, answer

        wrong = log_in(qtbot, url, "bob", "guessing")
        assert wrong.error_label.text() == "Wrong user name or password."
        wrong.reject()

        for name, me, other in (("alice", alice, bob), ("bob", bob, alice)):
            dialog = log_in(qtbot, url, name, PASSWORD)
            assert dialog.user_id == me.user_id
            services.user_id = dialog.user_id  # as gui.run_window passes it to open_services
            check_window(qtbot, services, window_settings, name, me, other)
    finally:
        services.stop()
