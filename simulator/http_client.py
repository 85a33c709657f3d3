"""Send simulated readings to Phantom Desktop over HTTP: one asyncio task per port.

All tasks share one keep-alive `aiohttp.ClientSession`. A reading the app cannot take now
(unreachable, 429, 503) is retried with backoff; 401/403/404 stop the port; a refused reading
(400, ...) is reported and the port goes on. `portStatus: "off"` opens the device's relay.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from simulator.backoff import Backoff
from simulator.device import DeviceSpec, SimulatedDevice
from simulator.meter import Reading
from simulator.profiles import DEFAULT_SPEED
from simulator.report import Reporter
from simulator.summary import PortStats, Summary

DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_INTERVAL_S = 2.0
READING_PATH = "/api/sensor/reading"
USER_AGENT = "phantom-sim"
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def reading_endpoint(url: str) -> str:
    """The reading endpoint for `url`, given with or without its path (and scheme)."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {url!r} ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith(READING_PATH):
        path += READING_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


@dataclass(frozen=True)
class _Answer:
    """The app's answer: status, JSON object body (None if it was not one), Retry-After."""

    status: int
    payload: dict[str, Any] | None
    retry_after_s: float | None

    @property
    def message(self) -> str:
        message = (self.payload or {}).get("message")
        return message if isinstance(message, str) and message else f"HTTP {self.status}"


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _seconds(header: str | None) -> float | None:
    try:
        return max(float(header), 0.0) if header else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


