"""Validation of readings as devices post them: clear errors naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from phantom_desktop.core.readings import ReadingError, format_timestamp, parse_reading

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
GOOD = {"portId": "p-1", "voltage": 230.5, "current": 0.45, "power": 103.73}


def test_good_reading_is_accepted_with_now_as_timestamp():
    values = parse_reading(dict(GOOD), NOW)
    assert (values.port_id, values.voltage, values.current, values.power) == (
        "p-1",
        230.5,
        0.45,
        103.73,
    )
    assert values.timestamp == NOW


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("voltage", "high"),
        ("voltage", None),
        ("current", True),
        ("power", -1),
        ("power", float("nan")),
        ("voltage", 10_000),
        ("portId", ""),
        ("portId", ["x"]),
        ("timestamp", "yesterday"),
        ("timestamp", "2099-01-01T00:00:00Z"),
    ],
)
def test_bad_field_is_named(field, value):
    body = dict(GOOD, **{field: value})
    with pytest.raises(ReadingError) as info:
        parse_reading(body, NOW)
    assert info.value.field == field
    assert field in str(info.value)


def test_missing_field_is_named():
    body = dict(GOOD)
    del body["current"]
    with pytest.raises(ReadingError, match="'current' is required"):
        parse_reading(body, NOW)


@pytest.mark.parametrize(
    "stamp",
    ["2025-12-31T23:00:00Z", "2025-12-31T23:00:00+00:00", "2026-01-01T00:00:00+01:00", 1767222000],
)
def test_timestamps_in_iso_or_epoch_are_utc(stamp):
    values = parse_reading(dict(GOOD, timestamp=stamp), NOW)
    assert values.timestamp == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


def test_contract_timestamp_format():
    stamp = datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert format_timestamp(stamp) == "2024-01-01T12:00:00.123Z"
