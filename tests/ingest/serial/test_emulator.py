"""The meter emulator's command line, as `phantom-sim serial` runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import serial

from simulator.serial_meter import main, start_meter


def test_the_command_line_prints_the_port_and_behaves_as_the_meter(tmp_path):
    link = tmp_path / "ttyEmon"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator.serial_meter",
            "--protocol",
            "emontx",
            "--channels",
            "2",
            "--interval",
            "0.05",
            "--link",
            str(link),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith("emontx meter on /dev/pts/") and str(link) in banner
        with serial.Serial(str(link), 115200, timeout=2) as port:
            port.reset_input_buffer()
            port.readline()  # possibly a partial line
            line = port.readline().decode()
        assert line.startswith("MSG:") and ",P2:" in line and line.endswith("\r\n")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0
    assert not link.exists()


def test_bad_arguments_are_reported():
    assert main(["--protocol", "jsonl"]) == 2  # JSON lines need port ids
    with pytest.raises(SystemExit):
        main(["--protocol", "modbus"])


def test_unplugging_removes_the_link_and_replugging_restores_it(tmp_path):
    link = tmp_path / "ttyPZEM"
    with start_meter("pzem", link=link, interval_s=0.05) as handle:
        assert os.readlink(link) == handle.path
        handle.unplug()
        assert not link.exists() and not handle.plugged
        path = handle.replug()
        assert os.readlink(link) == path
        time.sleep(0.1)
        assert handle.sent  # the meter kept measuring
