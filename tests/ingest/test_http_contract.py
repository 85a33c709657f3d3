"""The device HTTP contract of docs/ARCHITECTURE.md, status by status, against a real server
and store."""

from __future__ import annotations

import http.client
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from phantom_desktop import __version__
from phantom_desktop.ingest import http_api
from phantom_desktop.store.models import DeviceToken, PhantomEvent, Port, PowerReading

READING = "/api/sensor/reading"
READINGS = "/api/sensor/readings"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def stored_count(services) -> int:
    with services.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(PowerReading))


def assert_error(reply, status: int, *words: str) -> None:
    assert reply.status == status, reply.raw
    assert reply.headers["Content-Type"].startswith("application/json")
    assert set(reply.body) == {"success", "message"}
    assert reply.body["success"] is False
    assert isinstance(reply.body["message"], str) and reply.body["message"]
    assert "Traceback" not in reply.body["message"]
    for word in words:
        assert word in reply.body["message"]


# -- 201 ---------------------------------------------------------------------------------------
def test_reading_is_acknowledged_with_the_contract_shape(services, setup, client):
    reply = client.post(READING, setup.reading())

    assert reply.status == 201
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.body
    assert list(body) == ["success", "message", "data"]
    assert body["success"] is True
    assert body["message"] == "Sensor reading created successfully"
    assert list(body["data"]) == ["reading", "phantomDetected", "portStatus"]
    reading = body["data"]["reading"]
    assert list(reading) == ["id", "voltage", "current", "power", "timestamp"]
    assert isinstance(reading["id"], int)
    assert (reading["voltage"], reading["current"], reading["power"]) == (230.5, 0.45, 103.73)
    assert TIMESTAMP.match(reading["timestamp"])
    assert body["data"]["phantomDetected"] is False
    assert body["data"]["portStatus"] == "active"


def test_acknowledged_reading_is_in_the_database(services, setup, client):
    reading = client.post(READING, setup.reading()).body["data"]["reading"]

    with services.engine.connect() as conn:
        row = conn.execute(select(PowerReading).where(PowerReading.id == reading["id"])).one()
    assert row.port_id == setup.port_id
    assert (row.voltage, row.current, row.power) == (230.5, 0.45, 103.73)
    assert row.source == "http"


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("2024-01-01T12:00:00Z", "2024-01-01T12:00:00.000Z"),
        ("2024-01-01T14:00:00.250+02:00", "2024-01-01T12:00:00.250Z"),
        (1704110400, "2024-01-01T12:00:00.000Z"),
    ],
)
def test_buffered_reading_keeps_its_timestamp(setup, client, sent, echoed):
    reply = client.post(READING, setup.reading(timestamp=sent))

    assert reply.status == 201
    assert reply.body["data"]["reading"]["timestamp"] == echoed


def test_integer_values_are_accepted(setup, client):
    reply = client.post(READING, setup.reading(voltage=230, current=0, power=0))

    assert reply.status == 201
    assert reply.body["data"]["reading"]["voltage"] == 230


def test_bearer_header_carries_the_token(setup, client):
    body = setup.reading()
    del body["deviceToken"]

    reply = client.post(READING, body, headers={"Authorization": f"Bearer {setup.token}"})

    assert reply.status == 201


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_content_type_variants_are_accepted(setup, client, content_type):
    assert client.post(READING, setup.reading(), content_type=content_type).status == 201


def test_missing_content_type_is_accepted_when_the_body_is_json(setup, client):
    assert client.post(READING, setup.reading(), content_type=None).status == 201


# -- phantom detection -------------------------------------------------------------------------
def test_standby_reading_on_auto_cut_port_turns_it_off(services, setup, client):
    reply = client.post(READING, setup.reading(voltage=230.1, current=0.01, power=2.3))

    assert reply.status == 201
    assert reply.body["data"]["phantomDetected"] is True
    assert reply.body["data"]["portStatus"] == "off"
    with services.engine.connect() as conn:
        assert conn.scalar(select(Port.status).where(Port.id == setup.port_id)) == "off"
        assert conn.scalar(select(PhantomEvent.action)) == "auto_cut"


