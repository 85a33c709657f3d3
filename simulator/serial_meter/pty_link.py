"""A virtual serial cable: a pseudo-terminal pair whose slave path the app opens.

`unplug()` closes both ends (the app sees its port fail, as when a USB cable is pulled) and
removes the optional symlink; `plug()` makes a new pair, possibly under a new /dev/pts path,
and points the symlink at it, as a stable name for the app's settings.
"""

from __future__ import annotations

import contextlib
import os
import select
from pathlib import Path


def _open_pty() -> tuple[int, int]:
    """A raw pty pair (master, slave); POSIX only."""
    try:
        import pty
        import tty
    except ImportError:
        raise OSError(
            "virtual serial ports need a POSIX system (pty); on Windows use a com0com pair"
        ) from None
    master, slave = pty.openpty()
    tty.setraw(slave)
    return master, slave


class PtyLink:
    """The meter's end of a pty pair (the master), non-blocking; the slave stays open so that
    the master never sees a hang-up while the app reconnects."""

    def __init__(self, link: str | Path | None = None) -> None:
        self._link = Path(link) if link else None
        self._fds: tuple[int, int] | None = None
        self.path = ""
        self.plug()

    @property
    def plugged(self) -> bool:
        return self._fds is not None

    def plug(self) -> None:
        if self._fds is not None:
            return
        master, slave = _open_pty()
        os.set_blocking(master, False)
        self._fds = (master, slave)
        self.path = os.ttyname(slave)
        if self._link is not None:
            tmp = self._link.with_name(self._link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.path)
            tmp.replace(self._link)

    def unplug(self) -> None:
        if self._fds is None:
            return
        for fd in self._fds:
            os.close(fd)
        self._fds = None
        if self._link is not None:
            with contextlib.suppress(FileNotFoundError):
                self._link.unlink()

    def read(self, timeout: float) -> bytes:
        """What the app wrote, waiting at most `timeout` seconds; b"" when nothing came."""
        if self._fds is None:
            return b""
        master = self._fds[0]
        if not select.select([master], [], [], timeout)[0]:
            return b""
        try:
            return os.read(master, 4096)
        except (BlockingIOError, OSError):
            return b""

    def write(self, data: bytes) -> int:
        """Send to the app; bytes that do not fit in the pty buffer are lost, as on a UART."""
        if self._fds is None or not data:
            return 0
        try:
            return os.write(self._fds[0], data)
        except (BlockingIOError, OSError):
            return 0
