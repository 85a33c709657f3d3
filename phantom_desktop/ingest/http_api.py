"""Request handling of the device HTTP API (docs/ARCHITECTURE.md, "HTTP contract"), on the
server's loop.

A handler checks the request (content type, size, JSON, token present, fields), hands the readings
to the writer thread with an asyncio future as the tag, and answers when the writer resolves that
future after its commit: a 201 therefore means "on disk".

Content type: a body must be declared `application/json` (any parameters, e.g. a charset) or a
`+json` type; anything else gets 415. A request with no Content-Type at all is accepted when its
body parses as JSON (minimal firmware sometimes omits the header), and gets 415 otherwise.

The device token comes from the body's `deviceToken` or, when that is absent or empty, from
`Authorization: Bearer <token>`. Checks run in this order: 415, 413, 408 (body too slow), 400
(JSON), 401 (no token), 400 (token or fields), 429 (the token's rate limit), then the writer's
401/403/404, or 429/503 when it cannot take the readings. An `Idempotency-Key` header makes a
retry of the same request get the first answer instead of storing the readings twice.

The four routes are fixed, so one dispatcher serves them (aiohttp's low-level server): it answers
unknown paths (404), wrong methods (405) and unexpected failures (500, logged) with the same
JSON error body as every other error — never an HTML page or a stack trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import hdrs, web
from sqlalchemy import Engine, text

from phantom_desktop import __version__
from phantom_desktop.core.credentials import hash_token
from phantom_desktop.core.readings import (
    ReadingError,
    ReadingValues,
    format_timestamp,
    parse_reading,
)
from phantom_desktop.ingest import idempotency
from phantom_desktop.ingest.http_guard import HttpLimits
from phantom_desktop.ingest.http_input import Headers, Rejection, device_token, read_json_body
from phantom_desktop.ingest.messages import CREATED, Outcome, StoredReading, Submission
from phantom_desktop.ingest.rate_limit import RateLimit, TokenBuckets
from phantom_desktop.ingest.writer import Writer

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_BATCH_READINGS = 1000
MAX_BATCH_BYTES = 1024 * 1024
RETRY_AFTER_S = 1
DB_PING_TIMEOUT_S = 5.0

_Route = Callable[[web.BaseRequest], Awaitable[web.Response]]


@dataclass(frozen=True, slots=True)
class HttpStats:
    """Counters for a status bar: requests answered, readings acknowledged, requests refused."""

    requests: int
    acknowledged: int
    rejected: int


@dataclass(frozen=True, slots=True)
class _Answer:
    """A JSON answer that can be sent more than once (to a retry with the same key)."""

    status: int
    payload: dict[str, Any]


def _json(status: int, payload: object, headers: Headers | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(payload),
        status=status,
        headers=headers,
        content_type="application/json",
        charset="utf-8",
    )


def _reading_json(stored: StoredReading) -> dict[str, Any]:
    return {
        "id": stored.id or None,  # None: spooled during an outage, stored (with an id) later
        "voltage": stored.voltage,
        "current": stored.current,
        "power": stored.power,
        "timestamp": format_timestamp(stored.timestamp),
    }


class _FutureSink:
    """Resolves the handlers' futures from the writer thread: one loop wake-up per batch."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def deliver(self, results: list[tuple[object, Outcome]]) -> None:
        try:
            self._loop.call_soon_threadsafe(_resolve, results)
        except RuntimeError:  # the loop is closed: the server stopped without waiting for us
            log.warning("dropping %d outcomes: the HTTP server has stopped", len(results))


