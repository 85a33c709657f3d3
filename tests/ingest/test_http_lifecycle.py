"""Starting and stopping the HTTP server thread, and its hand-off with the writer thread."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from phantom_desktop.ingest.http_server import HttpServer, ListenError
from phantom_desktop.ingest.messages import CREATED, Outcome, StoredReading, Submission

READING = {"deviceToken": "pdt_x", "portId": "p1", "voltage": 230.0, "current": 0.1, "power": 23.0}


class HeldWriter:
    """Takes submissions and answers only when the test says so, like a slow commit."""

    running = True
    queued = 0

    def __init__(self) -> None:
        self.submissions: list[Submission] = []
        self.arrived = threading.Condition()

    def submit(self, submission: Submission) -> bool:
        with self.arrived:
            self.submissions.append(submission)
            self.arrived.notify_all()
        return True

    def wait_for(self, count: int) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.submissions) >= count, timeout=10)

    def commit_all(self) -> None:
        """Answer every held submission in one delivery per sink, as the writer does."""
        results = []
        for number, submission in enumerate(self.submissions, start=1):
            values = submission.readings[0]
            stored = StoredReading(
                number,
                values.port_id,
                values.timestamp,
                values.voltage,
                values.current,
                values.power,
                False,
                "active",
            )
            results.append((submission.tag, Outcome(CREATED, "Sensor reading created", (stored,))))
        self.submissions[0].sink.deliver(results)


def is_listening(port: int) -> bool:
    """Whether something listens on the port, without connecting (which would race the stop)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))  # refused only by a listening socket
        except OSError:
            return True
    return False


def http_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "phantom-http" and t.is_alive()]


@pytest.fixture
def held():
    writer = HeldWriter()
    server = HttpServer(writer, port=0)
    server.start()
    yield writer, server
    server.stop()


def test_port_zero_binds_a_free_port_and_reports_the_url(client_for):
    server = HttpServer(HeldWriter(), port=0)
    server.start()
    try:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert is_listening(server.port)
        assert client_for(server).get("/api/health").status == 200
    finally:
        server.stop()


def test_port_in_use_raises_a_clear_listen_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(
            ListenError, match=f"port {port} is already in use.*--http-port"
        ) as info:
            HttpServer(HeldWriter(), port=port).start()

    assert isinstance(info.value, OSError)
    assert info.value.errno == errno.EADDRINUSE
    assert not http_threads()


def test_unknown_host_raises_a_listen_error():
    with pytest.raises(ListenError, match="--host"):
        HttpServer(HeldWriter(), host="203.0.113.7", port=0).start()


def test_stop_is_idempotent_and_leaves_no_thread():
    server = HttpServer(HeldWriter(), port=0)
    server.start()
    port = server.port

    server.stop()
    server.stop()

    assert not server.running
    assert not http_threads()
    assert not is_listening(port)


def test_stop_before_start_does_nothing():
    server = HttpServer(HeldWriter(), port=0)
    server.stop()
    assert not server.running


def test_one_delivery_answers_every_waiting_request(held, client_for):
    writer, server = held
    client = client_for(server)
    with ThreadPoolExecutor(5) as pool:
        replies = [pool.submit(client.post, "/api/sensor/reading", READING) for _ in range(5)]
        writer.wait_for(5)
        assert not any(reply.done() for reply in replies)

        writer.commit_all()

        statuses = [reply.result(timeout=10).status for reply in replies]
    assert statuses == [201] * 5
    assert server.stats.acknowledged == 5


def test_stop_finishes_requests_in_flight_and_refuses_new_ones(held, client_for):
    writer, server = held
    client = client_for(server)
    with ThreadPoolExecutor(2) as pool:
        in_flight = pool.submit(client.post, "/api/sensor/reading", READING)
        writer.wait_for(1)
        stopping = pool.submit(server.stop)
        deadline = time.monotonic() + 5
        while is_listening(server.port):  # the listening socket closes first
            assert time.monotonic() < deadline, "the server kept listening while stopping"
            time.sleep(0.02)
        assert not in_flight.done()

        writer.commit_all()

        assert in_flight.result(timeout=10).status == 201
        stopping.result(timeout=10)
    assert not http_threads()


def test_abandoned_request_does_not_break_delivery(held, client_for):
    writer, server = held
    client = client_for(server)
    abandoned = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    body = b'{"deviceToken":"pdt_x","portId":"p1","voltage":1,"current":1,"power":1}'
    abandoned.sendall(
        b"POST /api/sensor/reading HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    writer.wait_for(1)
    abandoned.close()
    with ThreadPoolExecutor(1) as pool:
        reply = pool.submit(client.post, "/api/sensor/reading", READING)
        writer.wait_for(2)

        writer.commit_all()

        assert reply.result(timeout=10).status == 201


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_the_server_answers_on_uvloop_where_it_is_installed(held, client_for):
    _writer, server = held
    assert type(server._loop).__module__.startswith("uvloop")
    response = client_for(server).get("/api/health")
    assert response.status == 200
