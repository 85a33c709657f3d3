"""Reading a line protocol (JSON lines, emonTx) from an open port, and writing status lines back."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

import serial

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.serial.emontx import parse_emontx_line
from phantom_desktop.ingest.serial.jsonl import parse_jsonl_line
from phantom_desktop.ingest.serial.lines import BadLine, LineFramer
from phantom_desktop.ingest.serial.session import SerialPort, SessionContext

LineParser = Callable[[bytes, datetime], "list[ReadingValues] | None"]


def line_parser(ctx: SessionContext) -> LineParser:
    """The parser of the source's protocol, returning the readings of one line (None: skip)."""
    if ctx.config.protocol == "emontx":
        channels = dict(ctx.config.channels)
        return lambda line, now: parse_emontx_line(line, channels, now)
    return lambda line, now: [parse_jsonl_line(line, now)]


class LineSession:
    """One connection: frames lines, submits one submission per line, flushes the outbox.

    `outbox` holds lines to write (filled from the writer thread); a line leaves it only once
    written, so a line whose write failed with the connection goes out after the reconnect.
    """

    def __init__(self, ctx: SessionContext, outbox: deque[bytes]) -> None:
        self._ctx = ctx
        self._outbox = outbox
        self._parse = line_parser(ctx)
        self._framer = LineFramer()

    def run(self, port: SerialPort) -> None:
        overlong = 0
        while not self._ctx.stop.is_set():
            self._flush_outbox(port)
            data = port.read(port.in_waiting or 1)
            if not data:
                continue
            lines = self._framer.feed(data)
            if self._framer.overlong != overlong:
                self._ctx.stats.count("garbage", self._framer.overlong - overlong)
                self._ctx.throttle.warning("overlong", "%s: discarded an overlong line", self._name)
                overlong = self._framer.overlong
            now = datetime.now(UTC)
            for line in lines:
                self._handle(line, now)

    @property
    def _name(self) -> str:
        return self._ctx.config.name

    def _handle(self, line: bytes, now: datetime) -> None:
        try:
            readings = self._parse(line, now)
        except BadLine as exc:
            self._ctx.stats.count("garbage")
            self._ctx.throttle.warning(
                "bad-line", "%s: skipped a line (%s): %r", self._name, exc, line[:80]
            )
            return
        if readings:
            self._ctx.submit(readings)

    def _flush_outbox(self, port: SerialPort) -> None:
        while self._outbox:
            try:
                port.write(self._outbox[0])
            except serial.SerialTimeoutException:
                self._ctx.throttle.warning(
                    "write-timeout", "%s: the device does not take status lines", self._name
                )
            else:
                self._ctx.stats.count("written")
            self._outbox.popleft()
