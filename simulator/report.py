"""The lines the simulator prints: one per reading, and short notices that do not repeat."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from simulator.meter import Reading
from simulator.summary import Summary


class Reporter:
    """Prints to `out`. `quiet` drops the per-reading lines; notices and errors remain.

    With `show_labels`, each line starts with the device's label (several ports at once).
    The same retry notice is printed at most once per `repeat_after_s`, across all ports.
    """

    def __init__(
        self,
        out: TextIO,
        *,
        quiet: bool = False,
        show_labels: bool = False,
        repeat_after_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out
        self._quiet = quiet
        self._show_labels = show_labels
        self._repeat_after_s = repeat_after_s
        self._clock = clock
        self._last_problem: tuple[str, float] | None = None

    def _print(self, label: str | None, text: str) -> None:
        """Print a line, prefixed with `label` when several ports share the output."""
        prefix = f"[{label}] " if label and self._show_labels else ""
        print(prefix + text, file=self._out, flush=True)

    def accepted(self, label: str, reading: Reading, relay_open: bool) -> None:
        """A reading was stored; also says once that the app answers again after an outage."""
        if self._last_problem is not None:
            self._last_problem = None
            self._print(None, "✅ app answering again")
        if self._quiet:
            return
        text = (
            f"✅ Success -> Voltage: {reading.voltage:.1f}V | Current: {reading.current:.3f}A"
            f" | Power: {reading.power:.2f}W"
        )
        self._print(label, text + (" | relay open (port off)" if relay_open else ""))

    def phantom(self, label: str, power_w: float, cut: bool) -> None:
        """The app reported a phantom event on this port."""
        outcome = "port turned off" if cut else f"standby {power_w:.2f} W (port left on)"
        self._print(None, f"⚠️  Phantom detected on {label}: {outcome}")

    def port_switched(self, label: str, on: bool) -> None:
        """The app turned the port on or off without a phantom event."""
        if on:
            self._print(None, f"🔌 {label}: port turned back on, relay closed")
        else:
            self._print(None, f"⏻  {label}: port turned off in Phantom Desktop, relay open")

    def rejected(self, label: str, status: int, message: str) -> None:
        """The app refused one reading; the simulator goes on."""
        self._print(label, f"❌ Reading refused ({status}): {message}")

    def retrying(self, label: str, problem: str, delay_s: float) -> None:
        """The app could not take the reading now; the same reading is retried later."""
        now = self._clock()
        last = self._last_problem
        if last is not None and last[0] == problem and now - last[1] < self._repeat_after_s:
            return
        self._last_problem = (problem, now)
        self._print(label, f"… {problem}, retrying in {delay_s:.1f} s")

    def stopped(self, label: str, message: str) -> None:
        """This port gives up: retrying cannot fix what is wrong."""
        self._print(None, f"⛔ {label} stopped: {message}")

    def summary(self, summary: Summary) -> None:
        """One closing line with the counts, and the ports that stopped and why."""
        text = (
            f"{summary.sent} readings answered: {summary.accepted} accepted,"
            f" {summary.failed} refused, {summary.retries} retries"
        )
        stopped = [f"{p.label} ({p.stop_reason})" for p in summary.ports if p.stop_reason]
        if stopped:
            text += "; stopped: " + ", ".join(stopped)
        self._print(None, text)
