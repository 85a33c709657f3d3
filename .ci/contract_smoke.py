#!/usr/bin/env python3
"""Smoke check of the device HTTP contract (docs/ARCHITECTURE.md, "HTTP contract"), run
against `phantom-desktop serve`.

Uses only the command line a user has: creates a device, a token and a port with the
management commands (`--json` output), starts the headless server on a free port with a
throw-away SQLite database, posts readings as a sensor script would, and checks the answers.
Exit 0 when every check holds; the last line says how many held.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CLI = os.environ.get("PHANTOM_CLI", "phantom-desktop")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [CLI, *args, "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    if out.returncode != 0:
        raise RuntimeError(
            f"`{CLI} {' '.join(args)} --json` exited {out.returncode}: {out.stderr.strip()[-400:]}"
        )
    return json.loads(out.stdout)


def post(url: str, body) -> tuple[int, dict | None]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, None


def main() -> int:
    if shutil.which(CLI) is None:
        print(f"contract smoke: skipped: `{CLI}` is not on PATH (install the project first)")
        return 0
    tmp = tempfile.mkdtemp(prefix="phantom-smoke-")
    env = dict(os.environ, PHANTOM_DB_URL=f"sqlite:///{tmp}/smoke.db", QT_QPA_PLATFORM="offscreen")
    results: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        results.append((name, ok, detail))

    server = None
    try:
        dev = cli(env, "device", "add", "smoke-device")
        tok = cli(env, "token", "create", dev["id"])
        port = cli(
            env,
            "port",
            "add",
            "smoke-tv",
            "--device",
            dev["id"],
            "--threshold",
            "5",
            "--min-duration",
            "0",
        )
        token, port_id = tok["token"], port["id"]
        p = free_port()
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(p)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{p}/api/sensor/reading"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", p), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        status, body = post(
            url,
            {
                "deviceToken": token,
                "portId": port_id,
                "voltage": 230.5,
                "current": 0.45,
                "power": 103.73,
            },
        )
        ok = status == 201 and body and body.get("success") is True
        check("normal reading -> 201 success", bool(ok), f"{status} {body}")
        data = (body or {}).get("data") or {}
        reading = data.get("reading") or {}
        check(
            "response has data.reading {id,voltage,current,power,timestamp}",
            all(k in reading for k in ("id", "voltage", "current", "power", "timestamp")),
            str(reading),
        )
        check(
            "phantomDetected false, portStatus active",
            data.get("phantomDetected") is False and data.get("portStatus") == "active",
            str(data),
        )
        status, body = post(
            url,
            {
                "deviceToken": token,
                "portId": port_id,
                "voltage": 230.1,
                "current": 0.01,
                "power": 2.3,
            },
        )
        data = (body or {}).get("data") or {}
        check(
            "standby reading below threshold -> phantomDetected true, portStatus off",
            status == 201
            and data.get("phantomDetected") is True
            and data.get("portStatus") == "off",
            f"{status} {body}",
        )
        status, body = post(
            url,
            {
                "deviceToken": "not-a-token",
                "portId": port_id,
                "voltage": 230,
                "current": 1,
                "power": 200,
            },
        )
        check(
            "unknown token -> 401",
            status == 401 and (body or {}).get("success") is False,
            f"{status} {body}",
        )
        status, body = post(
            url,
            {
                "deviceToken": token,
                "portId": "00000000-0000-0000-0000-000000000000",
                "voltage": 230,
                "current": 1,
                "power": 200,
            },
        )
        check("unknown port -> 404", status == 404, f"{status} {body}")
        status, body = post(
            url,
            {
                "deviceToken": token,
                "portId": port_id,
                "voltage": "high",
                "current": 1,
                "power": 200,
            },
        )
        check(
            "non-numeric voltage -> 400 naming the field",
            status == 400 and "voltage" in str((body or {}).get("message", "")).lower(),
            f"{status} {body}",
        )
        status, body = post(url, b"{not json")
        check("malformed JSON -> 400", status == 400, f"{status} {body}")
    except Exception as e:
        check("setup", False, repr(e))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    failed = [r for r in results if not r[1]]
    for name, ok, detail in results:
        print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f"  [{detail[:300]}]"))
    print(f"contract smoke: {len(results) - len(failed)} of {len(results)} checks hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
