"""The device HTTP API (DESIGN.md, "The HTTP contract"): aiohttp on an event loop of its own thread.

A handler checks the request on the loop (content type, size, JSON, token present, fields), hands
the readings to the writer thread with an asyncio future as the tag, and answers when the writer
resolves that future after its commit: a 201 therefore means "on disk".

Content type: a body must be declared `application/json` (any parameters, e.g. a charset) or a
`+json` type; anything else gets 415. A request with no Content-Type at all is accepted when its
body parses as JSON (minimal firmware sometimes omits the header), and gets 415 otherwise.

The device token comes from the body's `deviceToken` or, when that is absent or empty, from
`Authorization: Bearer <token>`. Request checks run in this order: 415, 413, 400 (JSON), 401 (no
token), 400 (fields), then the writer's 401/403/404 and 429/503 when it cannot take the readings.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from aiohttp import hdrs, web
from sqlalchemy import Engine, text

from phantom_desktop import __version__
from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import ReadingError, format_timestamp, parse_reading
from phantom_desktop.ingest.messages import CREATED, Outcome, StoredReading, Submission
from phantom_desktop.ingest.openapi import openapi_spec
from phantom_desktop.ingest.writer import Writer

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH_READINGS = 1000
MAX_BATCH_BYTES = 1024 * 1024
RETRY_AFTER_S = 1
SHUTDOWN_TIMEOUT_S = 15.0
DB_PING_TIMEOUT_S = 5.0

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ListenError(OSError):
    """The server cannot listen on the requested address; the message says what to change."""


@dataclass(frozen=True, slots=True)
class HttpStats:
    """Counters for a status bar: requests answered, readings acknowledged, requests refused."""

    requests: int
    acknowledged: int
    rejected: int


class _Rejection(Exception):
    """Answer the request with a JSON error body."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def _dumps(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"success": False, "message": message}, status=status, headers=headers, dumps=_dumps
    )


def _reading_json(stored: StoredReading) -> dict:
    return {
        "id": stored.id,
        "voltage": stored.voltage,
        "current": stored.current,
        "power": stored.power,
        "timestamp": format_timestamp(stored.timestamp),
    }


def _is_json(content_type: str) -> bool:
    mime = content_type.partition(";")[0].strip().lower()
    return mime == "application/json" or (
        mime.startswith("application/") and mime.endswith("+json")
    )


def _token(request: web.Request, body: dict) -> str:
    token = body.get("deviceToken")
    if token is None or token == "":
        scheme, _, value = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    if not token:
        raise _Rejection(
            401,
            "A device token is required: send 'deviceToken' or 'Authorization: Bearer <token>'",
            {hdrs.WWW_AUTHENTICATE: "Bearer"},
        )
    if not isinstance(token, str):
        raise _Rejection(400, "'deviceToken' must be a string")
    return token


