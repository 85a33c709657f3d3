"""The data model (docs/ARCHITECTURE.md, "Data model"): users, devices, tokens, ports, readings,
events, notifications."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from phantom_desktop.core.enums import EventAction, PortStatus
from phantom_desktop.store.types import BigIntId, TextEnum, UTCDateTime

LOCAL_USER_NAME = "local"


def new_id() -> str:
    """A fresh UUID4 as text: ids of users, devices and ports."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # scrypt hash; NULL for the local account of the embedded database, which needs no login.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    devices: Mapped[list[Device]] = relationship(back_populates="user")


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_devices_user_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="devices")
    tokens: Mapped[list[DeviceToken]] = relationship(
        back_populates="device", cascade="all, delete-orphan", passive_deletes=True
    )
    ports: Mapped[list[Port]] = relationship(back_populates="device")


class DeviceToken(Base):
    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    # SHA-256 hex of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    device: Mapped[Device] = relationship(back_populates="tokens")


class Port(Base):
    __tablename__ = "ports"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_ports_user_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    threshold_w: Mapped[float] = mapped_column(Double)
    min_duration_s: Mapped[float] = mapped_column(Double, default=30.0)
    auto_cut: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[PortStatus] = mapped_column(TextEnum(PortStatus, 10), default=PortStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The owner's word over rhythm recognition (core.rhythm.RhythmOverride), and what the writer
    # last recognised ("cycling, ~40 min rhythm") and since when; None: no rhythm.
    rhythm_override: Mapped[str] = mapped_column(String(10), default="auto", server_default="auto")
    rhythm_seen: Mapped[str | None] = mapped_column(String(120))
    rhythm_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    device: Mapped[Device | None] = relationship(back_populates="ports")


class PowerReading(Base):
    __tablename__ = "power_readings"
    __table_args__ = (Index("ix_power_readings_port_ts", "port_id", "timestamp"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    port_id: Mapped[str] = mapped_column(ForeignKey("ports.id", ondelete="CASCADE"))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    voltage: Mapped[float] = mapped_column(Double)
    current: Mapped[float] = mapped_column(Double)
    power: Mapped[float] = mapped_column(Double)
    source: Mapped[str] = mapped_column(String(10), default="http")


class PhantomEvent(Base):
    __tablename__ = "phantom_events"
    __table_args__ = (Index("ix_phantom_events_port_start", "port_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    port_id: Mapped[str] = mapped_column(ForeignKey("ports.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    power_w: Mapped[float] = mapped_column(Double)
    wasted_wh: Mapped[float] = mapped_column(Double, default=0.0)
    action: Mapped[EventAction] = mapped_column(TextEnum(EventAction, 10))
    # An open event's progress, saved with every batch that moves it: wasted_wh counts the
    # standby up to counted_until, the latest reading, whose power last_power_w holds since.
    counted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_power_w: Mapped[float | None] = mapped_column(Double)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "is_read"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    port_id: Mapped[str | None] = mapped_column(ForeignKey("ports.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("phantom_events.id", ondelete="CASCADE")
    )
    message: Mapped[str] = mapped_column(Text)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The rollup tables live in their own module; importing it here registers them with Base.
from phantom_desktop.store import rollup_models as _rollup_models  # noqa: E402, F401
