"""Serial meter emulators on virtual serial ports (pty), for demos and end-to-end tests.

`start_meter("pzem" | "sdm120" | "sdm630" | "emontx" | "jsonl", ...)` returns a `MeterHandle`
(`.path`, `.sent`, `.received`, `.unplug()`, `.replug()`, `.close()`); `main(argv)` is
`phantom-sim serial`. Like the rest of the simulator, it never imports `phantom_desktop`.
"""

from simulator.serial_meter.cli import main
from simulator.serial_meter.devices import Sent
from simulator.serial_meter.meter import MeterHandle, start_meter

__all__ = ["MeterHandle", "Sent", "main", "start_meter"]
