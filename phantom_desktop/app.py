"""Composition root: config → store → writer → sources → (window). Clean start and stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from phantom_desktop.config import AppPaths, Settings
from phantom_desktop.ingest.live_feed import LiveFeed
from phantom_desktop.ingest.spool import Spool
from phantom_desktop.ingest.writer import Writer
from phantom_desktop.store.database import describe_url, open_store, session_factory
from phantom_desktop.store.maintenance import Maintenance
from phantom_desktop.store.repository import ensure_local_user

if TYPE_CHECKING:
    from phantom_desktop.ingest.http_server import HttpServer
    from phantom_desktop.ingest.mqtt.source import MqttSource
    from phantom_desktop.ingest.serial.source import SerialSource

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The long-lived objects of one running app, created and stopped here only."""

    paths: AppPaths
    settings: Settings
    db_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    user_id: str
    writer: Writer
    live_feed: LiveFeed
    maintenance: Maintenance | None = None
    http_server: HttpServer | None = None
    sources: list[SerialSource] = field(default_factory=list)
    # One serial restart at a time (each stops the sources the previous one started).
    serial_restart_lock: threading.Lock = field(default_factory=threading.Lock)
    mqtt: MqttSource | None = None  # the smart plugs' broker connection, if plugs are set up
    mqtt_error: str = ""  # why the configured plugs are not running (invalid settings)
    mqtt_restart_lock: threading.Lock = field(default_factory=threading.Lock)
    stopped: bool = False

    @property
    def db_description(self) -> str:
        return describe_url(self.db_url)

    @property
    def listen_url(self) -> str | None:
        return self.http_server.url if self.http_server is not None else None

    def stop(self) -> None:
        """Stop sources first, then the writer, which commits everything already accepted.

        A serial restart in progress finishes first; one that starts later does nothing.
        """
        with self.serial_restart_lock, self.mqtt_restart_lock:
            self.stopped = True
            _stop_sources(self.sources)
            if self.mqtt is not None:  # commits and acknowledges what it holds, then goes
                _stop_sources([self.mqtt])
        if self.http_server is not None:
            self.http_server.stop()
        if self.maintenance is not None:
            self.maintenance.stop()
        self.writer.stop()
        self.engine.dispose()


def start_serial_sources(services: Services) -> None:
    """Start one thread per enabled serial source of the settings (none by default)."""
    from phantom_desktop.ingest.serial.factory import ports_without_relay, sources_from_settings

    services.sources = sources_from_settings(services.settings, services.writer, services.sessions)
    services.writer.episodes.ports_without_relay = ports_without_relay(services.sources)
    for source in services.sources:
        source.start()


def restart_serial_sources(services: Services, serial_sources: list[dict]) -> None:
    """Apply a new `serial_sources` list now: build its sources, stop the running ones, start.

    Blocks while the old threads stop (a read timeout or one Modbus transaction each): the
    window calls `restart_serial_sources_async`. An invalid entry raises SerialConfigError and
    leaves everything running.
    """
    from phantom_desktop.ingest.serial.factory import ports_without_relay, sources_from_settings

    with services.serial_restart_lock:
        if services.stopped:
            return
        wanted = replace(services.settings, serial_sources=list(serial_sources))
        new_sources = sources_from_settings(wanted, services.writer, services.sessions)
        services.writer.episodes.ports_without_relay = ports_without_relay(new_sources)
        old_sources, services.sources = services.sources, []
        _stop_sources(old_sources)
        services.settings.serial_sources = wanted.serial_sources
        services.sources = new_sources
        for source in new_sources:
            source.start()


def restart_serial_sources_async(
    services: Services,
    serial_sources: list[dict],
    on_done: Callable[[Exception | None], None],
) -> threading.Thread:
    """`restart_serial_sources` on a thread of its own; then `on_done(None)`, or
    `on_done(error)` (SerialConfigError: nothing changed), called on that thread."""

    def run() -> None:
        try:
            restart_serial_sources(services, serial_sources)
        except Exception as exc:
            log.warning("restarting the serial sources failed: %s", exc)
            on_done(exc)
            return
        on_done(None)

    thread = threading.Thread(target=run, name="phantom-serial-restart", daemon=True)
    thread.start()
    return thread


def _stop_sources(sources: Sequence[SerialSource | MqttSource]) -> None:
    for source in sources:
        try:
            source.stop()
        except Exception:
            log.exception("stopping %s failed", source)


