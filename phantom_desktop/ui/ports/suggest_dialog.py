"""Suggest threshold: judge a port's recent readings off the GUI thread, explain, and apply."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel, QPushButton, QWidget
from sqlalchemy.orm import Session

from phantom_desktop.core.threshold import ThresholdSuggestion
from phantom_desktop.store import repository, summaries
from phantom_desktop.store.window_queries import WindowPort
from phantom_desktop.ui.common.task_dialog import TaskDialog
from phantom_desktop.ui.common.widgets import title_label
from phantom_desktop.ui.tasks import DbWorker


class SuggestDialog(TaskDialog):
    """Shows the suggestion for `port` with its explanation; "Use …" saves it."""

    applied = Signal(str)  # port id, after the new threshold is committed

    def __init__(
        self, worker: DbWorker, user_id: str, port: WindowPort, parent: QWidget | None = None
    ) -> None:
        super().__init__(worker, f"Suggest a threshold for {port.name}", parent)
        self._user_id = user_id
        self._port = port
        self.suggestion: ThresholdSuggestion | None = None
        self.headline = title_label("Looking at the recent readings…")
        self.current_label = QLabel(f"Current threshold: {port.threshold_w:g} W")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setMinimumWidth(480)
        for widget in (self.headline, self.current_label, self.explanation):
            self.top.addWidget(widget)
        self.apply_button: QPushButton = self.add_button(
            "Use the suggestion", QDialogButtonBox.ButtonRole.AcceptRole, self.apply
        )
        self.apply_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        port_id = port.id
        self.run(
            "Suggesting a threshold",
            lambda s: summaries.suggest_port_threshold(s, user_id, port_id),
            self._show,
        )

    def action_allowed(self, button: QAbstractButton) -> bool:
        if button is not self.apply_button:
            return True
        suggestion = self.suggestion
        return suggestion is not None and suggestion.threshold_w is not None

    def _show(self, suggestion: ThresholdSuggestion) -> None:
        self.suggestion = suggestion
        self.explanation.setText(suggestion.explanation)
        if suggestion.threshold_w is None:
            self.headline.setText("No suggestion yet")
        else:
            self.headline.setText(f"Suggested threshold: {suggestion.threshold_w:g} W")
            self.apply_button.setText(f"Use {suggestion.threshold_w:g} W")
        self.apply_button.setEnabled(self.action_allowed(self.apply_button))

    def apply(self) -> None:
        if self.suggestion is None or self.suggestion.threshold_w is None:
            return
        port_id, threshold_w, user_id = self._port.id, self.suggestion.threshold_w, self._user_id

        def use(session: Session) -> str:
            port = repository.get_port(session, user_id, port_id)  # as it is now
            return repository.update_port(
                session,
                user_id,
                port_id,
                port.name,
                port.device_id,
                threshold_w,
                port.min_duration_s,
                port.auto_cut,
            ).id

        self.run("Applying the threshold", use, self._applied)

    def _applied(self, port_id: str) -> None:
        self.applied.emit(port_id)
        self.accept()
