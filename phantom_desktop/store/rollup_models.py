"""Per-port rollups at 1 minute and 1 hour, their marks, and the state of their backfill.

`bucket` is the bucket's start in UTC epoch seconds (an integer seeks and compares fastest on
both engines). The mean power is `sum_w / n`; a bucket with `n == 0` holds only energy of an
interval that began in the bucket before. See `phantom_desktop.core.rollup_math` for the rules.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Double, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from phantom_desktop.store.models import Base
from phantom_desktop.store.types import BigIntId


class _RollupColumns:
    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
    min_w: Mapped[float | None] = mapped_column(Double)
    max_w: Mapped[float | None] = mapped_column(Double)
    sum_w: Mapped[float] = mapped_column(Double, default=0.0)
    wh: Mapped[float] = mapped_column(Double, default=0.0)
    standby_wh: Mapped[float] = mapped_column(Double, default=0.0)
    standby_s: Mapped[float] = mapped_column(Double, default=0.0)
    off_s: Mapped[float] = mapped_column(Double, default=0.0)


class Rollup1m(_RollupColumns, Base):
    __tablename__ = "power_rollups_1m"


class Rollup1h(_RollupColumns, Base):
    __tablename__ = "power_rollups_1h"


class RollupBackfill(Base):
    """Readings of a port stored before rollups existed, still to be rolled up (id <= max_id)."""

    __tablename__ = "rollup_backfill"

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True
    )
    max_id: Mapped[int] = mapped_column(BigIntId)
    first_ts: Mapped[float] = mapped_column(Double)
    last_ts: Mapped[float] = mapped_column(Double)
    # Where the last chunk stopped: its reading's timestamp (epoch s), id and power.
    cursor_ts: Mapped[float | None] = mapped_column(Double)
    cursor_id: Mapped[int | None] = mapped_column(BigIntId)
    cursor_power: Mapped[float | None] = mapped_column(Double)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class RollupMark(Base):
    """The newest reading of a port that its rollups include; later ones are its open tail
    (`rollup_tail`)."""

    __tablename__ = "rollup_marks"

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True
    )
    t_us: Mapped[int] = mapped_column(BigInteger)  # epoch microseconds
    power: Mapped[float] = mapped_column(Double)
