"""power rollups at 1 minute and 1 hour, and their backfill

Revision ID: 0004_rollups
Revises: 0003_port_rhythm
Create Date: 2026-12-02

Creates the rollup tables and records which stored readings still need rolling up. A small
database (up to rollup_backfill.INLINE_LIMIT readings) is rolled up here at once; a bigger one
is rolled up in the background in short chunks (the app, `serve`) or before a command answers.
"""

import sqlalchemy as sa
from alembic import op

from phantom_desktop.store import rollup_backfill

revision = "0004_rollups"
down_revision = "0003_port_rhythm"
branch_labels = None
depends_on = None


def _rollup_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("port_id", sa.String(length=36), nullable=False),
        sa.Column("bucket", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("min_w", sa.Double(), nullable=True),
        sa.Column("max_w", sa.Double(), nullable=True),
        sa.Column("sum_w", sa.Double(), nullable=False),
        sa.Column("wh", sa.Double(), nullable=False),
        sa.Column("standby_wh", sa.Double(), nullable=False),
        sa.Column("standby_s", sa.Double(), nullable=False),
        sa.Column("off_s", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("port_id", "bucket"),
    )


def upgrade() -> None:
    _rollup_table("power_rollups_1m")
    _rollup_table("power_rollups_1h")
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "rollup_backfill",
        sa.Column("port_id", sa.String(length=36), nullable=False),
        sa.Column("max_id", big_id, nullable=False),
        sa.Column("first_ts", sa.Double(), nullable=False),
        sa.Column("last_ts", sa.Double(), nullable=False),
        sa.Column("cursor_ts", sa.Double(), nullable=True),
        sa.Column("cursor_id", big_id, nullable=True),
        sa.Column("cursor_power", sa.Double(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("port_id"),
    )
    conn = op.get_bind()
    rollup_backfill.run_inline_if_small(conn, rollup_backfill.plan(conn))


def downgrade() -> None:
    op.drop_table("rollup_backfill")
    op.drop_table("power_rollups_1h")
    op.drop_table("power_rollups_1m")
