"""`phantom-sim mqtt`: emulate a smart plug on an MQTT broker until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from urllib.parse import urlsplit

from simulator.mqtt_plug.payloads import KINDS
from simulator.mqtt_plug.plug import EmulatedPlug, PlugSpec
from simulator.profiles import DEFAULT_SPEED, PROFILES

TOPIC_HINTS = {
    "tasmota": "the plug's %%topic%% (e.g. tasmota_A1B2C3)",
    "shelly": "the device's MQTT prefix (e.g. shellyplusplugs-a8032ab12345)",
    "z2m": "zigbee2mqtt/<friendly name> (a bare name gets the zigbee2mqtt/ base)",
}


def build_parser(prog: str = "phantom-sim mqtt") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Behave as a metered smart plug on an MQTT broker: publish an appliance's "
        "power, obey on/off commands (0 W while the relay is open), announce itself for "
        "discovery and leave a last will.",
    )
    parser.add_argument("--kind", required=True, choices=KINDS, help="plug family")
    parser.add_argument(
        "--topic", required=True, help="; ".join(f"{k}: {h}" for k, h in TOPIC_HINTS.items())
    )
    parser.add_argument(
        "--profile",
        dest="profiles",
        action="append",
        choices=list(PROFILES),
        help="appliance on each channel in turn; repeat for a multi-channel plug (default: tv)",
    )
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between readings (default 1)"
    )
    parser.add_argument(
        "--broker",
        default="mqtt://127.0.0.1:1883",
        help="mqtt://host[:port] (default: %(default)s)",
    )
    parser.add_argument("--name", default="", help="the name it announces (default: its topic)")
    parser.add_argument(
        "--speed",
        type=float,
        default=DEFAULT_SPEED,
        help="simulated seconds per real second (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, help="repeat the same appliance run after run")
    parser.add_argument(
        "--ignore-commands",
        action="store_true",
        help="never switch (to see how the app shows a cut that is not confirmed)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.interval <= 0 or args.speed <= 0:
        parser.error("--interval and --speed must be greater than 0")
    broker = urlsplit(args.broker if "://" in args.broker else f"mqtt://{args.broker}")
    topic = args.topic
    if args.kind == "z2m" and "/" not in topic:
        topic = f"zigbee2mqtt/{topic}"
    spec = PlugSpec(
        args.kind,
        topic,
        args.profiles or ["tv"],
        args.interval,
        args.speed,
        seed=args.seed,
        name=args.name,
        obey=not args.ignore_commands,
    )
    plug = EmulatedPlug(spec, broker.hostname or "127.0.0.1", broker.port or 1883)
    try:
        plug.start()
    except (ConnectionError, OSError) as exc:
        print(f"phantom-sim mqtt: {exc}")
        return 1
    print(
        f"Emulating a {args.kind} plug {topic!r} ({', '.join(spec.profiles)}) on "
        f"{broker.hostname}:{broker.port or 1883}, a reading every {args.interval:g} s; "
        "Ctrl-C stops",
        flush=True,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    seen = 0
    while not stop.wait(0.5):
        for channel, on in plug.commands[seen:]:
            print(
                f"relay {channel} {'closed (on)' if on else 'opened (off)'} by command", flush=True
            )
        seen = len(plug.commands)
    plug.stop()
    return 0
