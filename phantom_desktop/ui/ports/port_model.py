"""The one port model: each port's rules, status and latest reading, updated in place.

The Monitor's ports panel and the Ports tab show the same `PortModel`, each its own columns;
one query loads it (`store.window_queries.load_ports`) and live batches change only the rows
and columns they touch.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.core.rhythm import RhythmOverride
from phantom_desktop.ingest.messages import CommittedBatch, StoredReading
from phantom_desktop.store.window_queries import WindowPort
from phantom_desktop.ui.common import formatting, palette
from phantom_desktop.ui.common.keyed_model import CENTER, RIGHT, STATUS_ROLE, KeyedTableModel
from phantom_desktop.ui.common.palette import PortColors

ACTIVE, OFF, PHANTOM = "active", "off", "phantom"
# Off in the database, but only a meter without a relay (Modbus) measures it: still powered.
NO_RELAY = "no_relay"
NO_RELAY_BADGE = "Off · no relay"
NO_RELAY_TOOLTIP = (
    "Off — no relay: the meter cannot cut this port. It is still powered; switch it off at the"
    " socket, or turn it back on here."
)
NO_DEVICE = "(no device)"


CUT_NOT_CONFIRMED = "Cut not confirmed"
PLUG_TOOLTIPS = {
    "Offline": "The smart plug is offline (its last will): the port is not judged until it is back",
    "Off (confirmed)": "The smart plug reported its relay open",
    "Cutting…": "The off command is sent; waiting for the plug to report its relay open",
    CUT_NOT_CONFIRMED: "The plug did not report its relay open: Retry cut, or check the plug",
}


class PortColumn(enum.IntEnum):
    NAME = 0
    DEVICE = 1
    ID = 2
    VOLTAGE = 3
    CURRENT = 4
    POWER = 5
    STATUS = 6
    THRESHOLD = 7
    MIN_DURATION = 8
    AUTO_CUT = 9
    LAST_READING = 10
    DETECTION = 11
    ALWAYS_ON = 12


def port_state(port: WindowPort) -> str:
    """What the badge shows: off, phantom (standby going on now) or active."""
    if port.status == PortStatus.OFF:
        return OFF
    return PHANTOM if port.in_phantom else ACTIVE


def duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _reading_is_newer(kept: WindowPort, fresh: WindowPort) -> bool:
    return kept.last_reading_at is not None and (
        fresh.last_reading_at is None or kept.last_reading_at > fresh.last_reading_at
    )


_NUMERIC = {
    PortColumn.VOLTAGE,
    PortColumn.CURRENT,
    PortColumn.POWER,
    PortColumn.THRESHOLD,
    PortColumn.MIN_DURATION,
    PortColumn.LAST_READING,
    PortColumn.ALWAYS_ON,
}
_LIVE_FIRST, _LIVE_LAST = PortColumn.VOLTAGE, PortColumn.DETECTION  # what a batch can change
OVERRIDE_TEXT = {
    RhythmOverride.RESTS: "Rests (your setting)",
    RhythmOverride.STANDBY: "Plain standby (your setting)",
}
NO_RHYTHM_TEXT = "No rhythm"
DETECTION_TOOLTIP = (
    "A fridge's compressor cycles and a washer's programme pauses are rests, not standby: on a"
    " port with such a rhythm a low phase must outlast it before it counts. No rhythm: standby"
    " counts after the minimum duration. Edit the port to override."
)


def detection_text(port: WindowPort) -> str:
    """What detection recognised on the port, or the owner's override of it."""
    override = OVERRIDE_TEXT.get(RhythmOverride(port.rhythm_override))
    if override is not None:
        return override
    if port.rhythm_seen is None:
        return NO_RHYTHM_TEXT
    seen = port.rhythm_seen[:1].upper() + port.rhythm_seen[1:]
    return f"{seen} · since {formatting.local_time(port.rhythm_since)}"


def _acted_on(row: WindowPort) -> tuple[object, ...]:
    """What a user acts on (buttons, alerts): shown at once, not at the live values' pace."""
    return (row.status, row.in_phantom, row.rhythm_seen)


