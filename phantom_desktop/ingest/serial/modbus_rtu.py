"""Modbus-RTU client framing: read-input-registers requests out, replies found in a byte stream.

Framing, CRC-16 and PDU encoding/decoding come from pymodbus (`FramerRTU`, `DecodePDU`,
`ReadInputRegistersRequest`); we only locate the reply we are waiting for. Why pymodbus:

- It is actively maintained (several releases a year, a large user base) and was already a
  dependency; its framer and PDU classes are transport-free, so we keep our own pyserial
  port. That gives us pyserial URLs, one thread per source, our own reconnect with USB
  re-discovery, and distinct counters for CRC errors, timeouts and garbage — which its
  `ModbusSerialClient` (owning the port, with its own retries) would hide.
- The same classes serve the meter emulator (slave side) in `simulator/serial_meter`.
- minimalmodbus is synchronous and simple but opens and owns the port itself (device names
  only, no pyserial URLs), merges CRC errors and silence into one exception and has no slave
  side; umodbus has had no release since 2020.

pymodbus's own RTU decoder, when a CRC fails, drops everything buffered, and it cannot tell
garbage from a frame that is not complete yet. A client knows exactly which reply it expects
(address, function 0x04, byte count 2·n, or the 5-byte exception reply), so `scan_reply`
tries each position where such a header starts and lets pymodbus check and decode the frame
there: garbage before or after a reply, an echoed request, or a corrupt frame just move the
search on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU
from pymodbus.pdu.register_message import ReadInputRegistersRequest

READ_INPUT_REGISTERS = 0x04
EXCEPTION_REPLY_SIZE = 5
MAX_REGISTERS = 125


def reply_size(count: int) -> int:
    """Bytes in a read-input-registers reply: address, function, byte count, data, CRC."""
    return 5 + 2 * count


def character_time_s(baudrate: int) -> float:
    """Duration of one 11-bit RTU character (8 data bits, start, stop and parity/stop)."""
    return 11 / baudrate


@dataclass(frozen=True, slots=True)
class Reply:
    """A meter's answer: its registers, or the Modbus exception code it returned."""

    registers: tuple[int, ...] = ()
    exception_code: int | None = None


@dataclass(frozen=True, slots=True)
class Scan:
    """What a buffer holds: the expected reply if complete, and frames that failed CRC."""

    reply: Reply | None
    bad_frames: int


class RtuClient:
    """Builds requests and recognises replies; no I/O, one instance per source."""

    def __init__(self) -> None:
        self._framer = FramerRTU(DecodePDU(is_server=False))

    def read_input_registers(self, address: int, start: int, count: int) -> bytes:
        if not 1 <= count <= MAX_REGISTERS:
            raise ValueError(f"count must be 1 to {MAX_REGISTERS}")
        request = ReadInputRegistersRequest(address=start, count=count, dev_id=address)
        return self._framer.buildFrame(request)

    def scan_reply(self, data: bytes, address: int, count: int) -> Scan:
        """Find the reply of `address` to a read of `count` registers anywhere in `data`."""
        bad_frames = 0
        size = reply_size(count)
        for start in range(len(data) - 1):
            if data[start] != address:
                continue
            function = data[start + 1]
            if function == READ_INPUT_REGISTERS | 0x80:
                length = EXCEPTION_REPLY_SIZE
            elif function == READ_INPUT_REGISTERS:
                if start + 2 >= len(data) or data[start + 2] != 2 * count:
                    continue
                length = size
            else:
                continue
            if start + length > len(data):
                continue
            reply = self._decode(data[start : start + length], count)
            if reply is None:
                bad_frames += 1
                continue
            return Scan(reply, bad_frames)
        return Scan(None, bad_frames)

    def _decode(self, frame: bytes, count: int) -> Reply | None:
        try:
            _used, pdu = self._framer.handleFrame(frame, 0, 0)
        except ModbusException:
            return None
        if pdu is None:
            return None
        if pdu.isError():
            return Reply(exception_code=pdu.exception_code)
        registers = tuple(pdu.registers)
        return Reply(registers) if len(registers) == count else None
