"""Hostile or broken input gets its own 4xx with the JSON error body: no 500, no traceback."""

from __future__ import annotations

import logging
import threading

import pytest

from tests.ingest.test_http_contract import READING, READINGS, assert_error, stored_count


def _raw_reading(setup, port_json: str | None = None, **fields: str) -> bytes:
    """A reading body as JSON text, so that escapes like \\ud800 reach the server as sent."""
    parts = {
        "deviceToken": f'"{setup.token}"',
        "portId": port_json or f'"{setup.port_id}"',
        "voltage": "230",
        "current": "0.1",
        "power": "23",
    }
    parts.update(fields)
    return ("{" + ",".join(f'"{k}":{v}' for k, v in parts.items()) + "}").encode()


BAD_BODIES = {
    "lone surrogate in portId": lambda s: _raw_reading(s, port_json='"\\ud800"'),
    "400-digit voltage": lambda s: _raw_reading(s, voltage="9" * 400),
    "400-digit timestamp": lambda s: _raw_reading(s, timestamp="9" * 400),
    "400-digit portId": lambda s: _raw_reading(s, port_json="9" * 400),
    "lone surrogate in deviceToken": lambda s: _raw_reading(s, deviceToken='"pdt_\\udc80"'),
    "control character in portId": lambda s: _raw_reading(s, port_json='"a\\u0000b"'),
    "JSON nested 5,000 deep": lambda s: b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "bytes that are not UTF-8": lambda s: b'{"deviceToken":"\xff\xfe"}',
}


@pytest.mark.parametrize("make_body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_is_400_and_logs_no_traceback(services, setup, client, caplog, make_body):
    caplog.set_level(logging.INFO)
    reply = client.post(READING, make_body(setup))
    assert_error(reply, 400)
    assert stored_count(services) == 0
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_batch_with_a_surrogate_names_the_reading(services, setup, client):
    good = f'{{"portId":"{setup.port_id}","voltage":1,"current":1,"power":1}}'
    bad = '{"portId":"\\udfff","voltage":1,"current":1,"power":1}'
    body = f'{{"deviceToken":"{setup.token}","readings":[{good},{bad}]}}'.encode()
    reply = client.post(READINGS, body)
    assert_error(reply, 400, "readings[1]", "portId")
    assert stored_count(services) == 0


def test_authorization_that_is_not_utf8_is_400(services, setup, client, caplog):
    body = {k: v for k, v in setup.reading().items() if k != "deviceToken"}
    reply = client.post(READING, body, headers={"Authorization": b"Bearer pdt_\xff\xfe\xfd"})
    assert_error(reply, 400, "Authorization")
    assert not [r for r in caplog.records if r.exc_info]


def test_overlong_token_is_400(services, setup, client):
    reply = client.post(READING, setup.reading(deviceToken="pdt_" + "a" * 1000))
    assert_error(reply, 400, "deviceToken")


def test_legitimate_device_gets_only_201_beside_four_flooding_clients(
    services, setup, client, caplog
):
    """The issue's scenario: bad submissions must not fail the batches they share."""
    stop = threading.Event()
    bad = list(BAD_BODIES.values())
    bad_statuses: list[int] = []

    def flood(index: int) -> None:
        while not stop.is_set():
            bad_statuses.append(client.post(READING, bad[index % len(bad)](setup)).status)
            index += 1

    threads = [threading.Thread(target=flood, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        statuses = [client.post(READING, setup.reading(power=100.0)).status for _ in range(60)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert statuses == [201] * 60
    assert bad_statuses and all(400 <= s < 500 for s in bad_statuses)
    assert stored_count(services) == 60
    assert not [r for r in caplog.records if r.exc_info]
