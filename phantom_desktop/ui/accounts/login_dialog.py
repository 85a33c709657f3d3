"""Log in to a shared (server) database before the window opens, or create an account there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from phantom_desktop.store import accounts
from phantom_desktop.store.database import describe_url, open_store, session_factory
from phantom_desktop.store.models import User
from phantom_desktop.ui.common.task_dialog import TaskDialog
from phantom_desktop.ui.common.widgets import muted_label, title_label
from phantom_desktop.ui.tasks import DbWorker

ICON_SIZE = 48
INTRO_WIDTH = 380


class LoginDialog(TaskDialog):
    """Asks for a user name and password; in "create" mode also a repeat of the password.

    After `accept()`, `user_id` and `user_name` say who logged in. The dialog runs its own
    database worker (there is no window yet) and stops it when it closes.
    """

    def __init__(
        self, sessions: sessionmaker[Session], database: str, parent: QWidget | None = None
    ) -> None:
        worker = DbWorker(sessions)
        super().__init__(worker, "Phantom Desktop — log in", parent)
        worker.setParent(self)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.user_id: str | None = None
        self.user_name: str | None = None
        self._creating = False

        self.heading = title_label("Log in")
        self.intro = muted_label(
            f"The database {database} is shared: each person logs in and sees only their own "
            "devices, ports and alerts."
        )
        self.name_edit = QLineEdit()
        self.name_edit.setMinimumWidth(280)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit()
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = muted_label(
            f"At least {accounts.MIN_PASSWORD_LENGTH} characters, not the user name."
        )
        icon = QLabel()
        icon.setPixmap(QApplication.windowIcon().pixmap(ICON_SIZE, ICON_SIZE))
        icon.setVisible(not QApplication.windowIcon().isNull())
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        texts.addWidget(self.heading)
        texts.addWidget(self.intro)
        header = QHBoxLayout()
        header.setSpacing(14)
        header.addWidget(icon)
        header.addLayout(texts, 1)
        self.top.addLayout(header)
        self.top.addSpacing(4)
        self.intro.setMinimumWidth(INTRO_WIDTH)

        self.form.addRow("User name:", self.name_edit)
        self.form.addRow("Password:", self.password_edit)
        self.form.addRow("Repeat password:", self.repeat_edit)
        self.form.addRow("", self.hint)

        self.action_button = self.add_button(
            "Log in", QDialogButtonBox.ButtonRole.AcceptRole, self.submit
        )
        self.action_button.setDefault(True)
        self.switch_button = self.add_button(
            "Create an account…", QDialogButtonBox.ButtonRole.ActionRole, self.switch_mode
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self._show_mode()
        worker.start()
        self.run("Checking accounts", accounts.has_accounts, self._accounts_known)

    @property
    def creating(self) -> bool:
        return self._creating

    def switch_mode(self) -> None:
        self._creating = not self._creating
        self.show_error("")
        self._show_mode()

    def _show_mode(self) -> None:
        creating = self._creating
        self.heading.setText("Create an account" if creating else "Log in")
        self.action_button.setText("Create account" if creating else "Log in")
        self.switch_button.setText("I have an account" if creating else "Create an account…")
        self.form.setRowVisible(self.repeat_edit, creating)
        self.form.setRowVisible(self.hint, creating)
        self.name_edit.setFocus()

    def _accounts_known(self, any_accounts: bool) -> None:
        if not any_accounts:
            self.intro.setText(
                "No one has an account on this shared database yet: create the first one. "
                "Each person sees only their own devices, ports and alerts."
            )
            if not self._creating:
                self.switch_mode()

    def submit(self) -> None:
        name, password = self.name_edit.text(), self.password_edit.text()
        if not self._creating:
            self.run(
                "Logging in",
                lambda s: _who(accounts.authenticate(s, name, password)),
                self._logged_in,
            )
            return
        if password != self.repeat_edit.text():
            self.show_error("The two passwords differ: type the same password twice.")
            return
        self.run(
            "Creating the account",
            lambda s: _who(accounts.create_user(s, name, password)),
            self._logged_in,
        )

    def _logged_in(self, who: tuple[str, str]) -> None:
        self.user_id, self.user_name = who
        self.accept()

    def done(self, result: int) -> None:
        self._worker.stop()
        super().done(result)


def _who(user: User) -> tuple[str, str]:
    return user.id, user.name


def database_name(url: str) -> str:
    """How the dialog names a server database: "phantom on db.example.org"."""
    parsed = make_url(url)
    if parsed.database and parsed.host:
        return f"{parsed.database} on {parsed.host}"
    return describe_url(url)


def log_in(url: str) -> str | None:
    """Show the login dialog for the database at `url`; the user id, or None if cancelled."""
    engine = open_store(url)
    try:
        dialog = LoginDialog(session_factory(engine), database_name(url))
        accepted = dialog.exec() == LoginDialog.DialogCode.Accepted
        return dialog.user_id if accepted else None
    finally:
        engine.dispose()