class PortModel(KeyedTableModel[WindowPort]):
    """Rows are `WindowPort`s keyed by port id; see the module docstring."""

    HEADERS = (
        "Port",
        "Device",
        "ID",
        "Voltage",
        "Current",
        "Power",
        "Status",
        "Threshold",
        "Min. duration",
        "Auto-cut",
        "Last reading",
        "Detection",
        "Always on",
    )

    reloaded = Signal()  # a fresh list of ports was taken in (`set_rows`)

    def __init__(self, colors: PortColors | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colors = colors or PortColors()
        self._no_relay: frozenset[str] = frozenset()
        self._plug_labels: dict[str, str] = {}  # what a smart plug says: Off (confirmed)...

    # -- what the views show --------------------------------------------------------------------
    def badge(self, row: WindowPort) -> str:
        """The row's status as its badge shows it: a cut no relay carried out is "no_relay"."""
        state = port_state(row)
        return NO_RELAY if state == OFF and row.id in self._no_relay else state

    def display(self, row: WindowPort, column: int) -> str:
        match column:
            case PortColumn.NAME:
                return row.name
            case PortColumn.DEVICE:
                return row.device_name or NO_DEVICE
            case PortColumn.ID:
                return row.id
            case PortColumn.VOLTAGE:
                return formatting.volts(row.voltage)
            case PortColumn.CURRENT:
                return formatting.amps(row.current)
            case PortColumn.POWER:
                return formatting.watts(row.power)
            case PortColumn.STATUS if row.id in self._plug_labels:
                return self._plug_labels[row.id]
            case PortColumn.STATUS:
                badge = self.badge(row)
                return NO_RELAY_BADGE if badge == NO_RELAY else badge.capitalize()
            case PortColumn.THRESHOLD:
                return formatting.threshold(row.threshold_w)
            case PortColumn.MIN_DURATION:
                return duration(row.min_duration_s)
            case PortColumn.AUTO_CUT:
                return "Cut" if row.auto_cut else "Report only"
            case PortColumn.DETECTION:
                return detection_text(row)
            case PortColumn.ALWAYS_ON:
                return "—" if row.always_on_w is None else formatting.watts(row.always_on_w)
            case _:
                return formatting.local_time(row.last_reading_at)

    def sort_value(self, row: WindowPort, column: int) -> Any:
        missing = float("-inf")
        match column:
            case PortColumn.VOLTAGE:
                return missing if row.voltage is None else row.voltage
            case PortColumn.CURRENT:
                return missing if row.current is None else row.current
            case PortColumn.POWER:
                return missing if row.power is None else row.power
            case PortColumn.THRESHOLD:
                return row.threshold_w
            case PortColumn.MIN_DURATION:
                return row.min_duration_s
            case PortColumn.ALWAYS_ON:
                return missing if row.always_on_w is None else row.always_on_w
            case PortColumn.LAST_READING:
                return missing if row.last_reading_at is None else row.last_reading_at.timestamp()
        return super().sort_value(row, column)

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        if column in (PortColumn.STATUS, PortColumn.AUTO_CUT):
            return CENTER
        return RIGHT if column in _NUMERIC else super().alignment(column)

    def other_role(self, row: WindowPort, column: int, role: int) -> Any:
        if role == STATUS_ROLE:
            return self.badge(row)
        if role == Qt.ItemDataRole.DecorationRole and column == PortColumn.NAME:
            return self._colors.color(row.id)
        if role == Qt.ItemDataRole.FontRole and column == PortColumn.ID:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        no_device = column == PortColumn.DEVICE and row.device_name is None
        if role == Qt.ItemDataRole.ForegroundRole and no_device:
            return palette.muted_text()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    def _tooltip(self, row: WindowPort, column: int) -> str | None:
        match column:
            case PortColumn.NAME:
                return f"Port id: {row.id}"
            case PortColumn.THRESHOLD:
                return "Standby (phantom) power is anything above 0 W and below this"
            case PortColumn.MIN_DURATION:
                return "How long standby must last before it counts as phantom power"
            case PortColumn.AUTO_CUT:
                if row.auto_cut:
                    return "Phantom power turns this port off"
                return "Phantom power is only reported: the port stays on"
            case PortColumn.POWER:
                return f"Last reading: {formatting.local_time(row.last_reading_at)}"
            case PortColumn.STATUS if row.id in self._plug_labels:
                return PLUG_TOOLTIPS.get(self._plug_labels[row.id])
            case PortColumn.STATUS if self.badge(row) == NO_RELAY:
                return NO_RELAY_TOOLTIP
            case PortColumn.DETECTION:
                return row.rhythm_note or DETECTION_TOOLTIP
            case PortColumn.ALWAYS_ON:
                return (
                    "The floor it never went below for long over the last 48 h (a low percentile"
                    " of the level it held minute by minute): what it draws around the clock"
                )
        return None

    # -- changes --------------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[WindowPort]) -> None:
        """Follow a fresh list from the database; a kept row whose live reading is newer than
        the database's (a batch arrived while it loaded) keeps its live values."""
        fresh = []
        for row in rows:
            kept = self.row(row.id)
            if kept is not None and _reading_is_newer(kept, row):
                row = replace(
                    row,
                    status=kept.status,
                    in_phantom=kept.in_phantom,
                    power=kept.power,
                    voltage=kept.voltage,
                    current=kept.current,
                    last_reading_at=kept.last_reading_at,
                )
            if kept is not None and kept.rhythm_note is not None:
                row = replace(row, rhythm_note=kept.rhythm_note)
            fresh.append(row)
        super().set_rows(fresh)
        self.reloaded.emit()

    def set_no_relay(self, port_ids: Iterable[str]) -> None:
        """The ports that only a meter without a relay measures: their cuts are not carried out."""
        wanted = frozenset(port_ids)
        changed, self._no_relay = wanted ^ self._no_relay, wanted
        for port_id in changed:
            position = self.position(port_id)
            if position is not None:
                self.row_changed(position, PortColumn.STATUS, PortColumn.STATUS)

    def set_plug_labels(self, labels: dict[str, str]) -> None:
        """What the smart plugs say about their ports, shown as the ports' status."""
        changed = set(labels.items()) ^ set(self._plug_labels.items())
        self._plug_labels = dict(labels)
        for port_id in {port_id for port_id, _label in changed}:
            position = self.position(port_id)
            if position is not None:
                self.row_changed(position, PortColumn.STATUS, PortColumn.STATUS)

    def plug_label(self, port_id: str) -> str | None:
        return self._plug_labels.get(port_id)

    def apply_batch(self, batch: CommittedBatch) -> set[str]:
        """Follow committed readings, phantom alerts, status changes and recognised rhythms of
        the listed ports; return the port ids the model does not list."""
        unknown: set[str] = set()
        changed: dict[int, WindowPort] = {}

        def current(position: int) -> WindowPort:
            return changed.get(position, self._rows[position])

        newest: dict[str, StoredReading] = {}  # per port: the latest timestamp (later wins ties)
        last: dict[str, StoredReading] = {}  # per port: the last committed (status, phantom)
        for reading in batch.readings:  # a dict step per reading: this runs on the GUI thread
            seen = newest.get(reading.port_id)
            if seen is None or reading.timestamp >= seen.timestamp:
                newest[reading.port_id] = reading
            last[reading.port_id] = reading
        for port_id, reading in last.items():
            position = self.position(port_id)
            if position is None:
                unknown.add(port_id)
                continue
            row, latest = current(position), newest[port_id]
            if row.last_reading_at is None or latest.timestamp >= row.last_reading_at:
                row = replace(
                    row,
                    power=latest.power,
                    voltage=latest.voltage,
                    current=latest.current,
                    last_reading_at=latest.timestamp,
                )
            changed[position] = replace(row, status=reading.port_status, in_phantom=reading.phantom)
        for alert in batch.alerts:
            position = self.position(alert.port_id)
            if position is not None and not alert.cut:
                changed[position] = replace(current(position), in_phantom=True)
        for change in batch.status_changes:
            position = self.position(change.port_id)
            if position is None:
                unknown.add(change.port_id)
                continue
            row = current(position)
            phantom = row.in_phantom and change.status == PortStatus.ACTIVE
            changed[position] = replace(row, status=change.status, in_phantom=phantom)
        for rhythm in batch.rhythms:
            position = self.position(rhythm.port_id)
            if position is not None:
                changed[position] = replace(
                    current(position), rhythm_seen=rhythm.seen, rhythm_since=rhythm.since
                )
        for note in batch.notes:
            position = self.position(note.port_id)
            if position is not None:
                changed[position] = replace(current(position), rhythm_note=note.text)
        really = {p: row for p, row in changed.items() if row != self._rows[p]}
        urgent = any(_acted_on(self._rows[p]) != _acted_on(row) for p, row in really.items())
        self.replace_many(really, _LIVE_FIRST, _LIVE_LAST, urgent)  # one signal per batch
        return unknown
