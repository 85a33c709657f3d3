"""Modbus-RTU slave side for the emulated meters: requests in, replies out, via pymodbus.

Several meters share one bus: each answers only at its own address, silence otherwise (as on a
real RS-485 bus). Only function 0x04 (read input registers) is served; others get exception 1
(illegal function), reads outside the register image exception 2 (illegal data address).
"""

from __future__ import annotations

from collections.abc import Callable

from pymodbus.exceptions import ModbusException
from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU, ExceptionResponse, ModbusPDU
from pymodbus.pdu.register_message import ReadInputRegistersResponse

READ_INPUT_REGISTERS = 0x04
ILLEGAL_FUNCTION = 0x01
ILLEGAL_DATA_ADDRESS = 0x02
FRAME_GAP_S = 0.05  # silence after which a partial request is dropped

ImageLookup = Callable[[int], "dict[int, int] | None"]  # address -> registers, None: no meter


class ModbusSlaves:
    """Answers requests for the meters `images` knows; `corrupt_every` N-th reply gets a bad CRC."""

    def __init__(self, images: ImageLookup, corrupt_every: int = 0) -> None:
        self._images = images
        self._framer = FramerRTU(DecodePDU(is_server=True))
        self._buffer = bytearray()
        self._last_byte_at = 0.0
        self._corrupt_every = corrupt_every
        self.replies = 0

    def receive(self, data: bytes, now: float) -> bytes:
        """Bytes from the master; returns the replies to send (possibly nothing)."""
        if self._buffer and now - self._last_byte_at > FRAME_GAP_S:
            self._buffer.clear()
        self._buffer += data
        self._last_byte_at = now
        out = bytearray()
        while self._buffer:
            try:
                used, request = self._framer.handleFrame(bytes(self._buffer), 0, 0)
            except ModbusException:
                used, request = len(self._buffer), None
            if not used:
                break
            del self._buffer[:used]
            if request is not None:
                out += self._answer(request)
        return bytes(out)

    def _answer(self, request: ModbusPDU) -> bytes:
        image = self._images(request.dev_id) if request.dev_id else None
        if image is None:
            return b""
        reply: ModbusPDU
        if request.function_code != READ_INPUT_REGISTERS:
            reply = ExceptionResponse(request.function_code, ILLEGAL_FUNCTION, request.dev_id)
        else:
            addresses = range(request.address, request.address + request.count)
            if request.count < 1 or any(a not in image for a in addresses):
                reply = ExceptionResponse(
                    request.function_code, ILLEGAL_DATA_ADDRESS, request.dev_id
                )
            else:
                registers = [image[a] for a in addresses]
                reply = ReadInputRegistersResponse(registers=registers, dev_id=request.dev_id)
        frame = bytearray(self._framer.buildFrame(reply))
        self.replies += 1
        if self._corrupt_every and self.replies % self._corrupt_every == 0:
            frame[-1] ^= 0xFF
        return bytes(frame)
