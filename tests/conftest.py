"""Root test configuration: Qt offscreen, isolated user dirs, and the database fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest
from sqlalchemy import inspect, text

from phantom_desktop.app import Services, open_services
from phantom_desktop.config import AppPaths, Settings

pytest_plugins = ["tests.mqtt_fixtures"]  # broker_url, private_broker, prefix, plug

DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real settings, database or logs."""
    home = tmp_path_factory.mktemp("phantom-home")
    monkeypatch.setenv("PHANTOM_HOME", str(home))
    monkeypatch.delenv("PHANTOM_DB_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """scrypt at the production cost takes about a second a hash: tests use a small one
    (tests/store/test_password_cost.py checks the real cost and the upgrade on login)."""
    from phantom_desktop.core import credentials

    monkeypatch.setattr(credentials, "PASSWORD_COST", credentials.ScryptCost(n=2**10))


def reset_mysql(url: str) -> None:
    """Drop every table of the test database so each test starts from an empty schema."""
    from phantom_desktop.store.database import create_store_engine

    engine = create_store_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in inspect(conn).get_table_names():
                conn.execute(text(f"DROP TABLE `{table}`"))
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    finally:
        engine.dispose()


@pytest.fixture
def mysql_url() -> str:
    """A MySQL/MariaDB test database, emptied. Skips without a server unless it is required."""
    url = os.environ.get("PHANTOM_TEST_MYSQL_URL", DEFAULT_MYSQL_URL)
    try:
        reset_mysql(url)
    except Exception as exc:  # the driver's connection errors vary
        if os.environ.get("PHANTOM_REQUIRE_MYSQL") == "1":
            pytest.fail(f"MySQL is required (PHANTOM_REQUIRE_MYSQL=1) but {url} failed: {exc}")
        pytest.skip(f"no MySQL/MariaDB server at {url}: {exc}")
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'phantom.db'}"


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def db_url(request, tmp_path) -> str:
    """Each store test runs on the embedded SQLite default and on MySQL/MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'phantom.db'}"
    return request.getfixturevalue("mysql_url")


@pytest.fixture
def services(tmp_path) -> Iterator[Services]:
    """The app's services (writer running, no sources, no HTTP) on a throw-away SQLite file."""
    paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")
    services = open_services(paths, Settings(), db_url=f"sqlite:///{tmp_path}/t.db")
    yield services
    services.stop()


@pytest.fixture
def meter():
    """Start emulated serial meters (`start_meter` arguments, 20 Hz); closed at teardown."""
    from simulator.serial_meter import start_meter

    handles = []

    def start(protocol: str, **kwargs):
        kwargs.setdefault("interval_s", 0.05)
        handles.append(start_meter(protocol, **kwargs))
        return handles[-1]

    yield start
    for handle in handles:
        handle.close()
