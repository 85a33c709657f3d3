"""What the smart plugs say about their ports, for the Ports and Monitor tables: offline,
cutting…, Off (confirmed), cut not confirmed.

Polls the running MQTT sources once a second (an in-memory snapshot; no I/O on the GUI thread)
and emits `changed(dict)` when a port's label changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from phantom_desktop.ingest.mqtt.source import MqttSource

POLL_MS = 1000


class PlugStates(QObject):
    changed = Signal(dict)  # port id -> label

    def __init__(
        self, sources: Callable[[], Sequence[object]], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._sources = sources
        self.labels: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self) -> None:
        labels: dict[str, str] = {}
        for source in self._sources():
            if isinstance(source, MqttSource):
                labels.update(source.port_labels())
        if labels != self.labels:
            self.labels = labels
            self.changed.emit(labels)

    def source_for(self, port_id: str) -> MqttSource | None:
        """The running source whose plug feeds `port_id`, for Retry cut."""
        for source in self._sources():
            if isinstance(source, MqttSource) and port_id in source.port_ids:
                return source
        return None
