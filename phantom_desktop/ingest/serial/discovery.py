"""Finding and opening serial ports: the list for a port picker, USB re-discovery, open."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import cast

import serial
from serial.tools import list_ports

from phantom_desktop.ingest.serial.config import SerialSourceConfig, UsbMatch
from phantom_desktop.ingest.serial.session import SerialPort

_TermiosError: type[Exception]
try:
    from termios import error as _TermiosError
except ImportError:  # Windows
    _TermiosError = OSError

READ_TIMEOUT_S = 0.05
WRITE_TIMEOUT_S = 1.0
# What a port raises when its device goes away: pyserial mostly wraps OSError in
# SerialException, but some calls (flushing the buffers) let termios.error through.
PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)
# errno values that mean "the device is not there (yet)", as opposed to a setup problem.
_ABSENT = {errno.ENOENT, errno.ENXIO, errno.ENODEV, errno.EIO}


@dataclass(frozen=True, slots=True)
class SerialPortInfo:
    """A serial port the OS lists: what a port picker shows, and how to match it later."""

    device: str
    description: str
    usb: UsbMatch | None

    @property
    def label(self) -> str:
        text = f"{self.device} — {self.description}"
        return f"{text} [{self.usb}]" if self.usb else text


def available_ports() -> list[SerialPortInfo]:
    """Ports from `serial.tools.list_ports` (virtual ports such as /dev/pts/N are not listed)."""
    ports = []
    for info in sorted(list_ports.comports(), key=lambda p: p.device):
        usb = None
        if info.vid is not None and info.pid is not None:
            usb = UsbMatch(info.vid, info.pid, info.serial_number or None)
        description = info.description if info.description not in (None, "n/a") else ""
        ports.append(SerialPortInfo(info.device, description or info.device, usb))
    return ports


def find_usb(match: UsbMatch, preferred: str = "") -> str | None:
    """The device path of the adapter `match` describes, preferring `preferred` among several."""
    found = [
        info.device
        for info in list_ports.comports()
        if info.vid == match.vid
        and info.pid == match.pid
        and (match.serial_number is None or info.serial_number == match.serial_number)
    ]
    if not found:
        return None
    return preferred if preferred in found else sorted(found)[0]


def resolve_port(config: SerialSourceConfig) -> str | None:
    """Where to open the source now: found by USB identity when given, else the configured path.

    None when the USB adapter is not plugged in; the configured path is then not tried, since
    another adapter may have taken it.
    """
    if config.usb is not None:
        return find_usb(config.usb, config.port)
    return config.port


def open_port(path: str, baudrate: int) -> SerialPort:
    """Open 8N1 with short read timeouts so the source's thread notices a stop promptly."""
    port = serial.serial_for_url(
        path,
        baudrate=baudrate,
        bytesize=serial.EIGHTBITS,
        parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_ONE,
        timeout=READ_TIMEOUT_S,
        write_timeout=WRITE_TIMEOUT_S,
        exclusive=True,
    )
    try:
        port.reset_input_buffer()  # drop what a meter sent while nobody listened
    except BaseException:
        port.close()
        raise
    return cast(SerialPort, port)


def device_absent(exc: BaseException) -> bool:
    """True when opening failed because the device is not there, not because of a setup error."""
    if isinstance(exc, _TermiosError) and exc.args:
        return exc.args[0] in _ABSENT
    return isinstance(exc, FileNotFoundError) or getattr(exc, "errno", None) in _ABSENT
