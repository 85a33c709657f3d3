"""The guard against PySide6 6.12.0 dropping a reference to True on every emitted signal."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from phantom_desktop.ui.pyside_compat import emit_drops_true, keep_true_alive


class Source(QObject):
    fired = Signal(int)


def test_many_signals_cannot_free_true(qtbot):
    keep_true_alive()
    source = Source()

    for number in range(50_000):  # without the guard, 6.12.0 on Python 3.11 aborts here
        source.fired.emit(number)

    if emit_drops_true() and sys.version_info < (3, 12):
        assert sys.getrefcount(True) > 2**59
    assert keep_true_alive() is keep_true_alive()  # idempotent
