"""Polling Modbus-RTU meters on one bus: one request at a time, each meter at its address."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from phantom_desktop.core.readings import ReadingError
from phantom_desktop.ingest.serial.meters import METER_MODELS, Measurement
from phantom_desktop.ingest.serial.modbus_rtu import RtuClient, character_time_s, reply_size
from phantom_desktop.ingest.serial.session import SerialPort, SessionContext

# Meters answer within tens of milliseconds; this margin comes on top of the transmission time.
ANSWER_MARGIN_S = 0.25


class ModbusSession:
    """One connection: every poll interval, read each configured meter and submit its reading.

    One submission per meter, so that a meter mapped to a deleted port does not hold back the
    others. A meter that does not answer costs one timeout per poll, counted and logged.
    """

    def __init__(self, ctx: SessionContext) -> None:
        self._ctx = ctx
        self._model = METER_MODELS[ctx.config.protocol]
        self._client = RtuClient()
        self._meters = ctx.config.meter_addresses()
        self._char_s = character_time_s(ctx.config.baudrate)
        self._gap_s = max(0.002, 3.5 * self._char_s)  # RTU inter-frame silence

    @property
    def _name(self) -> str:
        return self._ctx.config.name

    def run(self, port: SerialPort) -> None:
        stop = self._ctx.stop
        while not stop.is_set():
            started = time.monotonic()
            for address, port_id in self._meters:
                if stop.is_set():
                    return
                measurement = self._poll(port, address)
                if measurement is not None:
                    self._submit(address, port_id, measurement)
            stop.wait(max(0.0, self._ctx.config.poll_interval_s - (time.monotonic() - started)))

    def _submit(self, address: int, port_id: str, measurement: Measurement) -> None:
        try:
            reading = measurement.reading(port_id, datetime.now(UTC))
        except ReadingError as exc:
            self._ctx.stats.count("garbage")
            self._ctx.throttle.warning(
                f"value-{address}",
                "%s: meter %d reported an invalid value: %s",
                self._name,
                address,
                exc,
            )
            return
        self._ctx.submit([reading])

    def _poll(self, port: SerialPort, address: int) -> Measurement | None:
        blocks: dict[int, Sequence[int]] = {}
        for start, count in self._model.blocks:
            registers = self._read(port, address, start, count)
            if registers is None:
                return None
            blocks[start] = registers
        return self._model.decode(blocks)

    def _read(self, port: SerialPort, address: int, start: int, count: int) -> Sequence[int] | None:
        """One transaction; None (counted and logged) when no usable reply came in time."""
        request = self._client.read_input_registers(address, start, count)
        size = reply_size(count)
        time.sleep(self._gap_s)
        port.reset_input_buffer()
        port.write(request)
        deadline = time.monotonic() + ANSWER_MARGIN_S + (len(request) + size) * self._char_s
        buffer = bytearray()
        while True:
            buffer += port.read(max(1, port.in_waiting))
            scan = self._client.scan_reply(bytes(buffer), address, count)
            if scan.reply is not None or time.monotonic() >= deadline or self._ctx.stop.is_set():
                break
            if len(buffer) > 8 * size:
                del buffer[: len(buffer) - size]
        if scan.reply is None and self._ctx.stop.is_set():
            return None
        stats, throttle = self._ctx.stats, self._ctx.throttle
        if scan.bad_frames:
            stats.count("crc_errors", scan.bad_frames)
            throttle.warning(f"crc-{address}", "%s: bad CRC from meter %d", self._name, address)
        if scan.reply is None:
            if not buffer:
                stats.count("timeouts")
                throttle.warning(
                    f"silent-{address}", "%s: meter %d does not answer", self._name, address
                )
            elif not scan.bad_frames:
                stats.count("garbage")
                throttle.warning(
                    f"garbage-{address}",
                    "%s: unrecognised bytes instead of meter %d's answer",
                    self._name,
                    address,
                )
            return None
        if scan.reply.exception_code is not None:
            stats.count("garbage")
            throttle.warning(
                f"exception-{address}",
                "%s: meter %d answered with Modbus exception %d",
                self._name,
                address,
                scan.reply.exception_code,
            )
            return None
        return scan.reply.registers
