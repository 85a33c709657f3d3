"""Slow, idle, numerous or flooding clients cannot hold the server: timeouts, cap, rate limit."""

from __future__ import annotations

import json
import socket
import time

import pytest

from phantom_desktop.ingest.http_guard import HttpLimits
from phantom_desktop.ingest.http_server import HttpServer
from phantom_desktop.ingest.rate_limit import RateLimit
from tests.ingest.conftest import Client
from tests.ingest.test_http_contract import READING, READINGS, assert_error, stored_count


@pytest.fixture
def start_server(services):
    started: list[HttpServer] = []

    def start(**kwargs) -> HttpServer:
        server = HttpServer(services.writer, port=0, engine=services.engine, **kwargs)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _connect(server: HttpServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (EOF or reset) within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def test_headers_trickled_byte_by_byte_are_cut_off(start_server):
    server = start_server(limits=HttpLimits(header_timeout_s=0.5, keepalive_s=30))
    sock = _connect(server)
    started = time.monotonic()
    sock.sendall(b"POST /api/sensor/reading HTTP/1.1\r\n")
    with pytest.raises(OSError):  # the loop runs until the server hangs up
        for byte in b"X-Slow: " + b"a" * 100:
            sock.sendall(bytes([byte]))
            time.sleep(0.05)
            assert time.monotonic() - started < 4, "the server kept the trickling client"
        sock.sendall(b"\r\n\r\n")
        assert not sock.recv(100), "a trickled request must not be answered"
        raise OSError("closed")
    sock.close()


def test_body_that_never_arrives_gets_408(start_server, setup):
    server = start_server(limits=HttpLimits(body_timeout_s=0.5))
    sock = _connect(server)
    sock.sendall(
        b"POST /api/sensor/reading HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 200\r\n\r\n{"portId":'
    )
    sock.settimeout(5)
    answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert _closed_within(sock, 5)


def test_idle_keep_alive_connection_is_closed(start_server):
    server = start_server(limits=HttpLimits(keepalive_s=0.5))
    sock = _connect(server)
    sock.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(5)
    assert sock.recv(100).startswith(b"HTTP/1.1 200")
    assert _closed_within(sock, 3)


def test_connections_beyond_the_cap_get_503(start_server, client_for):
    server = start_server(limits=HttpLimits(max_connections=2))
    held = [_connect(server), _connect(server)]
    time.sleep(0.2)
    extra = _connect(server)
    extra.settimeout(5)
    answer = extra.recv(4096)
    assert answer.startswith(b"HTTP/1.1 503"), answer
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["success"] is False
    for sock in [*held, extra]:
        sock.close()
    time.sleep(0.2)
    assert client_for(server).get("/api/health").status == 200  # served again once freed


def test_flooding_token_gets_429_with_retry_after_and_others_are_served(
    services, setup, start_server, client_for
):
    server = start_server(rate_limit=RateLimit(rate_per_s=0.5, burst=3))
    client = client_for(server)
    statuses = [client.post(READING, setup.reading()).status for _ in range(3)]
    assert statuses == [201, 201, 201]
    reply = client.post(READING, setup.reading())
    assert_error(reply, 429, "too many")
    assert int(reply.headers["Retry-After"]) >= 1
    batch = {"deviceToken": setup.token, "readings": [setup.reading()] * 2}
    assert client.post(READINGS, batch).status == 429
    assert stored_count(services) == 3
    with services.sessions.begin() as session:
        from phantom_desktop.store import repository

        other, _row = repository.create_token(session, services.user_id, setup.device_id)
    assert client.post(READING, setup.reading(deviceToken=other)).status == 201


def test_retry_with_the_same_idempotency_key_stores_once(services, setup, client):
    headers = {"Idempotency-Key": "3f1c-retry-1"}
    first = client.post(READING, setup.reading(power=100.0), headers=headers)
    again = client.post(READING, setup.reading(power=100.0), headers=headers)
    assert first.status == again.status == 201
    assert again.body == first.body
    assert stored_count(services) == 1
    other = client.post(READING, setup.reading(power=101.0), headers=headers)
    assert_error(other, 422, "Idempotency-Key")
    fresh = client.post(READING, setup.reading(power=101.0), headers={"Idempotency-Key": "k2"})
    assert fresh.status == 201
    assert stored_count(services) == 2


def test_invalid_idempotency_key_is_400(setup, client):
    reply = client.post(READING, setup.reading(), headers={"Idempotency-Key": "a b"})
    assert_error(reply, 400, "Idempotency-Key")


def test_limits_refuse_nonsense():
    with pytest.raises(ValueError):
        HttpLimits(max_connections=0)
    with pytest.raises(ValueError):
        RateLimit(rate_per_s=-1)


def test_a_keyed_retry_after_a_restart_is_not_stored_twice(services, setup, start_server):
    """The server was killed after committing but before answering; the device retries."""
    body = setup.reading(power=100.0, timestamp="2026-01-01T12:00:00.250Z")
    headers = {"Idempotency-Key": "retry-after-restart"}
    first_server = start_server()
    first = Client(first_server.port).post(READING, body, headers=headers)
    first_server.stop()  # its memory of the key is gone, as after kill -9
    again = Client(start_server().port).post(READING, body, headers=headers)
    assert first.status == again.status == 201
    assert again.body["data"]["reading"]["id"] == first.body["data"]["reading"]["id"]
    assert stored_count(services) == 1
    other = Client(start_server().port).post(
        READING, setup.reading(power=100.0, timestamp="2026-01-01T12:00:01Z"), headers=headers
    )
    assert other.status == 201 and stored_count(services) == 2  # a new reading is stored