def start_ingestion(services: Services, host: str | None = None, port: int | None = None) -> None:
    """Start the serial sources, the smart plugs and the HTTP server that feed the writer."""
    start_serial_sources(services)
    start_mqtt(services)
    start_http(services, host, port)


def start_mqtt(services: Services) -> None:
    """Start the MQTT source of the configured plugs (none by default). An invalid setting is
    logged and leaves the plugs off; everything else runs."""
    from phantom_desktop.config import read_mqtt_password
    from phantom_desktop.ingest.mqtt.config import MqttConfigError
    from phantom_desktop.ingest.mqtt.factory import source_from_settings

    settings = services.settings
    try:
        source = source_from_settings(
            settings.mqtt, settings.plugs, services.writer, read_mqtt_password(services.paths)
        )
    except MqttConfigError as exc:
        log.error("the smart plugs are not read: %s", exc)
        services.mqtt_error = f"the smart plugs are not read: {exc}"
        return
    services.mqtt = source
    if source is not None:
        source.start()


def restart_mqtt(
    services: Services,
    mqtt: dict[str, object] | None,
    plugs: list[dict[str, object]],
    password: str,
) -> None:
    """Apply new broker and plug settings now: stop the running source (its messages in hand
    are committed and acknowledged first), start the new one. Blocks; MqttConfigError leaves
    everything as it was."""
    from phantom_desktop.ingest.mqtt.factory import source_from_settings

    with services.mqtt_restart_lock:
        if services.stopped:
            return
        new = source_from_settings(mqtt, plugs, services.writer, password)
        old, services.mqtt = services.mqtt, None
        if old is not None:
            old.stop()
        services.settings.mqtt, services.settings.plugs = mqtt, list(plugs)
        services.mqtt, services.mqtt_error = new, ""
        if new is not None:
            new.start()


def restart_mqtt_async(
    services: Services,
    mqtt: dict[str, object] | None,
    plugs: list[dict[str, object]],
    password: str,
    on_done: Callable[[Exception | None], None],
) -> threading.Thread:
    """`restart_mqtt` on a thread of its own; then `on_done(None)` or `on_done(error)`."""

    def run() -> None:
        try:
            restart_mqtt(services, mqtt, plugs, password)
        except Exception as exc:
            log.warning("restarting the smart plugs failed: %s", exc)
            on_done(exc)
            return
        on_done(None)

    thread = threading.Thread(target=run, name="phantom-mqtt-restart", daemon=True)
    thread.start()
    return thread


def start_http(services: Services, host: str | None = None, port: int | None = None) -> None:
    """Start the HTTP server for devices; OSError when it cannot listen."""
    from phantom_desktop.ingest.http_server import HttpServer

    server = HttpServer(
        services.writer,
        host or services.settings.http_host,
        services.settings.http_port if port is None else port,
        engine=services.engine,
    )
    server.start()
    services.http_server = server


def open_spool(paths: AppPaths) -> Spool | None:
    """The outage spool in the user data dir, or None when another process holds it."""
    try:
        return Spool(paths.data_dir / "spool")
    except OSError as exc:
        log.warning("no spool for database outages: %s", exc)
        return None


def open_services(
    paths: AppPaths,
    settings: Settings,
    db_url: str | None = None,
    user_id: str | None = None,
    live_view: bool = True,
) -> Services:
    """Open the database (upgrading its schema) and start the writer; no sources yet.

    The window acts as `user_id` (who logged in to a server database), else as the local account.
    Without `live_view` (headless), committed batches are not kept for a window.
    """
    url = db_url or settings.resolved_db_url(paths)
    engine = open_store(url)
    sessions = session_factory(engine)
    if user_id is None:
        with sessions.begin() as session:
            user_id = ensure_local_user(session).id
    writer = Writer(engine, spool=open_spool(paths))
    writer.watch_sessions(sessions)
    live_feed = LiveFeed()
    if live_view:
        writer.add_listener(live_feed.publish)
    writer.episodes.tariff = settings.tariff()
    writer.start()
    maintenance = Maintenance(engine, settings.retention_days)
    maintenance.start()
    return Services(paths, settings, url, engine, sessions, user_id, writer, live_feed, maintenance)


def apply_energy_settings(services: Services, settings: Settings) -> None:
    """Saved Settings take effect: alerts use the new tariff, pruning the new retention."""
    services.settings = settings
    services.writer.episodes.tariff = settings.tariff()
    if services.maintenance is not None:
        services.maintenance.retention_days = settings.retention_days
        services.maintenance.prune_now()
