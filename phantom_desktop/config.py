"""Application settings: a JSON file in the user config dir, environment overrides, CLI flags.

Precedence, lowest first: built-in defaults, the settings file, environment variables
(`PHANTOM_DB_URL`, `PHANTOM_HTTP_HOST`, `PHANTOM_HTTP_PORT`), command-line flags.
`PHANTOM_HOME` puts config, data and logs under one folder (tests, portable installs).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

APP_NAME = "phantom-desktop"
SETTINGS_FILE = "settings.json"
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
    serial_sources: list[dict] = field(default_factory=list)

    def resolved_db_url(self, paths: AppPaths) -> str:
        return self.db_url or paths.default_db_url


def _validated(data: dict, origin: str) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        log.warning("%s: ignoring unknown settings %s", origin, ", ".join(unknown))
    settings = Settings(**{k: v for k, v in data.items() if k in known})
    if not isinstance(settings.http_port, int) or not 0 <= settings.http_port <= 65535:
        raise ConfigError(f"{origin}: http_port must be a number from 0 to 65535")
    if not isinstance(settings.serial_sources, list):
        raise ConfigError(f"{origin}: serial_sources must be a list")
    return settings


def load_settings(paths: AppPaths) -> Settings:
    """Read the settings file (defaults when it does not exist) and apply env overrides."""
    data: dict = {}
    if paths.settings_file.exists():
        try:
            data = json.loads(paths.settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {paths.settings_file}: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{paths.settings_file}: expected a JSON object")
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


def save_settings(paths: AppPaths, settings: Settings) -> None:
    """Write the settings file atomically (a crash never leaves half a file)."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    tmp = paths.settings_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    tmp.replace(paths.settings_file)
