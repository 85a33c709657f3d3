"""Fuzzing the device API: schemathesis from /api/openapi.json, hypothesis on raw request bytes.

Every answer must match the spec (status, headers, body schema), none may be a 5xx, no log
record may carry a traceback, and nothing may be stored from a request that was refused.

The suite runs about 2,000 cases. For a long run, raise the count (and let it run for hours):

    PHANTOM_FUZZ_EXAMPLES=200000 .venv/bin/pytest tests/ingest/test_fuzz_api.py -p no:cacheprovider

or point schemathesis's own runner at a `serve` process on a scratch database:

    phantom-desktop serve --db sqlite:////tmp/fuzz.db --port 3999 &
    st run http://127.0.0.1:3999/api/openapi.json --max-examples 100000 --checks all
"""

from __future__ import annotations

import logging
import os
import socket

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from phantom_desktop import __version__
from phantom_desktop.ingest.http_server import HttpServer
from phantom_desktop.ingest.openapi import openapi_spec
from phantom_desktop.ingest.rate_limit import RateLimit
from tests.ingest.test_http_contract import stored_count

# Per schemathesis operation (4 of them); raw requests are cheaper and get four times as many.
EXAMPLES = int(os.environ.get("PHANTOM_FUZZ_EXAMPLES", "250"))
SPEC = openapi_spec(
    version=__version__, max_body_bytes=64 * 1024, max_batch_readings=1000, max_batch_bytes=1 << 20
)
# A request that breaks the schema must be refused; 413 is the contract's answer to too many
# readings, a rejection schemathesis does not expect by default.
REJECTIONS = [400, 401, 403, 404, 405, 413, 415, 422, 429]
schema = schemathesis.openapi.from_dict(
    SPEC,
    config=schemathesis.Config.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}}
    ),
)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
RAW_SETTINGS = settings(FUZZ_SETTINGS, max_examples=4 * EXAMPLES)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One server for the whole module (a fresh one per case would dominate the run time)."""
    from phantom_desktop.app import open_services
    from phantom_desktop.config import AppPaths, Settings
    from phantom_desktop.store import repository

    root = tmp_path_factory.mktemp("fuzz")
    paths = AppPaths(root / "c", root / "d", root / "l")
    services = open_services(paths, Settings(), db_url=f"sqlite:///{root}/fuzz.db")
    with services.sessions.begin() as session:
        device = repository.create_device(session, services.user_id, "meter")
        token, _ = repository.create_token(session, services.user_id, device.id)
        port = repository.create_port(session, services.user_id, "tv", device.id, 5.0, 0.0, True)
        port_id = port.id
    server = HttpServer(
        services.writer, port=0, engine=services.engine, rate_limit=RateLimit(rate_per_s=0)
    )
    server.start()
    services.http_server = server
    yield services, server, token, port_id
    services.stop()


def _no_tracebacks(caplog) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, bad[0].getMessage()


def _point_at_real_rows(case, token: str, port_id: str) -> None:
    """Half of the valid bodies use the real token and port, to reach the writer (a body made
    to break the schema is left as it is: replacing its values could make it valid)."""
    body = case.body
    if case.meta is None or case.meta.generation.mode.is_negative:
        return
    if not isinstance(body, dict) or hash(repr(sorted(body, key=str))) % 2:
        return
    if "deviceToken" in body:
        body["deviceToken"] = token
    if "portId" in body:
        body["portId"] = port_id
    for item in body.get("readings") or []:
        if isinstance(item, dict) and "portId" in item:
            item["portId"] = port_id


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_matches_its_spec(case, live, caplog):
    services, server, token, port_id = live
    _point_at_real_rows(case, token, port_id)
    before = stored_count(services)
    # Not checked: that every schema-valid request is accepted. A timestamp may be at most
    # 5 minutes ahead of the server's clock, which JSON Schema cannot express.
    response = case.call_and_validate(
        base_url=server.url, excluded_checks=[positive_data_acceptance]
    )
    if response.status_code != 201:
        assert stored_count(services) == before
    _no_tracebacks(caplog)


_TOKENS = st.sampled_from([b"", b"pdt_x", b"\xff\xfe", b"pdt_\xc3(", b"Bearer"])
_JSONISH = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(10**450), max_value=10**450),
            st.floats(),
            st.text(st.characters(codec=None), max_size=20),
        ),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["portId", "voltage", "current", "power", "timestamp", "readings"])
                | st.text(max_size=5),
                children,
                max_size=6,
            )
        ),
        max_leaves=20,
    ).map(lambda value: repr(value).encode("utf-8", "surrogatepass")),
    st.integers(1, 8000).map(lambda depth: b'{"a":' + b"[" * depth + b"]" * depth + b"}"),
)


def _request(path: bytes, body: bytes, auth: bytes, content_type: bytes, extra: bytes) -> bytes:
    head = b"POST " + path + b" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
    if content_type:
        head += b"Content-Type: " + content_type + b"\r\n"
    if auth:
        head += b"Authorization: Bearer " + auth + b"\r\n"
    return head + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


@given(
    path=st.sampled_from([b"/api/sensor/reading", b"/api/sensor/readings", b"/api/\xff"]),
    body=_JSONISH,
    auth=_TOKENS,
    content_type=st.sampled_from([b"application/json", b"", b"text/plain", b"application/\xff"]),
    extra=st.sampled_from([b"", b"Idempotency-Key: \xff\r\n", b"Idempotency-Key: k 1\r\n"]),
)
@RAW_SETTINGS
def test_raw_requests_never_get_a_5xx(live, caplog, path, body, auth, content_type, extra):
    services, server, _token, _port_id = live
    before = stored_count(services)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_request(path, body, auth, content_type, extra))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:300]
    assert stored_count(services) == before
    _no_tracebacks(caplog)
