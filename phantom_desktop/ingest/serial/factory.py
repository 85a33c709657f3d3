"""Building the running sources from the settings (called by the composition root)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from phantom_desktop.config import Settings
from phantom_desktop.ingest.serial.config import parse_source_configs
from phantom_desktop.ingest.serial.source import SerialSource
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store.ingest_queries import device_port_ids


def sources_from_settings(
    settings: Settings, writer: Writer, sessions: sessionmaker[Session]
) -> list[SerialSource]:
    """One (not yet started) source per enabled entry of `settings.serial_sources`.

    Raises SerialConfigError (a ConfigError) naming the entry and field when one is invalid.
    """
    configs = [c for c in parse_source_configs(settings.serial_sources) if c.enabled]
    # A relay hears about the ports of its device turned off by hand too.
    with sessions() as session:
        ports = device_port_ids(session, {c.device_id for c in configs if not c.is_modbus})
    return [
        SerialSource(config, writer, served_ports=frozenset(ports.get(config.device_id, ())))
        for config in configs
    ]


def ports_without_relay(sources: Iterable[SerialSource]) -> frozenset[str]:
    """Ports whose cut cannot be carried out because only a Modbus meter measures them."""
    return frozenset().union(*(source.cannot_cut_ports for source in sources))
