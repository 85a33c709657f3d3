"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

import phantom_desktop.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_devices_user_name"),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "device_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", phantom_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", phantom_desktop.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_tokens_device_id"), ["device_id"], unique=False)

    op.create_table(
        "ports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("threshold_w", sa.Double(), nullable=False),
        sa.Column("min_duration_s", sa.Double(), nullable=False),
        sa.Column("auto_cut", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_ports_user_name"),
    )
    with op.batch_alter_table("ports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ports_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ports_user_id"), ["user_id"], unique=False)

    op.create_table(
        "phantom_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("port_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("detected_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", phantom_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("power_w", sa.Double(), nullable=False),
        sa.Column("wasted_wh", sa.Double(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phantom_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phantom_events_port_start", ["port_id", "started_at"], unique=False
        )

    op.create_table(
        "power_readings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("port_id", sa.String(length=36), nullable=False),
        sa.Column("timestamp", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("voltage", sa.Double(), nullable=False),
        sa.Column("current", sa.Double(), nullable=False),
        sa.Column("power", sa.Double(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("power_readings", schema=None) as batch_op:
        batch_op.create_index("ix_power_readings_port_ts", ["port_id", "timestamp"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("port_id", sa.String(length=36), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("created_at", phantom_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["phantom_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_read", ["user_id", "is_read"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")

    op.drop_table("notifications")
    with op.batch_alter_table("power_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_power_readings_port_ts")

    op.drop_table("power_readings")
    with op.batch_alter_table("phantom_events", schema=None) as batch_op:
        batch_op.drop_index("ix_phantom_events_port_start")

    op.drop_table("phantom_events")
    with op.batch_alter_table("ports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ports_user_id"))
        batch_op.drop_index(batch_op.f("ix_ports_device_id"))

    op.drop_table("ports")
    with op.batch_alter_table("device_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_tokens_device_id"))

    op.drop_table("device_tokens")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_user_id"))

    op.drop_table("devices")
    op.drop_table("users")
