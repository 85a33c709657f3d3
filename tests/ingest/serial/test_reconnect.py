"""A meter unplugged mid-stream and plugged back, under the same or a new path: the source
shows "reconnecting", reopens, and readings resume; its status never blocks the caller."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from phantom_desktop.ingest.serial import discovery


@contextmanager
def status_watcher(src):
    """Polls `src.status` as the window's timer would; records the states and the slowest call."""
    seen: list[str] = []
    slowest = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            started = time.perf_counter()
            state = src.status.state
            slowest[0] = max(slowest[0], time.perf_counter() - started)
            if not seen or seen[-1] != state:
                seen.append(state)
            time.sleep(0.002)

    thread = threading.Thread(target=watch, name="ui-timer")
    thread.start()
    try:
        yield SimpleNamespace(states=seen, slowest=slowest)
    finally:
        done.set()
        thread.join()


@contextmanager
def keeping_busy(path: str):
    """Hold the pty's slave open so its /dev/pts number stays taken after the meter unplugs:
    the meter then comes back under a new path, even with other ptys opening meanwhile."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        yield
    finally:
        os.close(fd)


@pytest.mark.parametrize("protocol", ["pzem", "jsonl"])
def test_unplug_and_replug_under_a_new_path_via_a_symlink(
    protocol, make_device, meter, source, wait, tmp_path
):
    device_id, port_ids = make_device(1)
    link = tmp_path / "ttyMeter"
    handle = meter(protocol, port_ids=port_ids, link=link)
    channels = {"1": port_ids[0]} if protocol == "pzem" else {}
    src = source(
        {"port": str(link), "protocol": protocol, "device_id": device_id, "channels": channels}
    )
    with status_watcher(src) as watcher:
        wait(lambda: src.status.readings >= 3, what="readings before the unplug")
        old_path = handle.path
        with keeping_busy(old_path):
            handle.unplug()
            wait(lambda: src.status.state == "reconnecting", what="reconnecting")
            before = src.status.readings
            assert handle.replug() != old_path
            wait(lambda: src.status.readings >= before + 3, what="readings after the replug")
    status = src.status
    assert status.state == "connected" and status.reconnects == 1
    assert [s for s in watcher.states if s != "connecting"] == [
        "connected",
        "reconnecting",
        "connected",
    ]
    assert watcher.slowest[0] < 0.2, f"status took {watcher.slowest[0]:.3f} s"
    started = time.perf_counter()
    src.stop()
    assert time.perf_counter() - started < 1.0


def test_usb_adapter_is_found_again_under_a_new_name(make_device, meter, source, wait, monkeypatch):
    device_id, port_ids = make_device(1)
    handle = meter("sdm120", addresses=(5,))
    listed: list[SimpleNamespace] = []

    def adapter(device: str, vid: int, pid: int, serial_number: str) -> SimpleNamespace:
        return SimpleNamespace(device=device, vid=vid, pid=pid, serial_number=serial_number)

    def plug(path: str) -> None:
        listed[:] = [
            adapter("/dev/ttyS0", 0x0403, 0x6001, "OTHER"),
            adapter(path, 0x1A86, 0x7523, "M1"),
        ]

    monkeypatch.setattr(discovery.list_ports, "comports", lambda: list(listed))
    plug(handle.path)
    src = source(
        {
            "port": "/dev/ttyUSB0",
            "usb": {"vid": "1A86", "pid": "7523", "serial_number": "M1"},
            "protocol": "sdm120",
            "device_id": device_id,
            "channels": {"5": port_ids[0]},
        }
    )
    wait(lambda: src.status.readings >= 2, what="readings")
    assert src.status.port == handle.path

    old_path = handle.path
    with keeping_busy(old_path):
        handle.unplug()
        listed.clear()
        wait(lambda: "not plugged in" in src.status.reason, what="the adapter's absence")
        assert src.status.state == "reconnecting"
        before = src.status.readings
        plug(handle.replug())
        wait(lambda: src.status.readings >= before + 2, what="readings after the replug")
    assert handle.path != old_path
    assert src.status.port == handle.path and src.status.state == "connected"


def test_status_lines_queued_while_unplugged_go_out_after_the_reconnect(
    services, make_device, meter, source, wait, tmp_path
):
    from phantom_desktop.ingest.messages import PortCommand

    device_id, port_ids = make_device(1)
    link = tmp_path / "ttyBoard"
    handle = meter("jsonl", port_ids=port_ids, link=link)
    src = source({"port": str(link), "protocol": "jsonl", "device_id": device_id})
    wait(lambda: src.status.readings >= 1, what="a reading")
    handle.unplug()
    wait(lambda: src.status.state == "reconnecting", what="reconnecting")
    services.writer.command(PortCommand(port_ids[0], status="off")).done.result(5)
    handle.replug()
    wait(lambda: {"portId": port_ids[0], "status": "off"} in handle.received, what="the off line")
