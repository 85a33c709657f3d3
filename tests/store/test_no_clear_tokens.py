"""The database never holds a device token in clear: only its SHA-256 hash (and a prefix)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from phantom_desktop.core.credentials import TOKEN_PREFIX, hash_token
from phantom_desktop.store import repository
from tests.store.store_helpers import setup_device


def stored_text(sessions, db_url: str) -> bytes:
    """Every byte of the SQLite files, or every value of every MySQL table."""
    if db_url.startswith("sqlite"):
        path = Path(make_url(db_url).database)
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    chunks = []
    with sessions() as s:
        for table in inspect(s.connection()).get_table_names():
            for row in s.execute(text(f"SELECT * FROM `{table}`")):
                chunks.append(" ".join(str(value) for value in row).encode())
    return b"\n".join(chunks)


def test_no_token_in_clear_only_hashes(sessions, users, db_url):
    with sessions.begin() as s:
        device, first, _ = setup_device(s, users.alice)
        second, _ = repository.rotate_token(s, users.alice, device.id)
        third, _ = repository.create_token(s, users.alice, device.id)
    tokens = [first, second, third]
    stored = stored_text(sessions, db_url)
    assert stored  # the scan saw the data
    for token in tokens:
        secret = token.removeprefix(TOKEN_PREFIX)
        assert token.encode() not in stored
        assert secret[8:].encode() not in stored  # no part beyond the shown prefix either
        assert hash_token(token).encode() in stored
