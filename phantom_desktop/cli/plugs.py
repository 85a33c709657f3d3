"""`plug` commands: add, list, remove and discover the smart plugs read over MQTT.

They edit `plugs` in the settings file; the window and `serve` run them when they next start.
"""

from __future__ import annotations

import argparse
import sys

from phantom_desktop.cli.support import CommandContext, action, group
from phantom_desktop.config import file_settings, read_mqtt_password, update_settings_file
from phantom_desktop.ingest.mqtt.config import (
    BrokerConfig,
    MqttConfigError,
    PlugConfig,
    parse_channel_map,
    plugs_from_settings,
)
from phantom_desktop.ingest.mqtt.discovery import DEFAULT_SECONDS, DiscoveryError, discover
from phantom_desktop.ingest.mqtt.families import KINDS
from phantom_desktop.store.repository import InvalidInput, NotFound
from phantom_desktop.store.serial_choices import check_owned

APPLIES_LATER = "Saved in {file}. A window or `serve` that is running reads it when it next starts."


def plug_dict(plug: PlugConfig) -> dict[str, object]:
    return {
        "name": plug.name,
        "kind": plug.kind,
        "topic": plug.topic,
        "deviceId": plug.device_id,
        "channels": {str(c): p for c, p in sorted(plug.channels.items())},
        "telePeriodS": plug.tele_period_s,
    }


def _entry_dict(entry: object) -> dict[str, object]:
    try:
        return plug_dict(PlugConfig.from_dict(entry))
    except MqttConfigError as exc:
        name = entry.get("name") if isinstance(entry, dict) else None
        return {"name": name, "error": str(exc)}


def _broker(ctx: CommandContext) -> BrokerConfig:
    mqtt = file_settings(ctx.paths).mqtt
    if not mqtt:
        raise InvalidInput("no MQTT broker yet: set it with `phantom-desktop mqtt broker URL`")
    try:
        return BrokerConfig.from_dict(mqtt, read_mqtt_password(ctx.paths))
    except MqttConfigError as exc:
        raise InvalidInput(str(exc)) from None


def plug_add(ctx: CommandContext) -> dict[str, object]:
    a = ctx.args
    try:
        channels = parse_channel_map(a.map, a.kind)
        plug = PlugConfig.from_dict(
            {
                "name": a.name,
                "kind": a.kind,
                "topic": a.topic,
                "device_id": a.device,
                "channels": {str(c): p for c, p in channels.items()},
                **({"tele_period_s": a.tele_period} if a.tele_period is not None else {}),
            }
        )
        plugs = [*file_settings(ctx.paths).plugs, plug.to_dict()]
        plugs_from_settings(plugs)
    except MqttConfigError as exc:
        raise InvalidInput(str(exc)) from None
    check_owned(ctx.session, ctx.user, plug.device_id, {str(c): p for c, p in channels.items()})
    update_settings_file(ctx.paths, plugs=plugs)
    if not a.json:
        print(APPLIES_LATER.format(file=ctx.paths.settings_file), file=sys.stderr)
    return plug_dict(plug)


def plug_list(ctx: CommandContext) -> list[dict[str, object]]:
    return [_entry_dict(entry) for entry in file_settings(ctx.paths).plugs]


def plug_remove(ctx: CommandContext) -> dict[str, object]:
    plugs = list(file_settings(ctx.paths).plugs)
    names = [p.get("name") if isinstance(p, dict) else None for p in plugs]
    if ctx.args.name not in names:
        raise NotFound(f"no plug named {ctx.args.name!r}: `phantom-desktop plug list` shows them")
    removed = plugs.pop(names.index(ctx.args.name))
    update_settings_file(ctx.paths, plugs=plugs)
    if not ctx.args.json:
        print(APPLIES_LATER.format(file=ctx.paths.settings_file), file=sys.stderr)
    return {**_entry_dict(removed), "removed": True}


def plug_discover(ctx: CommandContext) -> list[dict[str, object]]:
    seconds = ctx.args.seconds
    if not 0 < seconds <= 120:
        raise InvalidInput("--seconds must be from 0 to 120")
    broker = _broker(ctx)
    if not ctx.args.json:
        print(f"Listening on {broker.url} for {seconds:g} s…", file=sys.stderr)
    try:
        found = discover(broker, seconds)
    except DiscoveryError as exc:
        raise InvalidInput(str(exc)) from None
    configured = {(p.kind, p.topic) for p in plugs_from_settings(file_settings(ctx.paths).plugs)}
    return [
        {
            "kind": p.kind,
            "topic": p.topic,
            "name": p.name,
            "channels": list(p.channels),
            "model": p.model or None,
            "online": p.online,
            "added": (p.kind, p.topic) in configured,
        }
        for p in found
    ]


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `plug` command group to the CLI."""
    plug = group(sub, "plug", "manage smart plugs read over MQTT (Tasmota, Shelly, zigbee2mqtt)")
    add = action(plug, "add", common, "add a smart plug", plug_add)
    add.add_argument("name", help="a name for this plug, e.g. 'TV plug'")
    add.add_argument("--kind", required=True, choices=KINDS, help="plug family")
    add.add_argument(
        "--topic",
        required=True,
        help="Tasmota: its %%topic%%; Shelly: its MQTT prefix; z2m: zigbee2mqtt/<friendly name>",
    )
    add.add_argument("--device", required=True, metavar="DEVICE_ID", help="the plug's device")
    add.add_argument(
        "--map",
        action="append",
        default=[],
        required=True,
        metavar="CHANNEL=PORT_ID",
        help="the port a channel measures (Tasmota/z2m from 1, Shelly from 0); once per channel",
    )
    add.add_argument(
        "--tele-period",
        type=int,
        metavar="S",
        help="Tasmota: have the plug report every S seconds (10-3600; its default 300 s is too"
        " slow to catch standby); sent each time the app connects",
    )
    action(plug, "list", common, "list the configured plugs", plug_list).set_defaults(
        acts_as_user=False
    )
    remove = action(plug, "remove", common, "remove a plug", plug_remove)
    remove.add_argument("name")
    remove.set_defaults(acts_as_user=False)
    discover_cmd = action(
        plug, "discover", common, "list the plugs heard on the broker", plug_discover
    )
    discover_cmd.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, metavar="S", help="how long to listen"
    )
    discover_cmd.set_defaults(acts_as_user=False)
