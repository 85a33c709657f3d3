"""The states and reasons stored as text: compare equal to (and serialise as) their values."""

from __future__ import annotations

from enum import StrEnum


class PortStatus(StrEnum):
    """Whether a port's relay is closed (`active`) or cut (`off`)."""

    ACTIVE = "active"
    OFF = "off"


class TokenState(StrEnum):
    """A device's token state: none yet, one usable, or all revoked."""

    NONE = "none"
    ACTIVE = "active"
    REVOKED = "revoked"


class EventAction(StrEnum):
    """What the writer did about a phantom event."""

    AUTO_CUT = "auto_cut"
    NOTIFIED = "notified"


class CutReason(StrEnum):
    """Why a port's status changed: detection cut it, or someone switched it."""

    AUTO_CUT = "auto_cut"
    MANUAL = "manual"