def test_standby_reading_without_auto_cut_is_only_reported(setup, client):
    reply = client.post(READING, setup.reading(portId=setup.report_only_port_id, power=2.3))

    assert reply.status == 201
    assert reply.body["data"]["phantomDetected"] is True
    assert reply.body["data"]["portStatus"] == "active"


# -- 400 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("portId", {"portId": None}),
        ("portId", {"portId": ""}),
        ("portId", {"portId": ["x"]}),
        ("voltage", {"voltage": None}),
        ("voltage", {"voltage": "high"}),
        ("voltage", {"voltage": True}),
        ("voltage", {"voltage": 5000}),
        ("current", {"current": -1}),
        ("current", {"current": "0.4"}),
        ("power", {"power": None}),
        ("power", {"power": 1e9}),
        ("timestamp", {"timestamp": "yesterday"}),
        ("timestamp", {"timestamp": "1999-12-31T00:00:00Z"}),
        ("timestamp", {"timestamp": True}),
    ],
)
def test_bad_field_is_named(services, setup, client, field, change):
    body = {k: v for k, v in setup.reading(**change).items() if v is not None}

    assert_error(client.post(READING, body), 400, field)
    assert stored_count(services) == 0


def test_future_timestamp_is_refused(setup, client):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    assert_error(client.post(READING, setup.reading(timestamp=future)), 400, "timestamp")


def test_non_finite_number_is_refused(setup, client):
    raw = (
        f'{{"deviceToken": "{setup.token}", "portId": "{setup.port_id}", '
        '"voltage": NaN, "current": 0.1, "power": 1}'
    ).encode()

    assert_error(client.post(READING, raw), 400, "voltage")


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"voltage": 1', b"\xff\xfe\x00"])
def test_malformed_json_is_refused(services, client, raw):
    assert_error(client.post(READING, raw), 400, "JSON")


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_body_that_is_not_an_object_is_refused(client, raw):
    assert_error(client.post(READING, raw), 400, "object")


def test_device_token_must_be_a_string(setup, client):
    assert_error(client.post(READING, setup.reading(deviceToken=12345)), 400, "deviceToken")


# -- 401 / 403 / 404 ---------------------------------------------------------------------------
def test_missing_token_is_unauthorized(setup, client):
    body = setup.reading()
    del body["deviceToken"]

    reply = client.post(READING, body)

    assert_error(reply, 401, "token")
    assert reply.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic x"}]
)
def test_empty_or_non_bearer_token_is_unauthorized(setup, client, headers):
    assert_error(client.post(READING, setup.reading(deviceToken=""), headers=headers), 401)


def test_unknown_token_is_unauthorized(services, setup, client):
    reply = client.post(READING, setup.reading(deviceToken="pdt_not-a-token"))

    assert_error(reply, 401, "token")
    assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert stored_count(services) == 0


def test_revoked_token_is_unauthorized(services, setup, client):
    assert client.post(READING, setup.reading()).status == 201
    with services.engine.begin() as conn:
        conn.execute(
            update(DeviceToken)
            .where(DeviceToken.id == setup.token_id)
            .values(revoked_at=datetime.now(UTC))
        )

    assert_error(client.post(READING, setup.reading()), 401, "revoked")
    assert stored_count(services) == 1


def test_port_of_another_user_is_forbidden(services, setup, client):
    reply = client.post(READING, setup.reading(portId=setup.other_users_port_id))

    assert_error(reply, 403, setup.other_users_port_id)
    assert stored_count(services) == 0


def test_unknown_port_is_not_found(setup, client):
    missing = "00000000-0000-0000-0000-000000000000"

    assert_error(client.post(READING, setup.reading(portId=missing)), 404, missing)


