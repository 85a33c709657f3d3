"""Login dialog: first-run account creation, wrong and right passwords, then the window."""

from __future__ import annotations

from phantom_desktop.store import accounts, repository
from phantom_desktop.ui.accounts.login_dialog import LoginDialog
from tests.ui.manage_support import TIMEOUT_MS, click, type_into

PASSWORD = "correct horse"


def open_dialog(qtbot, services) -> LoginDialog:
    dialog = LoginDialog(services.sessions, "mysql+pymysql://db.example/phantom")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(dialog.action_button.isEnabled, timeout=TIMEOUT_MS)  # accounts checked
    return dialog


def log_in(qtbot, dialog: LoginDialog, name: str, password: str) -> None:
    type_into(qtbot, dialog.name_edit, name)
    type_into(qtbot, dialog.password_edit, password)
    click(qtbot, dialog.action_button)


def test_first_run_creates_the_first_account(qtbot, services):
    dialog = open_dialog(qtbot, services)
    assert dialog.creating  # nobody can log in yet
    assert "create the first one" in dialog.intro.text()
    assert dialog.repeat_edit.isVisible()

    type_into(qtbot, dialog.name_edit, "alice")
    type_into(qtbot, dialog.password_edit, "short")
    type_into(qtbot, dialog.repeat_edit, "short")
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "The password must have at least 8 characters."

    type_into(qtbot, dialog.password_edit, PASSWORD)
    type_into(qtbot, dialog.repeat_edit, PASSWORD + "!")
    click(qtbot, dialog.action_button)
    assert dialog.error_label.text() == "The two passwords differ: type the same password twice."

    type_into(qtbot, dialog.repeat_edit, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        click(qtbot, dialog.action_button)

    assert dialog.user_name == "alice"
    with services.sessions() as session:
        assert accounts.authenticate(session, "alice", PASSWORD).id == dialog.user_id


def test_wrong_password_then_right_one_opens_the_window_as_that_user(
    qtbot, services, open_window, make_plug
):
    make_plug("Local TV")  # the local account's: not Bob's
    with services.sessions.begin() as session:
        bob = accounts.create_user(session, "bob", PASSWORD).id
        repository.create_device(session, bob, "Bob's plug")
    dialog = open_dialog(qtbot, services)
    assert not dialog.creating and not dialog.repeat_edit.isVisible()

    log_in(qtbot, dialog, "bob", "not his password")
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "Wrong user name or password."
    assert dialog.isVisible()

    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        log_in(qtbot, dialog, "Bob", PASSWORD)  # names ignore case
    assert (dialog.user_id, dialog.user_name) == (bob, "bob")

    services.user_id = dialog.user_id  # what gui.run_window hands to open_services
    window = open_window()
    devices = window.workspace.devices_tab.model
    qtbot.waitUntil(lambda: devices.rowCount() == 1, timeout=TIMEOUT_MS)
    assert devices.rows()[0].name == "Bob's plug"
    assert window.workspace.ports_tab.model.rowCount() == 0
    assert window.ports_model.rowCount() == 0
    qtbot.waitUntil(lambda: "bob" in window.workspace.user_label.text())


def test_a_link_switches_between_log_in_and_create_account(qtbot, services):
    with services.sessions.begin() as session:
        accounts.create_user(session, "carol", PASSWORD)
    dialog = open_dialog(qtbot, services)
    assert dialog.action_button.text() == "Log in"

    click(qtbot, dialog.switch_button)
    assert dialog.creating and dialog.action_button.text() == "Create account"
    type_into(qtbot, dialog.name_edit, "Carol")
    type_into(qtbot, dialog.password_edit, PASSWORD)
    type_into(qtbot, dialog.repeat_edit, PASSWORD)
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error_label.text() == "The user name 'Carol' is taken."

    click(qtbot, dialog.switch_button)
    assert not dialog.creating and not dialog.error_label.isVisible()
    dialog.reject()
    assert not dialog.isVisible() and dialog.user_id is None
