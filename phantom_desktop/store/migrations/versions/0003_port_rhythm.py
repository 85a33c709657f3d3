"""ports: the owner's rhythm override and the rhythm the writer recognised

Revision ID: 0003_port_rhythm
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import phantom_desktop.store.types

revision = "0003_port_rhythm"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ports") as batch:
        batch.add_column(
            sa.Column("rhythm_override", sa.String(10), nullable=False, server_default="auto")
        )
        batch.add_column(sa.Column("rhythm_seen", sa.String(120), nullable=True))
        batch.add_column(
            sa.Column("rhythm_since", phantom_desktop.store.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ports") as batch:
        batch.drop_column("rhythm_since")
        batch.drop_column("rhythm_seen")
        batch.drop_column("rhythm_override")
