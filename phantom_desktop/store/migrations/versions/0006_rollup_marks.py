"""rollup_marks: the newest reading each port's rollups include

Revision ID: 0006_rollup_marks
Revises: 0005_event_progress
Create Date: 2026-12-02

Until now every batch added its readings to the rollup tables; from here the writer folds a
port's readings in once a minute and the readers add the rest (`store.rollup_tail`). The
tables are complete up to each port's newest reading, which becomes its mark: one index seek
per port.
"""

import sqlalchemy as sa
from alembic import op

from phantom_desktop.store.sql_time import dialect_name, epoch_us, placeholder

revision = "0006_rollup_marks"
down_revision = "0005_event_progress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_marks",
        sa.Column("port_id", sa.String(length=36), nullable=False),
        sa.Column("t_us", sa.BigInteger(), nullable=False),
        sa.Column("power", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("port_id"),
    )
    conn = op.get_bind()
    dialect = dialect_name(conn)
    mark = placeholder(dialect)
    for (port_id,) in conn.exec_driver_sql("SELECT id FROM ports").all():
        newest = conn.exec_driver_sql(
            f"SELECT {epoch_us(dialect, 'timestamp')}, power FROM power_readings "
            f"WHERE port_id = {mark} ORDER BY timestamp DESC, id DESC LIMIT 1",
            (port_id,),
        ).first()
        if newest is not None:
            conn.exec_driver_sql(
                f"INSERT INTO rollup_marks (port_id, t_us, power) VALUES ({mark}, {mark}, {mark})",
                (port_id, newest[0], newest[1]),
            )


def downgrade() -> None:
    op.drop_table("rollup_marks")
