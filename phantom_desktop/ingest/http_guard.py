"""Connection-level protection of the device HTTP server: timeouts and a cap on connections.

aiohttp closes a connection that stays idle between requests for `keepalive_timeout`, but lets a
client take as long as it likes to send a request's headers, and accepts any number of
connections. `GuardedServer` adds both limits; a body's timeout is the handler's (`body_timeout_s`),
since only the handler reads the body:

- header timeout: a request's headers must be complete within `header_timeout_s` of their first
  byte (a client trickling a byte at a time is disconnected);
- idle keep-alive timeout: a connection with no request for `keepalive_s` is closed;
- connection cap: beyond `max_connections` open connections a new one gets a 503 and is closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger(__name__)

LINGER_S = 2.0
_BUSY_BODY = b'{"success":false,"message":"Too many open connections: retry later"}'
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
    b"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
    % (len(_BUSY_BODY), _BUSY_BODY)
)


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Timeouts (seconds) and the connection cap of the device server."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keepalive_s: float = 60.0
    max_connections: int = 1000

    def __post_init__(self) -> None:
        for name in ("header_timeout_s", "body_timeout_s", "keepalive_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler with a deadline on each request's headers."""

    def __init__(self, *args: Any, header_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout_s = header_timeout_s
        self._header_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        waiting = self._waiter is not None and not self._waiter.done() and not self._messages
        if waiting and self._header_timer is None:  # the first bytes of a request's headers
            self._header_timer = self._loop.call_later(
                self._header_timeout_s, self._headers_overdue
            )
        elif not waiting and self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        if self._waiter is not None and not self._waiter.done() and not self._messages:
            log.info("closed a connection whose request headers took too long")
            self.force_close()
            if self.transport is not None:
                self.transport.close()

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A request aiohttp could not parse (bad request line, header bytes, chunking): the
        contract's JSON error and one log line, instead of a plain-text page and a traceback."""
        if status >= 500 or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        reason = str(getattr(exc, "message", None) or exc or message or "bad request")
        reason = reason.strip().splitlines()[0] if reason.strip() else "bad request"
        log.info("refused a malformed HTTP request from %s: %s", request.remote, reason)
        body = {"success": False, "message": f"Malformed HTTP request: {reason}"}
        response = web.Response(
            status=status,
            body=json.dumps(body).encode(),
            content_type="application/json",
            charset="utf-8",
        )
        response.force_close()
        return response

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)


class GuardedServer(web.Server):
    """`web.Server` whose connections obey `HttpLimits`; counts the connections it refused."""

    def __init__(
        self,
        handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
        *,
        limits: HttpLimits,
        **kwargs: Any,
    ) -> None:
        # After an early answer (413, 408), the rest of a body is read and dropped for at most
        # LINGER_S (aiohttp's default of 10 s would let a slow client hold the connection).
        kwargs.setdefault("lingering_time", LINGER_S)
        super().__init__(handler, keepalive_timeout=limits.keepalive_s, **kwargs)
        self._limits = limits
        self.refused_connections = 0

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(
            self, loop=self._loop, header_timeout_s=self._limits.header_timeout_s, **self._kwargs
        )

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        if len(self._connections) > self._limits.max_connections:
            self.refused_connections += 1
            if self.refused_connections == 1 or self.refused_connections % 1000 == 0:
                log.warning(
                    "refused %d connections: more than %d open",
                    self.refused_connections,
                    self._limits.max_connections,
                )
            transport.write(_BUSY)
            transport.close()  # after the buffered answer is sent
            handler.force_close()
