"""Transitional (issue 8): the old home of the serial-source editing, re-exported until ui/
imports `store.serial_choices` and `ingest.serial.source_list` itself; then this file goes."""

from phantom_desktop.ingest.serial.source_list import (
    measured_twice,
    same_name,
    with_source,
    without_source,
)
from phantom_desktop.store.serial_choices import Choices, DeviceChoice, PortChoice, load_choices

__all__ = [
    "Choices",
    "DeviceChoice",
    "PortChoice",
    "load_choices",
    "measured_twice",
    "same_name",
    "with_source",
    "without_source",
]