# -- 413 / 415 ---------------------------------------------------------------------------------
def test_body_too_large_is_refused(services, setup, client):
    reply = client.post(READING, setup.reading(padding="x" * 70_000))

    assert_error(reply, 413, str(64 * 1024))
    assert stored_count(services) == 0


def test_chunked_body_too_large_is_refused(server, setup):
    big = json.dumps(setup.reading(padding="x" * 70_000)).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        chunks = (big[i : i + 8192] for i in range(0, len(big), 8192))
        conn.request(
            "POST",
            READING,
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["success"] is False
    finally:
        conn.close()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_refused(setup, client, content_type):
    reply = client.post(READING, setup.reading(), content_type=content_type)

    assert_error(reply, 415, "application/json")


def test_missing_content_type_with_non_json_body_is_refused(client):
    assert_error(client.post(READING, b"voltage=230", content_type=None), 415, "JSON")


# -- 429 / 503 ---------------------------------------------------------------------------------
def test_full_writer_queue_asks_to_retry(services, setup, client, monkeypatch):
    monkeypatch.setattr(services.writer, "submit", lambda submission: False)

    reply = client.post(READING, setup.reading())

    assert_error(reply, 429)
    assert int(reply.headers["Retry-After"]) >= 1


def test_stopped_writer_is_unavailable(services, setup, client):
    services.writer.stop()

    reply = client.post(READING, setup.reading())

    assert_error(reply, 503, "retry")
    assert int(reply.headers["Retry-After"]) >= 1


def test_failed_commit_is_unavailable(services, setup, client):
    with services.engine.begin() as conn:
        conn.execute(text("DROP TABLE power_readings"))

    reply = client.post(READING, setup.reading())

    assert_error(reply, 503, "not stored")
    assert int(reply.headers["Retry-After"]) >= 1


# -- batch -------------------------------------------------------------------------------------
def batch(setup, *readings: dict, **extra: object) -> dict:
    return {"deviceToken": setup.token, "readings": list(readings), **extra}


def item(port_id: str, power: float = 80.0, **extra: object) -> dict:
    return {"portId": port_id, "voltage": 230.0, "current": 0.35, "power": power, **extra}


def test_batch_is_stored_in_order(services, setup, client):
    reply = client.post(
        READINGS,
        batch(
            setup,
            item(setup.port_id, 80.0, timestamp="2024-01-01T12:00:00Z"),
            item(setup.report_only_port_id, 2.0),
            item(setup.port_id, 81.5),
        ),
    )

    assert reply.status == 201
    assert reply.body["success"] is True
    assert reply.body["message"] == "Sensor readings created successfully"
    readings = reply.body["data"]["readings"]
    assert [r["portId"] for r in readings] == [
        setup.port_id,
        setup.report_only_port_id,
        setup.port_id,
    ]
    assert [r["power"] for r in readings] == [80.0, 2.0, 81.5]
    assert readings[0]["timestamp"] == "2024-01-01T12:00:00.000Z"
    assert readings[0]["id"] < readings[1]["id"] < readings[2]["id"]
    assert [r["phantomDetected"] for r in readings] == [False, True, False]
    assert all(r["portStatus"] == "active" for r in readings)
    with services.engine.connect() as conn:
        rows = dict(conn.execute(select(PowerReading.id, PowerReading.power)).all())
    assert [rows[r["id"]] for r in readings] == [80.0, 2.0, 81.5]
    assert set(readings[0]) == {
        "id",
        "portId",
        "voltage",
        "current",
        "power",
        "timestamp",
        "phantomDetected",
        "portStatus",
    }
    assert stored_count(services) == 3


def test_batch_with_bearer_token(setup, client):
    body = batch(setup, item(setup.port_id))
    del body["deviceToken"]

    reply = client.post(READINGS, body, headers={"Authorization": f"Bearer {setup.token}"})

    assert reply.status == 201


def test_batch_with_an_invalid_reading_stores_nothing(services, setup, client):
    body = batch(setup, item(setup.port_id), item(setup.port_id, voltage="high"))

    assert_error(client.post(READINGS, body), 400, "readings[1]", "voltage")
    assert stored_count(services) == 0


def test_batch_with_an_unknown_port_stores_nothing(services, setup, client):
    body = batch(setup, item(setup.port_id), item("no-such-port"))

    assert_error(client.post(READINGS, body), 404, "readings[1]", "no-such-port")
    assert stored_count(services) == 0


def test_batch_with_a_port_of_another_user_stores_nothing(services, setup, client):
    body = batch(setup, item(setup.port_id), item(setup.other_users_port_id))

    assert_error(client.post(READINGS, body), 403, "readings[1]")
    assert stored_count(services) == 0


@pytest.mark.parametrize("readings", [None, [], {}, "x"])
def test_batch_needs_a_list_of_readings(setup, client, readings):
    body = {"deviceToken": setup.token}
    if readings is not None:
        body["readings"] = readings

    assert_error(client.post(READINGS, body), 400, "readings")


def test_batch_element_that_is_not_an_object_is_refused(setup, client):
    assert_error(client.post(READINGS, batch(setup, 42)), 400, "readings[0]")


def test_batch_too_long_is_refused(services, setup, client):
    body = batch(setup, *[item(setup.port_id)] * 1001)

    assert_error(client.post(READINGS, body), 413, "1000")
    assert stored_count(services) == 0


def test_batch_of_the_maximum_length_is_stored_in_order(services, setup, client):
    powers = [round(50 + i / 10, 1) for i in range(1000)]
    body = batch(setup, *[item(setup.port_id, power) for power in powers])

    reply = client.post(READINGS, body)

    assert reply.status == 201
    readings = reply.body["data"]["readings"]
    assert [r["power"] for r in readings] == powers
    with services.engine.connect() as conn:
        rows = dict(conn.execute(select(PowerReading.id, PowerReading.power)).all())
    assert [rows[r["id"]] for r in readings] == powers


def test_batch_with_unknown_token_is_unauthorized(services, setup, client):
    body = batch(setup, item(setup.port_id), deviceToken="pdt_nope")

    assert_error(client.post(READINGS, body), 401)
    assert stored_count(services) == 0


# -- other routes ------------------------------------------------------------------------------
def test_health_reports_writer_database_and_version(client):
    reply = client.get("/api/health")

    assert reply.status == 200
    assert reply.body["success"] is True
    assert reply.body["message"] == "ok"
    data = reply.body["data"]
    assert data["version"] == __version__
    assert data["writer"] == "running"
    assert data["database"] == "reachable"
    assert data["queued"] == 0


def test_health_is_unavailable_when_the_writer_is_stopped(services, client):
    services.writer.stop()

    reply = client.get("/api/health")

    assert reply.status == 503
    assert reply.body["success"] is False
    assert "writer" in reply.body["message"]
    assert reply.body["data"]["writer"] == "stopped"


def test_unknown_route_is_json_404(client):
    assert_error(client.get("/nowhere"), 404, "/nowhere")
    assert_error(client.post("/api/sensor/nope", {}), 404)


def test_wrong_method_is_json_405(client):
    reply = client.get(READING)

    assert_error(reply, 405, "GET")
    assert "POST" in reply.headers["Allow"]


def test_unexpected_error_is_json_500_and_logged(setup, client, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(http_api, "parse_reading", broken)

    reply = client.post(READING, setup.reading())

    assert_error(reply, 500)
    assert "boom" not in reply.body["message"]
    assert any("boom" in (r.exc_text or "") for r in caplog.records)


def test_stats_count_acknowledged_and_rejected(server, setup, client):
    client.post(READING, setup.reading())
    client.post(READINGS, batch(setup, item(setup.port_id), item(setup.port_id)))
    client.post(READING, b"{bad")

    stats = server.stats

    assert stats.requests == 3
    assert stats.acknowledged == 3
    assert stats.rejected == 1