class _FutureSink:
    """Resolves the handlers' futures from the writer thread: one loop wake-up per batch."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        try:
            self._loop.call_soon_threadsafe(_resolve, results)
        except RuntimeError:  # the loop is closed: the server stopped without waiting for us
            log.warning("dropping %d outcomes: the HTTP server has stopped", len(results))


def _resolve(results: list[tuple[asyncio.Future, Outcome]]) -> None:
    for future, outcome in results:
        if not future.done():  # cancelled when its request was abandoned
            future.set_result(outcome)


class _Api:
    """The request handlers and their counters; lives on the server's event loop."""

    def __init__(
        self,
        writer: Writer,
        engine: Engine | None,
        loop: asyncio.AbstractEventLoop,
        max_body_bytes: int,
        max_batch_readings: int,
        max_batch_bytes: int,
        spec: bytes,
    ) -> None:
        self._writer = writer
        self._engine = engine
        self._loop = loop
        self._sink = _FutureSink(loop)
        self._max_body_bytes = max_body_bytes
        self._max_batch_readings = max_batch_readings
        self._max_batch_bytes = max_batch_bytes
        self._spec = spec
        self.requests = 0
        self.acknowledged = 0
        self.rejected = 0

    def application(self) -> web.Application:
        app = web.Application(
            middlewares=[self._errors],
            client_max_size=max(self._max_body_bytes, self._max_batch_bytes),
            handler_args={"max_field_size": 16 * 1024},
        )
        app.router.add_post("/api/sensor/reading", self.post_reading)
        app.router.add_post("/api/sensor/readings", self.post_readings)
        app.router.add_get("/api/health", self.health)
        app.router.add_get("/api/openapi.json", self.openapi)
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Every error as the contract's JSON, never a stack trace or an HTML page."""
        self.requests += 1
        try:
            return await handler(request)
        except _Rejection as exc:
            self.rejected += 1
            return _error(exc.status, exc.message, exc.headers)
        except web.HTTPException as exc:  # route misses: 404, 405
            self.rejected += 1
            if exc.status == 404:
                return _error(404, f"No such endpoint: {request.method} {request.path}")
            if exc.status == 405:
                allow = exc.headers.get(hdrs.ALLOW, "")
                return _error(405, f"Method {request.method} is not allowed here", {"Allow": allow})
            return _error(exc.status, exc.reason)
        except Exception:
            self.rejected += 1
            log.exception("unexpected error answering %s %s", request.method, request.path)
            return _error(500, "Internal server error")

    # -- routes ------------------------------------------------------------------------------
    async def post_reading(self, request: web.Request) -> web.Response:
        body = await self._json_body(request, self._max_body_bytes)
        token = _token(request, body)
        try:
            values = parse_reading(body)
        except ReadingError as exc:
            raise _Rejection(400, str(exc)) from None
        outcome = await self._store(token, [values])
        stored = outcome.readings[0]
        data = {
            "reading": _reading_json(stored),
            "phantomDetected": stored.phantom,
            "portStatus": stored.port_status,
        }
        payload = {"success": True, "message": outcome.message, "data": data}
        return web.json_response(payload, status=201, dumps=_dumps)

    async def post_readings(self, request: web.Request) -> web.Response:
        body = await self._json_body(request, self._max_batch_bytes)
        token = _token(request, body)
        items = body.get("readings")
        if not isinstance(items, list) or not items:
            raise _Rejection(400, "'readings' must be a non-empty list of readings")
        if len(items) > self._max_batch_readings:
            raise _Rejection(413, f"'readings' holds at most {self._max_batch_readings} readings")
        now = datetime.now(timezone.utc)
        values = []
        for index, item in enumerate(items):
            try:
                values.append(parse_reading(item, now))
            except ReadingError as exc:
                raise _Rejection(400, f"readings[{index}]: {exc}") from None
        outcome = await self._store(token, values)
        readings = [
            {
                **_reading_json(stored),
                "portId": stored.port_id,
                "phantomDetected": stored.phantom,
                "portStatus": stored.port_status,
            }
            for stored in outcome.readings
        ]
        payload = {
            "success": True,
            "message": "Sensor readings created successfully",
            "data": {"readings": readings},
        }
        return web.json_response(payload, status=201, dumps=_dumps)

    async def health(self, _request: web.Request) -> web.Response:
        running = self._writer.running
        database = await self._database_state()
        problems = [
            *([] if running else ["the writer is stopped"]),
            *([] if database != "unreachable" else ["the database is unreachable"]),
        ]
        payload = {
            "success": not problems,
            "message": "; ".join(problems) or "ok",
            "data": {
                "version": __version__,
                "writer": "running" if running else "stopped",
                "queued": self._writer.queued,
                "database": database,
            },
        }
        return web.json_response(payload, status=503 if problems else 200, dumps=_dumps)

    async def openapi(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._spec, content_type="application/json")

    # -- helpers -----------------------------------------------------------------------------
    async def _json_body(self, request: web.Request, limit: int) -> dict:
        declared = request.headers.get(hdrs.CONTENT_TYPE)
        if declared is not None and not _is_json(declared):
            raise _Rejection(415, f"Content-Type must be application/json, not {declared!r}")
        too_large = _Rejection(413, f"The request body must be at most {limit} bytes")
        if request.content_length is not None and request.content_length > limit:
            raise too_large
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:  # a chunked body beyond every route's limit
            raise too_large from None
        if len(raw) > limit:
            raise too_large
        try:
            body = json.loads(raw)
        except ValueError as exc:
            if declared is None:
                raise _Rejection(
                    415, "Send the body as JSON with Content-Type: application/json"
                ) from None
            detail = (
                f": {exc.msg} at position {exc.pos}"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise _Rejection(400, f"Malformed JSON{detail}") from None
        if not isinstance(body, dict):
            raise _Rejection(400, "The body must be a JSON object")
        return body

    async def _store(self, token: str, readings: list) -> Outcome:
        """Hand readings to the writer and wait for its commit; raise the refusals."""
        future = self._loop.create_future()
        submission = Submission(readings, self._sink, future, hash_token(token), source="http")
        if not self._writer.submit(submission):
            retry = {hdrs.RETRY_AFTER: str(RETRY_AFTER_S)}
            if self._writer.running:
                raise _Rejection(429, "Too many readings are waiting to be stored: retry", retry)
            raise _Rejection(503, "Store unavailable: ingestion is stopped, retry later", retry)
        outcome: Outcome = await future
        if outcome.status != CREATED:
            headers = None
            if outcome.status == 401:
                headers = {hdrs.WWW_AUTHENTICATE: "Bearer"}
            elif outcome.status == 503:
                headers = {hdrs.RETRY_AFTER: str(RETRY_AFTER_S)}
            raise _Rejection(outcome.status, outcome.message, headers)
        self.acknowledged += len(outcome.readings)
        return outcome

    async def _database_state(self) -> str:
        if self._engine is None:
            return "unchecked"
        try:
            await asyncio.wait_for(
                self._loop.run_in_executor(None, _ping, self._engine), DB_PING_TIMEOUT_S
            )
        except Exception as exc:
            log.warning("health check: the database is unreachable: %s", exc)
            return "unreachable"
        return "reachable"


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left (e.g. a connection accepted while stopping) and let it close."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def _listen_error(exc: BaseException, host: str, port: int) -> ListenError:
    code = getattr(exc, "errno", None)
    if code == errno.EADDRINUSE:
        message = f"port {port} is already in use — set another with --port"
    elif code == errno.EACCES:
        message = f"not allowed to listen on port {port} — choose a port above 1023 with --port"
    elif code == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        message = f"cannot listen on {host}: not an address of this machine — check --host"
    else:
        message = f"cannot listen on {host}:{port}: {exc}"
    error = ListenError(message)
    error.errno = code
    return error


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
    ) -> None:
        self._writer = writer
        self._engine = engine
        self._host = host
        self._requested_port = port
        self._port = port
        self._limits = (max_body_bytes, max_batch_readings, max_batch_bytes)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._api: _Api | None = None
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
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stats(self) -> HttpStats:
        api = self._api
        if api is None:
            return HttpStats(0, 0, 0)
        return HttpStats(api.requests, api.acknowledged, api.rejected)

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
        loop = asyncio.new_event_loop()
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
        self._api = _Api(
            self._writer,
            self._engine,
            loop,
            max_body,
            max_batch,
            max_batch_bytes,
            json.dumps(spec, indent=2).encode(),
        )
        runner = web.AppRunner(
            self._api.application(),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def _close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
