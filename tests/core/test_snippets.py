"""The ready-to-paste phantom-sim and curl commands shown with a new token."""

from __future__ import annotations

import json
import shlex

import pytest

from phantom_desktop.core.snippets import listen_url, snippets
from simulator.cli import build_parser


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:3000"),
        ("0.0.0.0", "http://127.0.0.1:3000"),
        ("::", "http://[::1]:3000"),
        ("192.168.1.20", "http://192.168.1.20:3000"),
    ],
)
def test_listen_url(host, expected):
    assert listen_url(host, 3000) == expected


def test_snippets_parse_as_the_simulator_and_curl_expect():
    token, port_id = "pdt_abc-DEF_123", "0b6c6a3e-0000-4000-8000-000000000001"
    shown = snippets(token, port_id, "http://127.0.0.1:3000/")
    sim = shlex.split(shown.phantom_sim)
    args = build_parser().parse_args(sim[1:])
    assert (args.url, args.token, args.port_ids) == ("http://127.0.0.1:3000", token, [port_id])
    curl = shlex.split(shown.curl)
    assert curl[:4] == ["curl", "-X", "POST", "http://127.0.0.1:3000/api/sensor/reading"]
    body = json.loads(curl[curl.index("-d") + 1])
    assert body["deviceToken"] == token and body["portId"] == port_id
    assert {"voltage", "current", "power"} <= set(body)
