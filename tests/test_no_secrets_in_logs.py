"""No token, account password or database password reaches a log file, in a full run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from phantom_desktop.store import repository
from phantom_desktop.store.database import open_store, session_factory
from tests.test_sim_to_serve_processes import free_port, wait_healthy

pytestmark = pytest.mark.slow
DB_PASSWORD = "Db-S3cret-pw"
ACCOUNT_PASSWORD = "Acct-S3cret-pw"


def _post(url: str, body: dict, headers: dict | None = None) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _logs(home) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (home / "logs").glob("*.log*")
    )


def _cli(home, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "phantom_desktop", *args],
        input=stdin,
        env=dict(os.environ, PHANTOM_HOME=str(home), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_run_logs_no_token_and_no_database_password(tmp_path):
    home = tmp_path / "home"
    db_url = f"sqlite:///{tmp_path / 'secrets.db'}"
    engine = open_store(db_url)
    with session_factory(engine).begin() as s:
        user = repository.ensure_local_user(s)
        device = repository.create_device(s, user.id, "meter")
        token, _ = repository.create_token(s, user.id, device.id)
        port = repository.create_port(s, user.id, "TV", device.id, 5.0, 0.0, True).id
    engine.dispose()
    wrong_token = "pdt_" + "Wr0ngTokenValue" * 3

    http_port = free_port()
    db = ["--db", db_url]
    base = f"http://127.0.0.1:{http_port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "phantom_desktop", "-v", "serve", "--port", str(http_port), *db],
        env=dict(os.environ, PHANTOM_HOME=str(home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_healthy(base, server)
        reading = {"portId": port, "voltage": 230.0, "current": 0.01, "power": 2.0}
        url = f"{base}/api/sensor/reading"
        assert _post(url, {**reading, "deviceToken": token}) == 201
        assert _post(url, reading, {"Authorization": f"Bearer {token}"}) == 201
        assert _post(url, {**reading, "deviceToken": wrong_token}) == 401
        assert _post(url, {**reading, "deviceToken": token, "portId": "nope"}) == 404
        assert _post(url, {**reading, "deviceToken": token, "power": "x"}) == 400
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err.decode()

    bad_url = f"mysql+pymysql://root:{DB_PASSWORD}@127.0.0.1:1/nothing"
    failed = _cli(home, "-v", "serve", "--port", "0", "--db", bad_url)
    assert failed.returncode != 0
    assert DB_PASSWORD not in failed.stderr

    logs = _logs(home)
    assert "listening on" in logs  # the run was logged
    for secret in (token, token[4:], wrong_token, DB_PASSWORD):
        assert secret not in logs


@pytest.mark.mysql
def test_account_password_is_never_logged(tmp_path, mysql_url):
    home = tmp_path / "home"
    env = {"PHANTOM_PASSWORD": ACCOUNT_PASSWORD}
    created = _cli(
        home,
        "-v",
        "--db",
        mysql_url,
        "user",
        "add",
        "alice",
        "--password-stdin",
        stdin=ACCOUNT_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    listed = _cli(home, "-v", "--db", mysql_url, "--user", "alice", "device", "list", **env)
    assert listed.returncode == 0, listed.stderr
    wrong = _cli(home, "--db", mysql_url, "--user", "alice", "device", "list", PHANTOM_PASSWORD="x")
    assert wrong.returncode == 3
    logs = _logs(home)
    assert logs  # the commands logged something
    assert ACCOUNT_PASSWORD not in logs and "scrypt$" not in logs.replace("scrypt$[redacted]", "")


def test_settings_file_that_may_hold_a_password_is_private(tmp_path):
    from phantom_desktop.config import AppPaths, update_settings_file

    paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")
    update_settings_file(paths, db_url=f"mysql+pymysql://me:{DB_PASSWORD}@db.example/phantom")
    assert paths.settings_file.stat().st_mode & 0o777 == 0o600
    update_settings_file(paths, http_port=3001)  # rewritten: still private
    assert paths.settings_file.stat().st_mode & 0o777 == 0o600


def test_redaction_blanks_tokens_url_passwords_and_hashes():
    from phantom_desktop.log_redaction import redact

    text = (
        "token pdt_AbCdEfGh12345678 url mysql+pymysql://me:pw%40x@db/x "
        "hash scrypt$1024$8$1$00ff$aabb"
    )
    assert redact(text) == (
        "token pdt_[redacted] url mysql+pymysql://me:[redacted]@db/x hash scrypt$[redacted]"
    )
