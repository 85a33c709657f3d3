"""Line framing, JSON lines and emonTx lines: examples, then properties over arbitrary bytes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.serial.emontx import parse_emontx_line
from phantom_desktop.ingest.serial.jsonl import parse_jsonl_line, status_line
from phantom_desktop.ingest.serial.lines import BadLine, LineFramer

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CHANNELS = {"P1": "port-1", "P2": "port-2"}
MAX_LINE = 64


def test_framer_splits_lines_and_keeps_the_rest():
    framer = LineFramer()
    assert framer.feed(b"one\r\ntw") == [b"one"]
    assert framer.feed(b"o\n\n\r\nthree") == [b"two"]
    assert framer.feed(b"\n") == [b"three"]


def test_framer_discards_an_overlong_line_and_resynchronises():
    framer = LineFramer(max_line=8)
    assert framer.feed(b"x" * 20) == []
    assert framer.feed(b"still the same line") == []
    assert framer.feed(b" end\nok\n") == [b"ok"]
    assert framer.feed(b"123456789\nfine\n") == [b"fine"]
    assert framer.overlong == 2


def test_json_line_with_and_without_timestamp():
    line = b'{"portId": "p", "voltage": 230.5, "current": 0.45, "power": 103.73}'
    reading = parse_jsonl_line(line, NOW)
    assert (reading.port_id, reading.voltage, reading.current, reading.power) == (
        "p",
        230.5,
        0.45,
        103.73,
    )
    assert reading.timestamp == NOW
    stamped = parse_jsonl_line(line[:-1] + b', "timestamp": "2024-05-01T11:00:00Z"}', NOW)
    assert stamped.timestamp == datetime(2024, 5, 1, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{nope", "not a JSON object"),
        (b"[" * 5000, "not a JSON object"),
        (b"[1, 2]", "a reading must be a JSON object"),
        (b'{"voltage": 1, "current": 1, "power": 1}', "'portId' is required"),
        (b'{"portId": "p", "voltage": -1, "current": 1, "power": 1}', "'voltage' must not be"),
        (b'{"portId": "p", "voltage": 1%s, "current": 1, "power": 1}' % (b"0" * 400), "'voltage'"),
        (b'{"portId": "\\ud800", "voltage": 1, "current": 1, "power": 1}', "'portId' must be"),
    ],
)
def test_bad_json_lines_say_why(line, message):
    with pytest.raises(BadLine, match=message):
        parse_jsonl_line(line, NOW)


def test_status_line_is_one_json_object_per_line():
    assert status_line("p-1", "off") == b'{"portId": "p-1", "status": "off"}\n'


def test_emontx_line_maps_channels_and_estimates_current():
    line = b"MSG:12,Vrms:239.80,P1:102,P2:-3,P3:40,E1:250,E2:9,E3:1,pulse:0"
    readings = parse_emontx_line(line, CHANNELS, NOW)
    assert [(r.port_id, r.voltage, r.power) for r in readings] == [
        ("port-1", 239.8, 102.0),
        ("port-2", 239.8, 3.0),
    ]
    assert readings[0].current == pytest.approx(102 / 239.8)
    assert readings[1].current == pytest.approx(3 / 239.8)


def test_emontx_line_uses_currents_when_printed():
    line = b"MSG:3,Vrms:231.0,P1:50,I1:0.250,P2:0,I2:0.010"
    readings = parse_emontx_line(line, CHANNELS, NOW)
    assert [r.current for r in readings] == [0.25, 0.01]


@pytest.mark.parametrize(
    "line",
    [b"describe:EmonTX4DB_6CT_1phase", b"emonTx V4 CM Continuous Monitoring V1.5.7", b"vCal = 807"],
)
def test_emontx_informational_lines_are_skipped(line):
    assert parse_emontx_line(line, CHANNELS, NOW) is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"MSG:1,P1:100", "no Vrms"),
        (b"MSG:1,Vrms:240,P1:lots", "P1 is not a number"),
        (b"MSG:1,Vrms:240,P1", "P1 has no value"),
        (b"MSG:1,Vrms:240,P5:100", "none of the channels P1, P2"),
        (b"MSG:1,Vrms:240,P1:nan", "P1: 'current' must be a finite number"),
        (b"MSG:1,Vrms:2400,P1:1", "P1: 'voltage' must be at most 1000"),
        (b"MSG:\x01", "control characters"),
        (b"MSG:1,Vrms:\xe9", "not ASCII"),
    ],
)
def test_bad_emontx_lines_say_why(line, message):
    with pytest.raises(BadLine, match=message):
        parse_emontx_line(line, CHANNELS, NOW)


# -- properties ------------------------------------------------------------------------------
readings = st.fixed_dictionaries(
    {
        "portId": st.text("abcdef0123456789-", min_size=1, max_size=36),
        "voltage": st.floats(0, 1000),
        "current": st.floats(0, 1000),
        "power": st.floats(0, 1_000_000),
    }
)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def parse_all(stream: list[bytes], parse) -> list:
    """Frame and parse as a line session does; BadLine is the only exception allowed."""
    framer, found = LineFramer(max_line=MAX_LINE * 4), []
    for chunk in stream:
        for line in framer.feed(chunk):
            assert len(line) <= MAX_LINE * 4 and b"\n" not in line
            try:
                result = parse(line)
            except BadLine:
                continue
            found.extend(result or [])
    return found


@given(st.binary(max_size=2000), st.lists(st.integers(0, 2000), max_size=20))
def test_any_bytes_are_framed_and_parsed_without_escaping_exceptions(data, cuts):
    for parse in (
        lambda line: [parse_jsonl_line(line, NOW)],
        lambda line: parse_emontx_line(line, CHANNELS, NOW),
    ):
        found = parse_all(split(data, cuts), parse)
        assert all(isinstance(r, ReadingValues) and r.timestamp.tzinfo for r in found)


@settings(max_examples=150)
@given(
    st.binary(max_size=600),
    readings,
    st.binary(max_size=600),
    st.lists(st.integers(0, 3000), max_size=20),
)
def test_json_lines_in_garbage_are_still_decoded(before, body, after, cuts):
    line = json.dumps(body).encode()
    stream = split(before + b"\n" + line + b"\n" + after, cuts)
    found = parse_all(stream, lambda raw: [parse_jsonl_line(raw, NOW)])
    assert any(
        (r.port_id, r.voltage, r.current, r.power)
        == (body["portId"], body["voltage"], body["current"], body["power"])
        for r in found
    )


@settings(max_examples=150)
@given(
    st.binary(max_size=600),
    st.integers(0, 9999),
    st.floats(90, 500).map(lambda v: round(v, 2)),
    st.lists(st.integers(-30000, 30000), min_size=2, max_size=12),
    st.binary(max_size=600),
    st.lists(st.integers(0, 3000), max_size=20),
)
def test_emontx_lines_in_garbage_are_still_decoded(before, msg, vrms, powers, after, cuts):
    items = [f"MSG:{msg}", f"Vrms:{vrms}"] + [f"P{i + 1}:{p}" for i, p in enumerate(powers)]
    line = ",".join(items).encode() + b"\r"
    stream = split(before + b"\n" + line + b"\n" + after, cuts)
    found = parse_all(stream, lambda raw: parse_emontx_line(raw, CHANNELS, NOW))
    expected = [("port-1", vrms, abs(powers[0])), ("port-2", vrms, abs(powers[1]))]
    got = [(r.port_id, r.voltage, r.power) for r in found]
    assert all(item in got for item in expected)


@given(st.binary(min_size=1, max_size=200), st.integers(1, 199))
def test_truncated_lines_never_escape(data, keep):
    truncated = data[:keep]
    for parse in (
        lambda line: parse_jsonl_line(line, NOW),
        lambda line: parse_emontx_line(line, CHANNELS, NOW),
    ):
        try:
            result = parse(truncated)
        except BadLine:
            continue
        if result is None:  # a blank line: skipped
            continue
        parsed = result if isinstance(result, list) else [result]
        assert all(isinstance(r, ReadingValues) for r in parsed)
