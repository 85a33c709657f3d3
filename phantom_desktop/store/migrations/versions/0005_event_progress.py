"""phantom_events: an open event's progress (energy counted up to its latest reading)

Revision ID: 0005_event_progress
Revises: 0004_rollups
Create Date: 2026-12-02

Events left open by an earlier version have no progress (NULL): the writer counts their
episode again from the stored readings when it resumes them (ingest/episodes.py).
"""

import sqlalchemy as sa
from alembic import op

import phantom_desktop.store.types

revision = "0005_event_progress"
down_revision = "0004_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phantom_events") as batch:
        batch.add_column(
            sa.Column("counted_until", phantom_desktop.store.types.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("last_power_w", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("phantom_events") as batch:
        batch.drop_column("last_power_w")
        batch.drop_column("counted_until")