def _resolve(results: list[tuple[object, Outcome]]) -> None:
    for future, outcome in results:
        assert isinstance(future, asyncio.Future)  # the tag of every submission of ours
        if not future.done():  # cancelled when its request was abandoned
            future.set_result(outcome)


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class DeviceApi:
    """The routes and their counters. Create and call it on the event loop that serves it."""

    def __init__(
        self,
        writer: Writer,
        engine: Engine | None,
        spec: dict[str, Any],
        max_body_bytes: int = MAX_BODY_BYTES,
        max_batch_readings: int = MAX_BATCH_READINGS,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        *,
        limits: HttpLimits | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        self._writer = writer
        self._engine = engine
        self._loop = asyncio.get_running_loop()
        self._sink = _FutureSink(self._loop)
        self._spec = json.dumps(spec, indent=2).encode()
        self._max_body_bytes = max_body_bytes
        self._max_batch_readings = max_batch_readings
        self._max_batch_bytes = max_batch_bytes
        self._body_timeout_s = (limits or HttpLimits()).body_timeout_s
        self._buckets = TokenBuckets(rate_limit or RateLimit())
        self._answers: idempotency.IdempotencyCache[_Answer] = idempotency.IdempotencyCache()
        self.max_request_bytes = max(max_body_bytes, max_batch_bytes)
        self._routes: dict[str, tuple[str, _Route]] = {
            "/api/sensor/reading": (hdrs.METH_POST, self.post_reading),
            "/api/sensor/readings": (hdrs.METH_POST, self.post_readings),
            "/api/health": (hdrs.METH_GET, self.health),
            "/api/openapi.json": (hdrs.METH_GET, self.openapi),
        }
        self.requests = 0
        self.acknowledged = 0
        self.rejected = 0

    @property
    def stats(self) -> HttpStats:
        return HttpStats(self.requests, self.acknowledged, self.rejected)

    async def handle(self, request: web.BaseRequest) -> web.Response:
        """Route a request; every refusal becomes the contract's JSON error."""
        self.requests += 1
        try:
            route = self._routes.get(request.path)
            if route is None:
                raise Rejection(404, f"No such endpoint: {request.method} {request.path}")
            method, handler = route
            if request.method != method:
                message = f"Method {request.method} is not allowed here: use {method}"
                raise Rejection(405, message, {hdrs.ALLOW: method})
            return await handler(request)
        except Rejection as exc:
            self.rejected += 1
            response = _json(exc.status, {"success": False, "message": exc.message}, exc.headers)
            if exc.close:
                response.force_close()
            return response
        except Exception:
            self.rejected += 1
            log.exception("unexpected error answering %s %s", request.method, request.path)
            return _json(500, {"success": False, "message": "Internal server error"})

    # -- routes ------------------------------------------------------------------------------
    async def post_reading(self, request: web.BaseRequest) -> web.Response:
        raw, body = await read_json_body(request, self._max_body_bytes, self._body_timeout_s)
        token = device_token(request, body)
        try:
            values = parse_reading(body)
        except ReadingError as exc:
            raise Rejection(400, str(exc)) from None

        dedupe = idempotency.HEADER in request.headers  # a retry may follow a crash

        async def store() -> _Answer:
            outcome = await self._store(token, [values], dedupe)
            stored = outcome.readings[0]
            data = {
                "reading": _reading_json(stored),
                "phantomDetected": stored.phantom,
                "portStatus": stored.port_status,
            }
            return _Answer(201, {"success": True, "message": outcome.message, "data": data})

        return await self._answer(request, token, raw, store)

    async def post_readings(self, request: web.BaseRequest) -> web.Response:
        raw, body = await read_json_body(request, self._max_batch_bytes, self._body_timeout_s)
        token = device_token(request, body)
        items = body.get("readings")
        if not isinstance(items, list) or not items:
            raise Rejection(400, "'readings' must be a non-empty list of readings")
        if len(items) > self._max_batch_readings:
            raise Rejection(413, f"'readings' holds at most {self._max_batch_readings} readings")
        now = datetime.now(UTC)
        values = []
        for index, item in enumerate(items):
            try:
                values.append(parse_reading(item, now))
            except ReadingError as exc:
                raise Rejection(400, f"readings[{index}]: {exc}") from None

        dedupe = idempotency.HEADER in request.headers  # a retry may follow a crash

        async def store() -> _Answer:
            outcome = await self._store(token, values, dedupe)
            readings = [
                {
                    **_reading_json(stored),
                    "portId": stored.port_id,
                    "phantomDetected": stored.phantom,
                    "portStatus": stored.port_status,
                }
                for stored in outcome.readings
            ]
            message = "Sensor readings created successfully"
            return _Answer(
                201, {"success": True, "message": message, "data": {"readings": readings}}
            )

        return await self._answer(request, token, raw, store)

    async def health(self, _request: web.BaseRequest) -> web.Response:
        running = self._writer.running
        database = await self._database_state()
        problems = [
            *([] if running else ["the writer is stopped"]),
            *(["the database is unreachable"] if database == "unreachable" else []),
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
        return _json(503 if problems else 200, payload)

    async def openapi(self, _request: web.BaseRequest) -> web.Response:
        return web.Response(body=self._spec, content_type="application/json", charset="utf-8")

    # -- helpers -----------------------------------------------------------------------------
    async def _answer(
        self,
        request: web.BaseRequest,
        token: str,
        raw: bytes,
        store: Callable[[], Awaitable[_Answer]],
    ) -> web.Response:
        """Store once per idempotency key (when the client sends one) and render the answer."""
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            answer = await store()
        else:
            if not idempotency.valid_key(key):
                raise Rejection(
                    400, f"{idempotency.HEADER} must be 1 to 255 visible ASCII characters"
                )
            try:
                answer = await self._answers.run(
                    hash_token(token), key, raw, store, lambda a: a.status == CREATED
                )
            except idempotency.KeyReused as exc:
                raise Rejection(422, str(exc)) from None
        return _json(answer.status, answer.payload)

    async def _store(
        self, token: str, readings: list[ReadingValues], dedupe: bool = False
    ) -> Outcome:
        """Hand readings to the writer and wait for its commit; raise the refusals."""
        token_hash = hash_token(token)
        wait = self._buckets.take(token_hash, len(readings))
        if wait > 0:
            retry = {hdrs.RETRY_AFTER: str(max(1, math.ceil(wait)))}
            raise Rejection(429, "This device token sends too many readings: slow down", retry)
        future = self._loop.create_future()
        submission = Submission(
            readings, self._sink, future, token_hash, source="http", dedupe=dedupe
        )
        if not self._writer.submit(submission):
            retry = {hdrs.RETRY_AFTER: str(RETRY_AFTER_S)}
            if self._writer.running:
                raise Rejection(429, "Too many readings are waiting to be stored: retry", retry)
            raise Rejection(503, "Store unavailable: ingestion is stopped, retry later", retry)
        outcome: Outcome = await future
        if outcome.status != CREATED:
            headers = None
            if outcome.status == 401:
                headers = {hdrs.WWW_AUTHENTICATE: "Bearer"}
            elif outcome.status in (429, 503):
                headers = {hdrs.RETRY_AFTER: str(RETRY_AFTER_S)}
            raise Rejection(outcome.status, outcome.message, headers)
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
