"""Workaround for a reference-counting bug of PySide6 6.12.0 on Python before 3.12.

There, `SignalInstance.emit()` (and `disconnect()`) return `True` without a new reference, so
every signal emitted from Python drops one reference to `True`. The live window and pyqtgraph
emit many signals a second: after a few minutes the count reaches zero and the interpreter
aborts with "bool_dealloc: deallocating True or False". Python 3.12 made `True` immortal, which
hides the bug; this module does the same for older Pythons, and only when the bug is present.
Remove it once the dependencies exclude PySide6 6.12.0 on those Pythons.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_RESERVE = 1 << 60  # references to add: more than any process can drop


class _Probe(QObject):
    fired = Signal()


def emit_drops_true() -> bool:
    """Whether emitting a signal from Python loses a reference to True (the 6.12.0 bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    return sys.getrefcount(True) < before


def keep_true_alive() -> bool:
    """Make `True` immortal if signals leak references to it; whether that is now in effect."""
    if sys.getrefcount(True) > _RESERVE // 2:
        return True  # done before
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal already; or a debug build, whose object header differs
    if not emit_drops_true():
        return False
    ctypes.c_ssize_t.from_address(id(True)).value += _RESERVE
    log.warning("PySide6 %s leaks references to True on signals: worked around", _version())
    return True


def _version() -> str:
    import PySide6

    return PySide6.__version__
