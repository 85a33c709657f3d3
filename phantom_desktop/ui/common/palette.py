"""Every colour the window uses, in one place, following the application palette.

Badges (a filled background with its own text colour) read the same on light and dark themes.
Coloured text (errors, token states) has a light-theme and a dark-theme shade: `is_dark()`
looks at the application palette when asked, so a theme change shows at the next repaint.
Ports get one distinct, stable colour each, shared by the plot's curves and the tables' swatches.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

# The accents of the app style sheet (resources/style.qss) and the icon.
GREEN = "#2e7d4f"
AMBER = "#ffb020"
RED = "#b3261e"
GREY = "#8a8a8a"
INK = "#1d1d1d"  # text on amber
WHITE = "white"

# Text colours: (light theme, dark theme).
_ERROR_TEXT = (RED, "#f2b8b5")
_SUCCESS_TEXT = (GREEN, "#6fcf97")
_WARNING_TEXT = ("#9a6700", "#e3b341")

# Badge (background, text) by state: ports ("active", "off", "phantom", "no_relay") and serial
# sources ("connected", "connecting", "reconnecting", "error", "stopped").
BADGES: dict[str, tuple[str, str]] = {
    "active": (GREEN, WHITE),
    "off": (GREY, WHITE),
    "phantom": (AMBER, INK),
    "no_relay": (RED, WHITE),  # off, but nothing could cut it
    "connected": (GREEN, WHITE),
    "connecting": (AMBER, INK),
    "reconnecting": (AMBER, INK),
    "error": (RED, WHITE),
    "stopped": (GREY, WHITE),
}
UNREAD = AMBER  # the dot of an unread alert

# Tableau 10: distinct on light backgrounds and for the common kinds of colour blindness.
PORT_COLORS = (
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


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the (application) palette is a dark theme: light text on a dark window."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def _shade(pair: tuple[str, str]) -> QColor:
    return QColor(pair[1] if is_dark() else pair[0])


def error_text() -> QColor:
    return _shade(_ERROR_TEXT)


def success_text() -> QColor:
    return _shade(_SUCCESS_TEXT)


def warning_text() -> QColor:
    return _shade(_WARNING_TEXT)


def muted_text() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


def badge(state: str) -> tuple[QColor, QColor]:
    """Background and text colour of a state's badge (grey for an unknown state)."""
    background, text = BADGES.get(state, BADGES["off"])
    return QColor(background), QColor(text)


def badge_style(state: str) -> str:
    """The style sheet of a QLabel drawn as `state`'s badge."""
    background, text = BADGES.get(state, BADGES["stopped"])
    return (
        f"background: {background}; color: {text}; border-radius: 8px;"
        " padding: 1px 8px; font-weight: 600;"
    )


def error_style(bold: bool = False) -> str:
    """The style sheet of an inline error line."""
    weight = " font-weight: 600;" if bold else ""
    return f"color: {error_text().name()};{weight}"


def warning_box_style() -> str:
    """A framed note that must be read (a token shown once): amber border, tinted background."""
    background, text = ("#3d3000", "#ffe7a3") if is_dark() else ("#fff4d6", "#4d3800")
    return (
        f"background: {background}; color: {text}; border: 1px solid {AMBER};"
        " border-radius: 6px; padding: 8px 10px;"
    )


class PortColors:
    """Hands out port colours in the order ports are first seen; a port keeps its colour."""

    def __init__(self) -> None:
        self._assigned: dict[str, QColor] = {}

    def color(self, port_id: str) -> QColor:
        if port_id not in self._assigned:
            self._assigned[port_id] = QColor(PORT_COLORS[len(self._assigned) % len(PORT_COLORS)])
        return self._assigned[port_id]
