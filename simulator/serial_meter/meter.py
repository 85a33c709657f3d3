"""Running an emulated meter on a pty in a thread: the function API for tests and the CLI."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.serial_meter.devices import LineMeter, Meter, ModbusMeters, Sent
from simulator.serial_meter.loads import make_loads
from simulator.serial_meter.pty_link import PtyLink

PROTOCOLS = ("pzem", "sdm120", "sdm630", "emontx", "jsonl")
ALIASES = {"sdm": "sdm120"}
BAUDRATES = {"pzem": 9600, "sdm120": 2400, "sdm630": 2400, "emontx": 115200, "jsonl": 115200}
POLL_S = 0.02  # how often the thread looks at the pty between ticks


class MeterHandle:
    """A running emulated meter. `path` is the port to open (changes after `replug`)."""

    def __init__(self, meter: Meter, link: PtyLink, interval_s: float) -> None:
        self.meter = meter
        self._link = link
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="serial-meter", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return self._link.path

    @property
    def plugged(self) -> bool:
        return self._link.plugged

    @property
    def sent(self) -> list[Sent]:
        """Everything the meter exposed so far (bounded), oldest first."""
        return list(self.meter.sent)

    @property
    def received(self) -> list[dict[str, Any]]:
        """JSON objects the app wrote to the meter (status lines), oldest first."""
        return list(self.meter.received)

    def unplug(self) -> None:
        """Close the pty, as when the USB cable is pulled: the app's port fails."""
        with self._lock:
            self._link.unplug()

    def replug(self) -> str:
        """A new pty pair (the path may differ); returns the path."""
        with self._lock:
            self._link.plug()
            self._send(self.meter.banner() if isinstance(self.meter, LineMeter) else b"")
            return self._link.path

    def close(self) -> None:
        """Stop the meter's thread and close the pty."""
        self._closed.set()
        self._thread.join(5)
        with self._lock:
            self._link.unplug()

    def __enter__(self) -> MeterHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, data: bytes) -> None:
        if data:
            self._link.write(data)

    def _run(self) -> None:
        started = time.monotonic()
        due = started
        while not self._closed.is_set():
            now = time.monotonic()
            with self._lock:
                data = self._link.read(max(0.0, min(POLL_S, due - now)))
                now = time.monotonic()
                if data:
                    self._send(self.meter.receive(data, now - started))
                if now >= due:
                    self._send(self.meter.tick(now - started))
                    due = max(due + self._interval_s, now)
            if not self._link.plugged:
                self._closed.wait(POLL_S)


def start_meter(
    protocol: str,
    *,
    addresses: Sequence[int] = (1,),
    channels: int = 3,
    port_ids: Sequence[str] = (),
    interval_s: float = 1.0,
    loads: Sequence[str] | None = None,
    active_s: float = 20.0,
    link: str | Path | None = None,
    garbage_every: int = 0,
    corrupt_every: int = 0,
    with_current: bool = False,
    seed: int = 0,
) -> MeterHandle:
    """Start an emulated meter on a new pty pair.

    Modbus meters (`pzem`, `sdm120`, `sdm630`) answer at `addresses` and refresh their
    registers every `interval_s`; `corrupt_every` N-th reply gets a bad CRC. Line meters print a
    line every `interval_s`: `emontx` for `channels` CT channels (P1..), `jsonl` one line per
    port id in `port_ids`, and obeys status lines as a relay board; `garbage_every` N-th tick is
    preceded by line noise. `loads` names appliances (tv, router, charger, fridge, lamp) that
    are on for `active_s` seconds, then in standby. `link`: a symlink kept pointing at the port.
    """
    protocol = ALIASES.get(protocol, protocol)
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)} (or sdm)")
    if interval_s <= 0:
        raise ValueError("the interval must be positive")
    rng = random.Random(seed)
    kinds = list(loads) if loads else None
    meter: Meter
    if protocol in ("pzem", "sdm120", "sdm630"):
        if not addresses or any(not 1 <= a <= 247 for a in addresses):
            raise ValueError("Modbus addresses are 1 to 247")
        phases = 3 if protocol == "sdm630" else 1
        pool = iter(make_loads(phases * len(addresses), kinds, rng, active_s))
        by_address = {a: [next(pool) for _ in range(phases)] for a in addresses}
        meter = ModbusMeters(protocol, by_address, rng, corrupt_every)
    else:
        if protocol == "emontx":
            if not 1 <= channels <= 12:
                raise ValueError("an emonTx has 1 to 12 channels")
            units = [f"P{i}" for i in range(1, channels + 1)]
        else:
            if not port_ids:
                raise ValueError("a JSON-lines meter needs at least one port id")
            units = list(port_ids)
        pool = iter(make_loads(len(units), kinds, rng, active_s))
        by_unit = {unit: next(pool) for unit in units}
        meter = LineMeter(protocol, by_unit, rng, garbage_every, with_current)
    pty_link = PtyLink(link)
    if isinstance(meter, LineMeter):
        pty_link.write(meter.banner())
    return MeterHandle(meter, pty_link, interval_s)
