"""A stand-in for Phantom Desktop's reading endpoint, served from a thread on 127.0.0.1.

Imported by the tests as `sim_server` (the tests directory is on sys.path; no package).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from aiohttp import web

# (request body, index of the request) -> (status, JSON payload, or text for a non-JSON body)
Responder = Callable[[dict[str, Any], int], tuple[int, Any]]


def created(
    body: dict[str, Any], phantom: bool = False, port_status: str = "active"
) -> tuple[int, Any]:
    """The contract's 201 answer for `body`."""
    reading = {key: body[key] for key in ("voltage", "current", "power")}
    reading |= {"id": 1, "timestamp": "2024-01-01T12:00:00.000Z"}
    data = {"reading": reading, "phantomDetected": phantom, "portStatus": port_status}
    return 201, {"success": True, "message": "Sensor reading created successfully", "data": data}


def error(status: int, message: str) -> tuple[int, Any]:
    """The contract's error answer."""
    return status, {"success": False, "message": message}


class FakeApp:
    """Answers `POST /api/sensor/reading` with `respond`; records bodies and client sockets."""

    def __init__(self, respond: Responder) -> None:
        self._respond = respond
        self.bodies: list[dict[str, Any]] = []
        self.peers: set[Any] = set()
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-app", daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        assert request.transport is not None
        self.peers.add(request.transport.get_extra_info("peername"))
        status, payload = self._respond(body, len(self.bodies) - 1)
        if isinstance(payload, str):
            return web.Response(status=status, text=payload)
        return web.json_response(payload, status=status)

    async def _setup(self) -> None:
        app = web.Application()
        app.router.add_post("/api/sensor/reading", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._setup())
        self._ready.set()
        self._loop.run_forever()
        assert self._runner is not None
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> FakeApp:
        self._thread.start()
        assert self._ready.wait(5), "the fake app did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        assert not self._thread.is_alive(), "the fake app did not stop"
