"""Add or edit a port: name, device, threshold, minimum duration, auto-cut and low phases."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from phantom_desktop.core.rhythm import RhythmOverride
from phantom_desktop.store import port_rhythm, repository
from phantom_desktop.store.window_queries import WindowPort
from phantom_desktop.ui.common.task_dialog import TaskDialog
from phantom_desktop.ui.common.widgets import muted_label
from phantom_desktop.ui.tasks import DbWorker

NO_DEVICE = "(no device)"
RHYTHM_CHOICES = (
    (RhythmOverride.AUTO, "Recognise rests (fridge cycles, programme pauses)"),
    (RhythmOverride.RESTS, "Are rests: never standby, never cut"),
    (RhythmOverride.STANDBY, "Plain standby rule: ignore any rhythm"),
)
DEFAULT_THRESHOLD_W = 5.0
DEFAULT_MIN_DURATION_S = 30.0
MAX_MIN_DURATION_S = 7 * 24 * 3600.0


def _spin(suffix: str, maximum: float, decimals: int, value: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0.0, maximum)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setValue(value)
    spin.setAccelerated(True)
    spin.setMinimumWidth(140)
    return spin


def _with_hint(field: QWidget, hint: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(field)
    layout.addWidget(muted_label(hint))
    return box


class PortDialog(TaskDialog):
    """Creates a port (`port` None) or saves every field of `port`; `saved` gives its id."""

    saved = Signal(str, bool)  # port id, created

    def __init__(
        self,
        worker: DbWorker,
        user_id: str,
        devices: list[tuple[str, str]],
        port: WindowPort | None = None,
        device_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(worker, "Add port" if port is None else f"Edit {port.name}", parent)
        self._user_id = user_id
        self._port = port
        self.name_edit = QLineEdit(port.name if port else "")
        self.name_edit.setPlaceholderText("e.g. Living-room TV")
        self.name_edit.setMinimumWidth(340)
        self.device_combo = QComboBox()
        self.device_combo.addItem(NO_DEVICE, None)
        for known_id, name in sorted(devices, key=lambda d: d[1].casefold()):
            self.device_combo.addItem(name, known_id)
        wanted = port.device_id if port else device_id
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(wanted)))
        self.threshold_spin = _spin(
            " W", repository.MAX_THRESHOLD_W, 2, port.threshold_w if port else DEFAULT_THRESHOLD_W
        )
        self.duration_spin = _spin(
            " s",
            MAX_MIN_DURATION_S,
            0,
            port.min_duration_s if port else DEFAULT_MIN_DURATION_S,
        )
        self.auto_cut_check = QCheckBox("Turn the port off when phantom power is found")
        self.auto_cut_check.setChecked(port.auto_cut if port else True)
        self.rhythm_combo = QComboBox()
        for override, text in RHYTHM_CHOICES:
            self.rhythm_combo.addItem(text, str(override))
        current = port.rhythm_override if port else RhythmOverride.AUTO
        self.rhythm_combo.setCurrentIndex(max(0, self.rhythm_combo.findData(str(current))))

        self.form.addRow("Name:", self.name_edit)
        self.form.addRow(
            "Device:", _with_hint(self.device_combo, "The device that sends this port's readings.")
        )
        self.form.addRow(
            "Threshold:",
            _with_hint(
                self.threshold_spin,
                "Power above 0 W and below this is standby (phantom) power.",
            ),
        )
        self.form.addRow(
            "Minimum duration:",
            _with_hint(
                self.duration_spin,
                "How long standby must last before it counts (0: at the first reading).",
            ),
        )
        self.form.addRow(
            "Auto-cut:",
            _with_hint(
                self.auto_cut_check,
                "Off: phantom power is only reported. A fridge's rests are never cut either way.",
            ),
        )
        self.form.addRow(
            "Low phases:",
            _with_hint(
                self.rhythm_combo,
                "Whether a low phase can be a rest of the appliance's own rhythm.",
            ),
        )
        action = "Add port" if port is None else "Save"
        self.save_button = self.add_button(
            action, QDialogButtonBox.ButtonRole.AcceptRole, self.save
        )
        self.save_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

    def save(self) -> None:
        name = self.name_edit.text()
        device_id = self.device_combo.currentData()
        threshold_w = self.threshold_spin.value()
        min_duration_s = self.duration_spin.value()
        auto_cut = self.auto_cut_check.isChecked()
        rhythm = str(self.rhythm_combo.currentData())
        user_id = self._user_id

        def create(s: Session) -> str:
            port = repository.create_port(
                s, user_id, name, device_id, threshold_w, min_duration_s, auto_cut
            )
            return port_rhythm.set_rhythm_override(s, user_id, port.id, rhythm).id

        if self._port is None:
            self.run("Adding the port", create, lambda port_id: self._saved(port_id, True))
            return
        port_id = self._port.id

        def update(s: Session) -> str:
            repository.update_port(
                s, user_id, port_id, name, device_id, threshold_w, min_duration_s, auto_cut
            )
            return port_rhythm.set_rhythm_override(s, user_id, port_id, rhythm).id

        self.run("Saving the port", update, lambda saved_id: self._saved(saved_id, False))

    def _saved(self, port_id: str, created: bool) -> None:
        self.saved.emit(port_id, created)
        self.accept()
