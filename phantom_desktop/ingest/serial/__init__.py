"""Serial-attached meters: JSON lines, emonTx/emonPi key:value lines, PZEM-004T and Eastron SDM.

Public API for the composition root, the command line and the window:

- `SerialSourceConfig.from_dict` / `to_dict`: one entry of `Settings.serial_sources`.
- `parse_source_configs(settings.serial_sources)`: validate all entries.
- `sources_from_settings(settings, writer, sessions)`: one `SerialSource` per enabled entry.
- `SerialSource.start()`, `.stop()`, `.status` (`SourceStatus`), `.cannot_cut_ports`.
- `available_ports()`: what a port picker lists (device, description, VID:PID).
"""

from phantom_desktop.ingest.serial.config import (
    DEFAULT_BAUDRATES,
    PROTOCOLS,
    SerialConfigError,
    SerialSourceConfig,
    UsbMatch,
    parse_source_configs,
)
from phantom_desktop.ingest.serial.discovery import SerialPortInfo, available_ports
from phantom_desktop.ingest.serial.factory import ports_without_relay, sources_from_settings
from phantom_desktop.ingest.serial.source import SerialSource
from phantom_desktop.ingest.serial.status import SourceStatus

__all__ = [
    "DEFAULT_BAUDRATES",
    "PROTOCOLS",
    "SerialConfigError",
    "SerialPortInfo",
    "SerialSource",
    "SerialSourceConfig",
    "SourceStatus",
    "UsbMatch",
    "available_ports",
    "parse_source_configs",
    "ports_without_relay",
    "sources_from_settings",
]
