"""One distinct, stable colour per port, shared by the plot's curves and the table's swatches."""

from __future__ import annotations

from PySide6.QtGui import QColor

# Tableau 10: distinct on light backgrounds and for the common kinds of colour blindness.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


class PortColors:
    """Hands out palette colours in the order ports are first seen; a port keeps its colour."""

    def __init__(self) -> None:
        self._assigned: dict[str, QColor] = {}

    def color(self, port_id: str) -> QColor:
        if port_id not in self._assigned:
            self._assigned[port_id] = QColor(PALETTE[len(self._assigned) % len(PALETTE)])
        return self._assigned[port_id]
