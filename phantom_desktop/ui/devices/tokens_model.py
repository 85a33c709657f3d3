"""The token list of one device: prefix, created, last used and whether it still works."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase

from phantom_desktop.store.models import DeviceToken
from phantom_desktop.ui.common import formatting, palette
from phantom_desktop.ui.common.keyed_model import KeyedTableModel


@dataclass(frozen=True, slots=True)
class TokenRow:
    """One token as listed: never the token itself, only its first characters."""

    id: int
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: DeviceToken) -> TokenRow:
        return cls(token.id, token.prefix, token.created_at, token.last_used_at, token.revoked_at)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenColumn(enum.IntEnum):
    TOKEN = 0
    CREATED = 1
    LAST_USED = 2
    STATE = 3


def _when(ts: datetime | None) -> float:
    return ts.timestamp() if ts is not None else float("-inf")


class TokensModel(KeyedTableModel):
    """Rows are `TokenRow`s, newest first as the store lists them."""

    HEADERS = ("Token", "Created", "Last used", "State")

    def display(self, row: TokenRow, column: int) -> str:
        match column:
            case TokenColumn.TOKEN:
                return f"{row.prefix}…"
            case TokenColumn.CREATED:
                return formatting.local_time(row.created_at)
            case TokenColumn.LAST_USED:
                return (
                    "Never" if row.last_used_at is None else formatting.local_time(row.last_used_at)
                )
            case _:
                if row.active:
                    return "Active"
                return f"Revoked {formatting.local_time(row.revoked_at)}"

    def sort_value(self, row: TokenRow, column: int) -> Any:
        match column:
            case TokenColumn.CREATED:
                return (_when(row.created_at), row.id)
            case TokenColumn.LAST_USED:
                return _when(row.last_used_at)
            case TokenColumn.STATE:
                return (not row.active, -_when(row.revoked_at))
        return super().sort_value(row, column)

    def other_role(self, row: TokenRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and column == TokenColumn.TOKEN:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.ForegroundRole and column == TokenColumn.STATE:
            return palette.success_text() if row.active else palette.error_text()
        return None
