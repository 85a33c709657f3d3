"""The device HTTP server: aiohttp on an asyncio loop of its own thread (docs/ARCHITECTURE.md,
"Threads").

`start()` returns once the socket is bound, or raises `ListenError` saying what to change.
`stop()` closes the listening socket, lets requests in flight get their answers (the writer still
runs: `Services.stop` stops this server first), then ends the loop and joins the thread.
The routes themselves live in `http_api`.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
from functools import partial

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler
from sqlalchemy import Engine

from phantom_desktop import __version__
from phantom_desktop.ingest.http_api import (
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_BODY_BYTES,
    DeviceApi,
    HttpStats,
)
from phantom_desktop.ingest.http_guard import GuardedServer, HttpLimits
from phantom_desktop.ingest.openapi import openapi_spec
from phantom_desktop.ingest.rate_limit import RateLimit
from phantom_desktop.ingest.writer import Writer

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 15.0

__all__ = ["HttpServer", "HttpStats", "ListenError"]


class ListenError(OSError):
    """The server cannot listen on the requested address; the message says what to change."""


def _listen_error(exc: BaseException, host: str, port: int) -> ListenError:
    code = getattr(exc, "errno", None)
    if code == errno.EADDRINUSE:
        message = f"port {port} is already in use — set another with --http-port"
    elif code == errno.EACCES:
        message = (
            f"not allowed to listen on port {port} — choose a port above 1023 with --http-port"
        )
    elif code == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        message = f"cannot listen on {host}: not an address of this machine — check --host"
    else:
        message = f"cannot listen on {host}:{port}: {exc}"
    error = ListenError(message)
    error.errno = code
    return error


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (not on Windows): the same aiohttp server spends
    less CPU per request on it, CPU the writer shares under the GIL (bench/ingest.py)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left (e.g. a connection accepted while stopping) and let it close."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def _make_request(
    max_bytes: int,
    loop: asyncio.AbstractEventLoop,
    message: RawRequestMessage,
    payload: StreamReader,
    protocol: RequestHandler,
    writer: AbstractStreamWriter,
    task: asyncio.Task[None],
) -> web.BaseRequest:
    """aiohttp's request object, with the body limit of our largest route."""
    return web.BaseRequest(
        message, payload, protocol, writer, task, loop, client_max_size=max_bytes
    )


class HttpServer:
    """The device API on its own thread. `start()` returns once listening; `stop()` drains."""

    def __init__(
        self,
        writer: Writer,
        host: str = "127.0.0.1",
        port: int = 3000,
        max_body_bytes: int = MAX_BODY_BYTES,
        *,
        engine: Engine | None = None,
        max_batch_readings: int = MAX_BATCH_READINGS,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        limits: HttpLimits | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        """`engine`, when given, lets `GET /api/health` check that the database answers;
        `limits` and `rate_limit` protect it from slow, numerous or flooding clients."""
        self._writer = writer
        self._engine = engine
        self._host = host
        self._requested_port = port
        self._port = port
        self._limits = (max_body_bytes, max_batch_readings, max_batch_bytes)
        self._http_limits = limits or HttpLimits()
        self._rate_limit = rate_limit or RateLimit()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.ServerRunner | None = None
        self._api: DeviceApi | None = None
        self._start_error: ListenError | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with port=0), or the requested one before start."""
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def on_all_interfaces(self) -> bool:
        """Listening on every network interface (0.0.0.0 / ::): reachable from the LAN."""
        return self._host in ("0.0.0.0", "::", "")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stats(self) -> HttpStats:
        return HttpStats(0, 0, 0) if self._api is None else self._api.stats

    def start(self) -> None:
        """Bind and serve; raise ListenError when the address cannot be used."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("the HTTP server is already running")
            ready = threading.Event()
            self._start_error = None
            thread = threading.Thread(target=self._run, args=(ready,), name="phantom-http")
            thread.daemon = True
            thread.start()
            ready.wait()
            if self._start_error is not None:
                thread.join()
                raise self._start_error
            self._thread = thread
        log.info("listening on %s", self.url)
        if self.on_all_interfaces:
            log.warning("listening on all network interfaces: devices on the network can connect")

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish, end the thread. Idempotent."""
        with self._lock:
            thread, self._thread = self._thread, None
            loop = self._loop
            if thread is None or loop is None:
                return
            if not thread.is_alive():
                log.error("the HTTP server thread had already ended")
                return
            closing = asyncio.run_coroutine_threadsafe(self._close(), loop)
            try:
                closing.result(SHUTDOWN_TIMEOUT_S + 5)
            except Exception:
                log.exception("stopping the HTTP server failed")
            loop.call_soon_threadsafe(loop.stop)
            thread.join(SHUTDOWN_TIMEOUT_S)
            if thread.is_alive():
                log.error("the HTTP server thread did not stop")

    # -- the thread --------------------------------------------------------------------------
    def _run(self, ready: threading.Event) -> None:
        loop = new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            try:
                loop.run_until_complete(self._open(loop))
            except Exception as exc:
                self._start_error = _listen_error(exc, self._host, self._requested_port)
                ready.set()
                return
            self._loop = loop
            ready.set()
            loop.run_forever()
        finally:
            _finish_tasks(loop)
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _open(self, loop: asyncio.AbstractEventLoop) -> None:
        max_body, max_batch, max_batch_bytes = self._limits
        spec = openapi_spec(
            version=__version__,
            max_body_bytes=max_body,
            max_batch_readings=max_batch,
            max_batch_bytes=max_batch_bytes,
        )
        api = DeviceApi(
            self._writer,
            self._engine,
            spec,
            max_body,
            max_batch,
            max_batch_bytes,
            limits=self._http_limits,
            rate_limit=self._rate_limit,
        )
        server = GuardedServer(
            api.handle,
            limits=self._http_limits,
            request_factory=partial(_make_request, api.max_request_bytes, loop),
            access_log=None,
        )
        runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._api = api
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
