"""The emulated meters: what each sends every interval and how it answers the app."""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from simulator.serial_meter.loads import Grid, Load, Sample
from simulator.serial_meter.modbus_slave import ModbusSlaves
from simulator.serial_meter.registers import float32, pzem_registers, pzem_values, sdm_image

MAX_HISTORY = 100_000
GARBAGE = bytes(range(256))


@dataclass(frozen=True, slots=True)
class Sent:
    """Values a meter exposed at time `t` for one unit (address, channel or port id):
    one (voltage, current, power) per phase, as a correct client decodes them."""

    unit: int | str
    t: float
    phases: tuple[tuple[float, float, float], ...]


class Meter:
    """Base: `tick` (every interval) and `receive` (bytes from the app) return bytes to send."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.grid = Grid(rng)
        self.sent: deque[Sent] = deque(maxlen=MAX_HISTORY)
        self.received: deque[dict[str, Any]] = deque(maxlen=MAX_HISTORY)

    def tick(self, t: float) -> bytes:
        raise NotImplementedError

    def receive(self, data: bytes, t: float) -> bytes:
        raise NotImplementedError

    def garbage(self) -> bytes:
        """A burst of line noise: random bytes, sometimes a newline among them."""
        return bytes(self.rng.choice(GARBAGE) for _ in range(self.rng.randint(1, 40)))


class ModbusMeters(Meter):
    """PZEM-004T or Eastron SDM meters at several addresses on one bus."""

    def __init__(
        self,
        model: str,
        loads: dict[int, list[Load]],
        rng: random.Random,
        corrupt_every: int = 0,
    ) -> None:
        super().__init__(rng)
        self.model = model
        self.loads = loads
        self._images: dict[int, dict[int, int]] = {}
        self.slaves = ModbusSlaves(self._images.get, corrupt_every)

    def tick(self, t: float) -> bytes:
        """Meters refresh their registers about once per interval, not per request."""
        voltage, frequency = self.grid.voltage(t), self.grid.frequency(t)
        for address, loads in self.loads.items():
            samples = [load.sample(t, voltage, frequency) for load in loads]
            energy = sum(load.energy_wh for load in loads)
            if self.model == "pzem":
                registers = pzem_registers(samples[0], energy)
                self._images[address] = dict(enumerate(registers))
                phases: tuple[tuple[float, float, float], ...] = (pzem_values(registers),)
            else:
                self._images[address] = sdm_image(samples, energy)
                phases = tuple(
                    (float32(s.voltage), float32(s.current), float32(s.power)) for s in samples
                )
            self.sent.append(Sent(address, t, phases))
        return b""

    def receive(self, data: bytes, t: float) -> bytes:
        return self.slaves.receive(data, t)


class LineMeter(Meter):
    """emonTx4-style key:value lines, or JSON lines that act as a relay board too."""

    def __init__(
        self,
        protocol: str,
        loads: dict[str, Load],
        rng: random.Random,
        garbage_every: int = 0,
        with_current: bool = False,
    ) -> None:
        super().__init__(rng)
        self.protocol = protocol
        self.loads = loads  # "P1".. for emonTx, port ids for JSON lines
        self._garbage_every = garbage_every
        self._with_current = with_current
        self._lines = 0
        self._inbox = bytearray()

    def banner(self) -> bytes:
        if self.protocol != "emontx":
            return b""
        return b"emonTx V4 (serial meter emulator)\r\ndescribe:EmonTX4DB_6CT_1phase\r\n"

    def tick(self, t: float) -> bytes:
        voltage, frequency = self.grid.voltage(t), self.grid.frequency(t)
        samples = {unit: load.sample(t, voltage, frequency) for unit, load in self.loads.items()}
        self._lines += 1
        if self.protocol == "emontx":
            out = self._emontx_line(t, round(voltage, 2), samples)
        else:
            out = b"".join(self._json_line(t, unit, sample) for unit, sample in samples.items())
        if self._garbage_every and self._lines % self._garbage_every == 0:
            out = self.garbage() + b"\n" + out
        return out

    def _emontx_line(self, t: float, voltage: float, samples: dict[str, Sample]) -> bytes:
        items = [f"MSG:{self._lines}", f"Vrms:{voltage:.2f}"]
        for unit, s in samples.items():
            power = round(s.power)
            items.append(f"{unit}:{power}")
            if self._with_current:
                current = round(s.current, 3)
                items.append(f"I{unit[1:]}:{current:.3f}")
            else:
                current = abs(power) / voltage if voltage > 0 else 0.0
            self.sent.append(Sent(unit, t, ((voltage, current, float(power)),)))
        for unit, load in self.loads.items():
            items.append(f"E{unit[1:]}:{round(load.energy_wh)}")
        items.append("pulse:0")
        return (",".join(items) + "\r\n").encode("ascii")

    def _json_line(self, t: float, port_id: str, s: Sample) -> bytes:
        values = (round(s.voltage, 2), round(s.current, 4), round(s.power, 2))
        self.sent.append(Sent(port_id, t, (values,)))
        body = {"portId": port_id, "voltage": values[0], "current": values[1], "power": values[2]}
        return json.dumps(body).encode("utf-8") + b"\n"

    def receive(self, data: bytes, t: float) -> bytes:
        """Status lines from the app: `{"portId": ..., "status": "off"|"active"}` work the relay."""
        self._inbox += data
        while (end := self._inbox.find(b"\n")) >= 0:
            line, self._inbox = bytes(self._inbox[:end]), self._inbox[end + 1 :]
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if not isinstance(command, dict):
                continue
            self.received.append(command)
            load = self.loads.get(str(command.get("portId")))
            if load is not None and command.get("status") in ("off", "active"):
                load.relay_on = command["status"] == "active"
        del self._inbox[: max(0, len(self._inbox) - 4096)]
        return b""
