"""Application settings: a JSON file in the user config dir, environment overrides, CLI flags.

Precedence, lowest first: built-in defaults, the settings file, environment variables
(`PHANTOM_DB_URL`, `PHANTOM_HTTP_HOST`, `PHANTOM_HTTP_PORT`), command-line flags.
`PHANTOM_HOME` puts config, data and logs under one folder (tests, portable installs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field, fields
from datetime import tzinfo
from pathlib import Path

import platformdirs

from phantom_desktop.core.tariff import Tariff, TariffError, parse_periods
from phantom_desktop.core.timespec import TimeSpecError, zone_named

APP_NAME = "phantom-desktop"
SETTINGS_FILE = "settings.json"
MQTT_PASSWORD_FILE = "mqtt-password"  # beside settings.json, readable by this user only
DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 3000

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """The settings file or an override is invalid; the message says which and why."""


@dataclass(frozen=True)
class AppPaths:
    """Where this user's settings, database and logs live."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def for_user(cls) -> AppPaths:
        home = os.environ.get("PHANTOM_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / SETTINGS_FILE

    @property
    def default_db_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'phantom.db'}"


@dataclass
class Settings:
    """What the user can configure. `db_url` empty means the embedded SQLite file."""

    db_url: str = ""
    http_host: str = DEFAULT_HTTP_HOST
    http_port: int = DEFAULT_HTTP_PORT
    price_per_kwh: float = 0.30
    currency: str = "EUR"
    tariff_periods: str = ""  # time-of-use, a period a line: "Mon-Fri 22-6 0.18"
    timezone: str = ""  # for days, months and time-of-use; empty: this computer's
    retention_days: float = 0  # raw readings older than this are pruned; 0 keeps them
    serial_sources: list[dict] = field(default_factory=list)
    # The MQTT broker of the smart plugs ({"url", "username", "client_id", "tls_ca"}; its
    # password is in its own file) and the plugs ({"name", "kind", "topic", "device_id",
    # "channels"}): see phantom_desktop.ingest.mqtt.config.
    mqtt: dict | None = None
    plugs: list[dict] = field(default_factory=list)

    def resolved_db_url(self, paths: AppPaths) -> str:
        return self.db_url or paths.default_db_url

    def tariff(self) -> Tariff:
        """The tariff these settings describe (validated when they were loaded)."""
        return Tariff(self.price_per_kwh, self.currency, parse_periods(self.tariff_periods))

    def zone(self) -> tzinfo:
        return zone_named(self.timezone)


def _validated(data: dict, origin: str) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        log.warning("%s: ignoring unknown settings %s", origin, ", ".join(unknown))
    settings = Settings(**{k: v for k, v in data.items() if k in known})
    if not isinstance(settings.http_host, str) or not settings.http_host.strip():
        raise ConfigError(f"{origin}: http_host must be an address such as 127.0.0.1")
    if (
        isinstance(settings.http_port, bool)
        or not isinstance(settings.http_port, int)
        or not 0 <= settings.http_port <= 65535
    ):
        raise ConfigError(f"{origin}: http_port must be a number from 0 to 65535")
    if not isinstance(settings.serial_sources, list):
        raise ConfigError(f"{origin}: serial_sources must be a list")
    _check_energy_settings(settings, origin)
    if settings.mqtt is not None and not isinstance(settings.mqtt, dict):
        raise ConfigError(f"{origin}: mqtt must be an object with the broker's url")
    if not isinstance(settings.plugs, list):
        raise ConfigError(f"{origin}: plugs must be a list")
    return settings


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _check_energy_settings(settings: Settings, origin: str) -> None:
    if not _number(settings.price_per_kwh) or not 0 <= settings.price_per_kwh < 1e6:
        raise ConfigError(f"{origin}: price_per_kwh must be a number, zero or more")
    if not isinstance(settings.currency, str) or not settings.currency.strip():
        raise ConfigError(f"{origin}: currency must be a name such as EUR")
    if not _number(settings.retention_days) or settings.retention_days < 0:
        raise ConfigError(f"{origin}: retention_days must be 0 (keep) or more days")
    try:
        parse_periods(str(settings.tariff_periods))
        zone_named(str(settings.timezone))
    except (TariffError, TimeSpecError) as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def read_settings_file(paths: AppPaths) -> dict:
    """The settings file's own JSON object, without environment overrides ({} when absent)."""
    if not paths.settings_file.exists():
        return {}
    try:
        data = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {paths.settings_file}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{paths.settings_file}: expected a JSON object")
    return data


def file_settings(paths: AppPaths) -> Settings:
    """What the settings file says, without environment overrides: what a settings editor shows."""
    return _validated(read_settings_file(paths), str(paths.settings_file))


def load_settings(paths: AppPaths) -> Settings:
    """Read the settings file (defaults when it does not exist) and apply env overrides."""
    data = read_settings_file(paths)
    if os.environ.get("PHANTOM_DB_URL"):
        data["db_url"] = os.environ["PHANTOM_DB_URL"]
    if os.environ.get("PHANTOM_HTTP_HOST"):
        data["http_host"] = os.environ["PHANTOM_HTTP_HOST"]
    if os.environ.get("PHANTOM_HTTP_PORT"):
        try:
            data["http_port"] = int(os.environ["PHANTOM_HTTP_PORT"])
        except ValueError as exc:
            raise ConfigError("PHANTOM_HTTP_PORT must be a whole number") from exc
    return _validated(data, str(paths.settings_file))


def update_settings_file(paths: AppPaths, **changes: object) -> Settings:
    """Set `changes` in the settings file and write it atomically; returns the file's settings.

    Only the file's own values and the changed keys are written: environment overrides
    (`PHANTOM_DB_URL`…) never end up in the file, and keys this version does not know are
    kept. Nothing is written when a key is unknown or a value invalid (ConfigError).
    """
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    data = read_settings_file(paths)
    data.update(changes)
    settings = _validated(data, str(paths.settings_file))
    _write_atomically(paths.settings_file, json.dumps(data, indent=2) + "\n")
    return settings


def _write_atomically(path: Path, text: str) -> None:
    """Write a sibling temporary file, flush it to disk, then rename it over `path`:
    a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mqtt_password_file(paths: AppPaths) -> Path:
    return paths.config_dir / MQTT_PASSWORD_FILE


def read_mqtt_password(paths: AppPaths) -> str:
    """The MQTT broker's password ('' when none is set)."""
    try:
        return _mqtt_password_file(paths).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigError(f"cannot read {_mqtt_password_file(paths)}: {exc}") from exc


def write_mqtt_password(paths: AppPaths, password: str) -> None:
    """Keep the broker's password in its own file, readable by this user only (0600); an
    empty password removes the file."""
    path = _mqtt_password_file(paths)
    if not password:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:  # mkstemp creates the file 0600
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(password)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
