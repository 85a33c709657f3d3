"""Engine and session setup for SQLite (default) and MySQL/MariaDB; schema upgrade on start."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.orm import Session, sessionmaker


class StoreError(RuntimeError):
    """The database cannot be opened or upgraded; the message says why."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def describe_url(url: str) -> str:
    """The URL without its password, for status bars and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the window read while the writer commits; FULL makes "committed" mean "on disk".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_store_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings each backend needs (pragmas, pool pre-ping)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "mysql":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_recycle", 3600)
        query = dict(parsed.query)
        query.setdefault("charset", "utf8mb4")
        # A server that stops answering must fail a statement in seconds, not hang the writer
        # (and every device waiting on it) until the kernel gives up on the socket; the URL's
        # own ?connect_timeout=…&read_timeout=… win.
        for name, seconds in MYSQL_TIMEOUTS_S.items():
            query.setdefault(name, str(seconds))
        return create_engine(parsed.set(query=query), **kwargs)
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or mysql")


MYSQL_TIMEOUTS_S = {"connect_timeout": 10, "read_timeout": 60, "write_timeout": 60}


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrations_dir() -> Path:
    return Path(str(resources.files("phantom_desktop.store") / "migrations"))


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:  # the message must reach the user, whatever the driver raised
        raise StoreError(
            f"cannot open or upgrade the database {describe_url(str(engine.url))}: {exc}"
        ) from exc


def open_store(url: str) -> Engine:
    """Create the engine and bring the schema up to date."""
    engine = create_store_engine(url)
    upgrade_schema(engine)
    return engine


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched."""
    return int(cast(CursorResult[Any], result).rowcount)
