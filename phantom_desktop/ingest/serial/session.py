"""What a protocol session gets from its source: where to count, log, submit, and when to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.serial.config import SerialSourceConfig
from phantom_desktop.ingest.serial.status import LogThrottle, SourceStats


class SerialPort(Protocol):
    """What sessions use of an open pyserial port (a device, a pty or a socket:// URL)."""

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> SerialPort: ...

    def __exit__(self, *exc_info: object) -> None: ...


@dataclass(frozen=True, slots=True)
class SessionContext:
    """Shared by the source and its sessions; a session's `run(port)` returns once `stop` is set
    and lets the port's errors (`discovery.PORT_ERRORS`) escape when the port is lost."""

    config: SerialSourceConfig
    stats: SourceStats
    throttle: LogThrottle
    submit: Callable[[list[ReadingValues]], None]
    stop: threading.Event
