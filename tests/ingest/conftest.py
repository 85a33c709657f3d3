"""Fixtures for the HTTP API tests: a throw-away SQLite store, a device, and a running server."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass

import pytest

from phantom_desktop.app import Services
from phantom_desktop.ingest.http_server import HttpServer
from phantom_desktop.store import repository
from phantom_desktop.store.models import User


@dataclass
class Reply:
    status: int
    body: dict | None
    headers: http.client.HTTPMessage
    raw: bytes


class Client:
    """A plain HTTP/1.1 client for one server, as a sensor script would talk to it."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return Reply(response.status, parsed, response.headers, raw)

    def post(
        self,
        path: str,
        payload: object,
        headers: dict | None = None,
        content_type: str | None = "application/json",
    ) -> Reply:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        all_headers = {} if content_type is None else {"Content-Type": content_type}
        all_headers.update(headers or {})
        return self.request("POST", path, body, all_headers)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)


@dataclass
class Fixture:
    """One user's device with a token, a cutting port and a report-only port."""

    token: str
    token_id: int
    device_id: str
    port_id: str  # threshold 5 W, detects on the first standby reading, auto-cut
    report_only_port_id: str  # same, without auto-cut
    other_users_port_id: str

    def reading(self, **overrides: object) -> dict:
        body = {
            "deviceToken": self.token,
            "portId": self.port_id,
            "voltage": 230.5,
            "current": 0.45,
            "power": 103.73,
        }
        body.update(overrides)
        return body


@pytest.fixture
def setup(services: Services) -> Fixture:
    with services.sessions.begin() as session:
        device = repository.create_device(session, services.user_id, "meter")
        token, token_row = repository.create_token(session, services.user_id, device.id)
        port = repository.create_port(session, services.user_id, "tv", device.id, 5.0, 0.0, True)
        quiet = repository.create_port(
            session, services.user_id, "fridge", device.id, 5.0, 0.0, False
        )
        other = User(name="someone-else")
        session.add(other)
        session.flush()
        other_device = repository.create_device(session, other.id, "their meter")
        other_port = repository.create_port(session, other.id, "their tv", other_device.id, 5.0)
        return Fixture(token, token_row.id, device.id, port.id, quiet.id, other_port.id)


@pytest.fixture
def server(services: Services) -> HttpServer:
    server = HttpServer(services.writer, port=0, engine=services.engine)
    server.start()
    services.http_server = server  # stopped by services.stop(), before the writer
    yield server
    server.stop()


@pytest.fixture
def client(server: HttpServer) -> Client:
    return Client(server.port)


@pytest.fixture
def client_for():
    """A client for a server that a test started itself."""
    return lambda server: Client(server.port)
