"""The writer's cache of token credentials and port rows, re-read only when they may be stale.

Every batch needs the credentials of its tokens and the rows of its ports. Reading them from the
database on every batch costs two queries (two round trips on MySQL) for data that rarely
changes, so they are kept here. Misses always go to the database, so a token or port created a
moment ago works at once. What another connection may have changed (a revoked token, an edited
or deleted port) is caught by:
- SQLite: `PRAGMA data_version`, which changes whenever another connection commits — exact;
- MySQL/MariaDB: a short time-to-live (`TTL_S`);
- both: `invalidate()`, which this process's own management actions call.
The writer's own changes (a port cut) are made to the cached rows too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, select

from phantom_desktop.core.detection import PortRules
from phantom_desktop.core.enums import PortStatus
from phantom_desktop.core.rhythm import RhythmOverride
from phantom_desktop.store.driver_cursor import driver_cursor
from phantom_desktop.store.models import Device, DeviceToken, Port

TTL_S = 1.0
IN_LIST_MAX = 500

_select_credentials = (
    select(DeviceToken.token_hash, DeviceToken.id, Device.id, Device.user_id)
    .join(Device, Device.id == DeviceToken.device_id)
    .where(
        DeviceToken.token_hash.in_(bindparam("hashes", expanding=True)),
        DeviceToken.revoked_at.is_(None),
    )
)
_select_devices = select(Device.id, Device.user_id).where(
    Device.id.in_(bindparam("ids", expanding=True))
)
_select_ports = select(
    Port.id,
    Port.user_id,
    Port.name,
    Port.threshold_w,
    Port.min_duration_s,
    Port.auto_cut,
    Port.status,
    Port.rhythm_override,
).where(Port.id.in_(bindparam("ids", expanding=True)))


@dataclass(slots=True)
class CachedPort:
    """What the writer needs of a port; `status` follows the writer's own changes."""

    id: str
    user_id: str
    name: str
    threshold_w: float
    min_duration_s: float
    auto_cut: bool
    status: PortStatus
    rhythm_override: str = RhythmOverride.AUTO
    # Built once: the writer compares it with the detector's for every port of every batch.
    rules: PortRules = field(init=False)

    def __post_init__(self) -> None:
        override = RhythmOverride(self.rhythm_override)
        self.rules = PortRules(self.threshold_w, self.min_duration_s, self.auto_cut, override)


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a submission speaks for: its token (None for a serial source), device and owner."""

    token_id: int | None
    device_id: str
    user_id: str


def device_key(device_id: str) -> str:
    """The credentials key of a serial source, which names its device instead of a token."""
    return "device:" + device_id


def _chunks(values: list[str], size: int = IN_LIST_MAX) -> Iterator[list[str]]:
    """Bounded IN lists: one statement never carries thousands of parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Lookups:
    """Cached credentials (by token hash or device key) and port rows for one connection."""

    def __init__(self, ttl_s: float = TTL_S) -> None:
        self._ttl_s = ttl_s
        self._credentials: dict[str, Credential] = {}
        self._ports: dict[str, CachedPort] = {}
        self._stamp: object = None
        self._loaded_at = 0.0
        self._invalid = False

    def invalidate(self) -> None:
        """Forget everything before the next batch (safe to call from any thread)."""
        self._invalid = True

    def refresh(self, conn: Connection) -> None:
        """Start of a batch: drop the cache if another connection may have changed it."""
        stamp = None
        if conn.dialect.name == "sqlite":
            with driver_cursor(conn) as cursor:
                stamp = cursor.execute("PRAGMA data_version").fetchone()[0]
        clock = time.monotonic()
        stale = stamp != self._stamp if stamp is not None else clock - self._loaded_at > self._ttl_s
        if stale or self._invalid:
            self._invalid = False
            self._credentials.clear()
            self._ports.clear()
            self._stamp, self._loaded_at = stamp, clock

    def credentials(
        self, conn: Connection, hashes: set[str], device_ids: set[str]
    ) -> dict[str, Credential]:
        """Credentials of these token hashes and devices; unknown or revoked ones are absent."""
        cache = self._credentials
        missing = [h for h in hashes if h not in cache]
        for chunk in _chunks(missing):
            for token_hash, token_id, device_id, user_id in conn.execute(
                _select_credentials, {"hashes": chunk}
            ):
                cache[token_hash] = Credential(token_id, device_id, user_id)
        missing = [d for d in device_ids if device_key(d) not in cache]
        for chunk in _chunks(missing):
            for device_id, user_id in conn.execute(_select_devices, {"ids": chunk}):
                cache[device_key(device_id)] = Credential(None, device_id, user_id)
        return cache

    def has_port(self, port_id: str) -> bool:
        """Whether this port's row is cached (looking it up costs nothing)."""
        return port_id in self._ports

    def ports(self, conn: Connection, port_ids: set[str]) -> dict[str, CachedPort]:
        """Rows of these ports; unknown ones are absent."""
        cache = self._ports
        missing = [p for p in port_ids if p not in cache]
        for chunk in _chunks(missing):
            for row in conn.execute(_select_ports, {"ids": chunk}):
                cache[row[0]] = CachedPort(*row)
        return cache

    def reload_port(self, conn: Connection, port_id: str) -> CachedPort | None:
        """Read one port again (its rules were just edited); None when it is gone."""
        self._ports.pop(port_id, None)
        return self.ports(conn, {port_id}).get(port_id)
