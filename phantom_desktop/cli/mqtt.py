"""`mqtt broker`: show or set the MQTT broker that the smart plugs publish to.

The URL, user name and client id go into the settings file's `mqtt`; the password into its own
file beside it, readable by this user only. A running window or `serve` reads them when it
next starts (the window's Settings dialog applies its own changes at once).
"""

from __future__ import annotations

import argparse
import sys
import uuid

from phantom_desktop.cli.support import CommandContext, action, group
from phantom_desktop.config import (
    file_settings,
    read_mqtt_password,
    update_settings_file,
    write_mqtt_password,
)
from phantom_desktop.ingest.mqtt.config import MqttConfigError, check_broker_url
from phantom_desktop.store.repository import InvalidInput

APPLIES_LATER = "Saved in {file}. A window or `serve` that is running reads it when it next starts."


def broker_dict(mqtt: dict[str, object] | None, password_set: bool) -> dict[str, object]:
    mqtt = mqtt or {}
    return {
        "url": mqtt.get("url"),
        "username": mqtt.get("username") or None,
        "clientId": mqtt.get("client_id"),
        "passwordSet": password_set,
    }


def mqtt_broker(ctx: CommandContext) -> dict[str, object]:
    a = ctx.args
    current = dict(file_settings(ctx.paths).mqtt or {})
    if a.url is None and a.username is None and not a.password_stdin:
        return broker_dict(current, bool(read_mqtt_password(ctx.paths)))
    if a.url is None and not current.get("url"):
        raise InvalidInput("no broker yet: give its URL, e.g. `mqtt broker mqtt://127.0.0.1:1883`")
    try:
        url = check_broker_url(a.url if a.url is not None else current["url"])
    except MqttConfigError as exc:
        raise InvalidInput(str(exc).replace("mqtt.url", "URL")) from None
    mqtt = {**current, "url": url}
    mqtt.setdefault("client_id", f"phantom-desktop-{uuid.uuid4().hex[:12]}")
    if a.username is not None:
        mqtt["username"] = a.username
    if a.password_stdin:
        write_mqtt_password(ctx.paths, sys.stdin.readline().rstrip("\r\n"))
    update_settings_file(ctx.paths, mqtt=mqtt)
    if not a.json:
        print(APPLIES_LATER.format(file=ctx.paths.settings_file), file=sys.stderr)
    return broker_dict(mqtt, bool(read_mqtt_password(ctx.paths)))


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `mqtt` command group to the CLI."""
    mqtt = group(sub, "mqtt", "the MQTT broker of the smart plugs")
    broker = action(mqtt, "broker", common, "show or set the MQTT broker", mqtt_broker)
    broker.add_argument("url", nargs="?", help="mqtt://host[:port], or mqtts:// for TLS")
    broker.add_argument("--username", metavar="U", help="user name on the broker ('' for none)")
    broker.add_argument(
        "--password-stdin", action="store_true", help="read the broker password from stdin"
    )
    broker.set_defaults(acts_as_user=False)
