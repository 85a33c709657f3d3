"""Line framing for the text protocols: bytes in, complete lines out, bounded and self-healing."""

from __future__ import annotations

DEFAULT_MAX_LINE = 4096


class BadLine(ValueError):
    """A line that should carry readings but cannot be used; the message says why."""


class LineFramer:
    """Splits a byte stream into lines at `\\n` (a trailing `\\r` is dropped).

    A line longer than `max_line` is discarded up to the next newline, where framing
    resynchronises; `overlong` counts such lines. Empty lines are skipped.
    """

    def __init__(self, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._max_line = max_line
        self._buffer = bytearray()
        self._discarding = False
        self.overlong = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the lines they complete."""
        lines: list[bytes] = []
        self._buffer += data
        start = 0
        while (end := self._buffer.find(b"\n", start)) >= 0:
            line = bytes(self._buffer[start:end])
            start = end + 1
            if self._discarding:
                self._discarding = False
            elif len(line) > self._max_line:
                self.overlong += 1
            elif line := line.rstrip(b"\r"):
                lines.append(line)
        del self._buffer[:start]
        if len(self._buffer) > self._max_line:
            if not self._discarding:
                self.overlong += 1
            self._discarding = True
            self._buffer.clear()
        return lines

    def reset(self) -> None:
        """Forget a partial line (after a reconnect the rest of it never comes)."""
        self._buffer.clear()
        self._discarding = False
