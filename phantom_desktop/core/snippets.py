"""Ready-to-paste commands that feed a port with a device token: phantom-sim and curl.

Shown once with a new token (the token dialog, `token create --json`), so a user can check the
token works before configuring the real device. POSIX shell quoting.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

READING_PATH = "/api/sensor/reading"
_EXAMPLE = {"voltage": 230.0, "current": 0.45, "power": 103.5}


@dataclass(frozen=True, slots=True)
class Snippets:
    """Shell commands that post a reading for one port with one token."""

    phantom_sim: str
    curl: str


def listen_url(host: str, port: int) -> str:
    """The base URL devices use, for a server listening on `host`:`port`.

    A wildcard address is not something to connect to; the snippets use the loopback address
    instead, which works on this machine (devices elsewhere use this machine's address).
    """
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def snippets(token: str, port_id: str, base_url: str) -> Snippets:
    """phantom-sim command line and curl call that send one reading to `port_id`."""
    base_url = base_url.rstrip("/")
    sim = ["phantom-sim", "--url", base_url, "--token", token, "--port-id", port_id]
    body = json.dumps({"deviceToken": token, "portId": port_id, **_EXAMPLE})
    curl = [
        "curl",
        "-X",
        "POST",
        base_url + READING_PATH,
        "-H",
        "Content-Type: application/json",
        "-d",
        body,
    ]
    return Snippets(shlex.join(sim), shlex.join(curl))
