"""The palette follows the application's: coloured text has a shade for dark themes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from phantom_desktop.ui.common import palette


def dark_palette() -> QPalette:
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    return dark


def test_text_colours_follow_a_dark_application_palette(qtbot):
    app = QGuiApplication.instance()
    light = app.palette()
    assert not palette.is_dark()
    light_error = palette.error_text()
    try:
        app.setPalette(dark_palette())
        assert palette.is_dark()
        dark_error = palette.error_text()
        assert dark_error.lightness() > light_error.lightness()  # readable on a dark window
        assert palette.success_text() != QColor(palette.GREEN)
        assert dark_error.name() in palette.error_style()
    finally:
        app.setPalette(light)
    assert palette.error_text() == light_error


def test_each_port_keeps_its_colour_and_ports_differ():
    colors = palette.PortColors()
    first, second = colors.color("a"), colors.color("b")
    assert first != second
    assert colors.color("a") == first
