"""Noise, bad CRCs, silent meters, refused readings and bad ports: counted, never a crash."""

from __future__ import annotations

import logging

from phantom_desktop.ingest.serial.status import LogThrottle


def test_line_noise_is_counted_and_readings_keep_flowing(make_device, meter, source, wait):
    device_id, port_ids = make_device(2)
    handle = meter("emontx", channels=2, garbage_every=2)
    src = source(
        {
            "port": handle.path,
            "protocol": "emontx",
            "device_id": device_id,
            "channels": {"P1": port_ids[0], "P2": port_ids[1]},
        }
    )
    wait(lambda: src.status.garbage >= 3 and src.status.readings >= 10, what="noise and readings")
    assert src.status.state == "connected"


def test_bad_crc_and_a_silent_meter_are_counted(make_device, meter, source, wait):
    device_id, port_ids = make_device(2)
    handle = meter("pzem", addresses=(1,), corrupt_every=2)
    src = source(
        {
            "port": handle.path,
            "protocol": "pzem",
            "device_id": device_id,
            "channels": {"1": port_ids[0], "2": port_ids[1]},  # nothing answers at 2
        }
    )
    wait(
        lambda: src.status.crc_errors >= 2 and src.status.timeouts >= 2,
        what="CRC errors and timeouts",
    )
    wait(lambda: src.status.readings >= 4, what="readings from meter 1")
    assert src.status.state == "connected"


def test_readings_for_an_unknown_device_are_refused(make_device, meter, source, wait):
    _device_id, port_ids = make_device(1)
    handle = meter("jsonl", port_ids=port_ids)
    src = source({"port": handle.path, "protocol": "jsonl", "device_id": "no-such-device"})
    wait(lambda: src.status.rejected >= 3, what="refused readings")
    assert src.status.readings == 0


def test_a_missing_port_keeps_retrying_and_a_bad_url_is_an_error(source, wait, tmp_path):
    missing = source({"port": str(tmp_path / "ttyNone"), "protocol": "jsonl", "device_id": "d"})
    bad_url = source({"port": "nosuch://meter", "protocol": "jsonl", "device_id": "d"})
    wait(lambda: "cannot open" in missing.status.reason, what="the missing port's reason")
    assert missing.status.state == "connecting"
    wait(lambda: bad_url.status.state == "error", what="the bad URL's error")
    assert "nosuch" in bad_url.status.reason


def test_recurring_problems_are_logged_once_in_a_while(caplog):
    throttle = LogThrottle(logging.getLogger("test.throttle"), interval_s=3600)
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        for _ in range(50):
            throttle.warning("crc", "bad CRC from meter %d", 3)
        throttle.warning("other", "something else")
    assert [r.getMessage() for r in caplog.records] == ["bad CRC from meter 3", "something else"]


def test_readings_refused_during_an_outage_are_sent_again(
    services, make_device, meter, source, wait, monkeypatch
):
    """503 from the writer (database unreachable) means "later": nothing is dropped."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import OperationalError

    from phantom_desktop.ingest import retry
    from phantom_desktop.store.models import PowerReading

    monkeypatch.setattr(retry, "DELAY_MIN_S", 0.05)
    writer = services.writer
    real_process = writer._process
    outage = {"on": True, "refused": 0}

    def process(conn, items, batch, *args):
        if outage["on"]:
            outage["refused"] += 1
            raise OperationalError("INSERT", {}, Exception("no such table: power_readings"))
        return real_process(conn, items, batch, *args)

    monkeypatch.setattr(writer, "_process", process)
    _device_id, port_ids = make_device(1)
    handle = meter("jsonl", port_ids=port_ids)
    src = source({"port": handle.path, "protocol": "jsonl", "device_id": _device_id})
    wait(lambda: outage["refused"] >= 5, what="refusals during the outage")
    outage["on"] = False
    wait(lambda: src.status.readings >= 20, what="readings after the outage")
    with services.engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(PowerReading))
    assert src.status.rejected == 0 and src.status.dropped == 0
    assert stored >= src.status.readings >= 20