class _PortRunner:
    """Sends the readings of one device and acts on the answers."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoint: str,
        device: SimulatedDevice,
        stats: PortStats,
        reporter: Reporter,
        backoff: Backoff,
    ) -> None:
        self._session = session
        self._endpoint = endpoint
        self._device = device
        self._stats = stats
        self._reporter = reporter
        self._backoff = backoff
        self._jitter = random.Random()
        self._phantom = False

    @property
    def _label(self) -> str:
        return self._stats.label

    async def run(self, interval_s: float, count: int | None, start_delay_s: float) -> None:
        """Send `count` readings (None: until cancelled), one every `interval_s`."""
        loop = asyncio.get_running_loop()
        next_at = loop.time() + start_delay_s
        for _ in itertools.count() if count is None else range(count):
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            relay_open = not self._device.relay_closed
            reading = self._device.next_reading()
            answer = await self._deliver(reading)
            if not self._handle(answer, reading, relay_open):
                return
            # After a slow answer or an outage, go on from now instead of sending a burst.
            next_at = max(next_at + interval_s, loop.time())

    def _handle(self, answer: _Answer, reading: Reading, relay_open: bool) -> bool:
        """Count and report the final answer to one reading; False when the port must stop."""
        self._stats.sent += 1
        if answer.status == 201:
            self._stats.accepted += 1
            self._reporter.accepted(self._label, reading, relay_open)
            self._follow(answer.payload or {}, reading)
            return True
        self._stats.failed += 1
        stop = self._fatal(answer)
        if stop is not None:
            self._stats.stop_reason, message = stop
            self._reporter.stopped(self._label, message)
            return False
        self._reporter.rejected(self._label, answer.status, self._refusal(answer))
        return True

    async def _deliver(self, reading: Reading) -> _Answer:
        """Post the reading until the app gives an answer other than "try again later"."""
        spec = self._device.spec
        body = {
            "deviceToken": spec.token,
            "portId": spec.port_id,
            "voltage": reading.voltage,
            "current": reading.current,
            "power": reading.power,
        }
        delays = self._backoff.delays(self._jitter)
        while True:
            retry_after_s = 0.0
            try:
                answer = await self._post(body)
            except (TimeoutError, aiohttp.ClientConnectionError):
                problem = f"app not reachable at {self._endpoint}"
            except aiohttp.ClientError as exc:
                problem = f"no complete answer from {self._endpoint} ({exc})"
            else:
                if answer.status not in RETRY_STATUSES:
                    return answer
                problem = f"app busy ({answer.status}: {answer.message})"
                retry_after_s = answer.retry_after_s or 0.0
            delay = min(max(next(delays), retry_after_s), self._backoff.cap_s)
            self._stats.retries += 1
            self._reporter.retrying(self._label, problem, delay)
            await asyncio.sleep(delay)

    async def _post(self, body: dict[str, Any]) -> _Answer:
        async with self._session.post(self._endpoint, json=body) as response:
            raw = await response.read()
            retry_after = _seconds(response.headers.get("Retry-After"))
            return _Answer(response.status, _json_object(raw), retry_after)

    def _follow(self, payload: dict[str, Any], reading: Reading) -> None:
        """Obey `portStatus` and report a new phantom event or a switched port."""
        data = payload.get("data")
        data = data if isinstance(data, dict) else {}
        phantom = data.get("phantomDetected") is True
        was_closed = self._device.relay_closed
        status = data.get("portStatus")
        if status in ("active", "off"):
            self._device.relay_closed = status == "active"
        if phantom and not self._phantom:
            self._stats.phantoms += 1
            self._reporter.phantom(self._label, reading.power, cut=not self._device.relay_closed)
        elif was_closed != self._device.relay_closed:
            self._reporter.port_switched(self._label, on=self._device.relay_closed)
        self._phantom = phantom

    def _fatal(self, answer: _Answer) -> tuple[str, str] | None:
        """(short reason, message) when retrying cannot help this port, else None."""
        port = self._device.spec.port_id
        if answer.status == 401:
            return "token refused (401)", (
                f"the token was refused ({answer.message}): generate a new token in"
                " Phantom Desktop (Devices → Generate token) and pass it with --token"
            )
        if answer.status == 403:
            return "port of another user (403)", (
                f"port {port} belongs to another user: use a port of the account whose"
                " token this is, or a token of the port's owner"
            )
        if answer.status == 404 and answer.payload is None:
            return "no reading endpoint (404)", (
                f"{self._endpoint} is not a Phantom Desktop reading endpoint (HTTP 404):"
                " check --url"
            )
        if answer.status == 404:
            return "port not found (404)", (
                f"port {port} does not exist: copy the port id from Phantom Desktop"
            )
        return None

    def _refusal(self, answer: _Answer) -> str:
        if answer.payload is None:
            return f"unexpected answer from {self._endpoint}: is --url the Phantom Desktop app?"
        return answer.message


async def _supervise(tasks: list[asyncio.Task[None]], stop: asyncio.Event) -> None:
    """Wait for every task; when `stop` is set or one task fails, cancel the others."""
    stopper = asyncio.ensure_future(stop.wait())
    try:
        pending: set[asyncio.Future[Any]] = set(tasks)
        while pending:
            done, pending = await asyncio.wait(
                pending | {stopper}, return_when=asyncio.FIRST_COMPLETED
            )
            pending.discard(stopper)
            if stopper in done or any(t.exception() for t in done if t is not stopper):
                break
    finally:
        stopper.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for error in [task.exception() for task in tasks if not task.cancelled()]:
        if error is not None:
            raise error


async def run_devices(
    url: str,
    devices: Sequence[DeviceSpec],
    interval: float = DEFAULT_INTERVAL_S,
    count: int | None = None,
    *,
    seed: int | None = None,
    mains_v: float = 230.0,
    speed: float = DEFAULT_SPEED,
    quiet: bool = False,
    out: TextIO | None = None,
    backoff: Backoff | None = None,
    timeout_s: float = 10.0,
    stop: asyncio.Event | None = None,
) -> Summary:
    """Simulate `devices` concurrently against the app at `url`; return what happened.

    Each device sends a reading every `interval` seconds, `count` times (None: until `stop`
    is set). Appliances live `speed` simulated seconds per second. Lines go to `out`
    (stdout by default), and a summary line ends the run.
    """
    if not devices:
        raise ValueError("no devices to simulate")
    endpoint = reading_endpoint(url)
    out = out if out is not None else sys.stdout
    reporter = Reporter(out, quiet=quiet, show_labels=len(devices) > 1)
    summary = Summary([PortStats(spec.display_label) for spec in devices])
    connector = aiohttp.TCPConnector(limit=len(devices))
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_s),
        headers={"User-Agent": USER_AGENT},
    ) as session:
        tasks = []
        for index, (spec, stats) in enumerate(zip(devices, summary.ports, strict=True)):
            device = SimulatedDevice(spec, step_s=interval * speed, mains_v=mains_v, seed=seed)
            runner = _PortRunner(session, endpoint, device, stats, reporter, backoff or Backoff())
            start_delay_s = interval * index / len(devices)
            tasks.append(asyncio.create_task(runner.run(interval, count, start_delay_s)))
        await _supervise(tasks, stop or asyncio.Event())
    reporter.summary(summary)
    return summary
