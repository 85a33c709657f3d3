"""`phantom-sim`: simulate metered appliances that send readings to Phantom Desktop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from simulator.device import DeviceSpec
from simulator.devices_file import DevicesFileError, load_devices_file
from simulator.http_client import DEFAULT_INTERVAL_S, DEFAULT_URL, reading_endpoint, run_devices
from simulator.profiles import DEFAULT_SPEED, PROFILES
from simulator.summary import Summary

TOKEN_ENV = "PHANTOM_TOKEN"

EXAMPLES = """\
profiles:
{profiles}

examples:
  phantom-sim --token T --port-id P                    a TV, until Ctrl-C
  phantom-sim --token T --port-id P1 --port-id P2 --profile tv --profile fridge
  phantom-sim --token T --port-id P --profile charger --count 10 --interval 0.5
  phantom-sim --devices-file devices.json --quiet      many devices, one process
  phantom-sim --url http://192.168.1.20:3000 --mains 120 --token T --port-id P
  phantom-sim serial --protocol pzem --address 1   a serial meter on a virtual port
                                                   (see phantom-sim serial --help)
  phantom-sim mqtt --kind tasmota --topic tv-plug   a smart plug on an MQTT broker
                                                   (see phantom-sim mqtt --help)

A devices file is a JSON list: [{{"token": "...", "portId": "...", "profile": "fridge"}}, ...]
("profile" defaults to "tv"; an optional "label" names the device in the output).
Exit status: 0 when done or stopped with Ctrl-C, 1 when every port stopped on an error the
simulator cannot fix (token refused, port unknown or another user's), 2 for bad arguments.
"""


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type for numbers greater than 0."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The command line of `phantom-sim`."""
    profiles = "\n".join(f"  {p.name:<10} {p.description}" for p in PROFILES.values())
    parser = argparse.ArgumentParser(
        prog="phantom-sim",
        description=(
            "Simulate appliances on metered smart plugs. Each port sends a reading (voltage,\n"
            "current, power) to Phantom Desktop at every interval, and opens its relay while\n"
            "the app keeps the port off."
        ),
        epilog=EXAMPLES.format(profiles=profiles),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_argument_group("where and as whom")
    target.add_argument(
        "--url",
        default=DEFAULT_URL,
        help="the app's address, with or without /api/sensor/reading (default: %(default)s)",
    )
    target.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV),
        help=f"device token from Phantom Desktop (default: ${TOKEN_ENV}); used by every --port-id",
    )
    target.add_argument(
        "--port-id",
        dest="port_ids",
        action="append",
        default=[],
        metavar="P",
        help="a port to feed; repeat for several ports",
    )
    target.add_argument(
        "--profile",
        dest="profiles",
        action="append",
        default=[],
        choices=list(PROFILES),
        metavar="NAME",
        help="appliance on the port (see profiles below): once for every port, or once per"
        " --port-id (default: tv)",
    )
    target.add_argument(
        "--devices-file",
        type=Path,
        metavar="F",
        help='JSON list of {"token", "portId", "profile"}: many devices in one process',
    )
    timing = parser.add_argument_group("timing and appliances")
    timing.add_argument(
        "--interval",
        type=_positive(float),
        default=DEFAULT_INTERVAL_S,
        metavar="S",
        help="seconds between two readings of a port (default: %(default)s)",
    )
    timing.add_argument(
        "--count",
        type=_positive(int),
        metavar="N",
        help="send N readings per port, then exit (default: until Ctrl-C)",
    )
    timing.add_argument(
        "--speed",
        type=_positive(float),
        default=DEFAULT_SPEED,
        metavar="X",
        help="simulated seconds per real second for the appliances' habits; 1 is real time"
        " (default: %(default)s, so a TV goes to standby within ~15 s)",
    )
    timing.add_argument(
        "--seed", type=int, help="make the appliances repeat exactly from one run to the next"
    )
    timing.add_argument(
        "--mains",
        type=_positive(float),
        default=230.0,
        metavar="V",
        help="nominal mains voltage, e.g. 120 (default: %(default)s)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no line per reading; notices and errors only"
    )
    return parser


def devices_from_args(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> list[DeviceSpec]:
    """The devices asked for on the command line; exits with a usage error if they do not fit."""
    ports, profiles = args.port_ids, args.profiles
    if ports and not args.token:
        parser.error(f"--port-id needs --token (or ${TOKEN_ENV})")
    if profiles and not ports:
        parser.error("--profile goes with --port-id (a devices file names its own profiles)")
    if len(profiles) > 1 and len(profiles) != len(ports):
        parser.error(f"{len(profiles)} --profile for {len(ports)} --port-id: give one, or one each")
    if len(profiles) <= 1:
        profiles = [profiles[0] if profiles else "tv"] * len(ports)
    try:
        specs = [DeviceSpec(args.token, p, f) for p, f in zip(ports, profiles, strict=True)]
        if args.devices_file is not None:
            specs += load_devices_file(args.devices_file)
    except (ValueError, DevicesFileError) as exc:
        parser.error(str(exc))
    if not specs:
        parser.error("nothing to simulate: give --token and --port-id, or --devices-file")
    seen: set[str] = set()
    for spec in specs:
        if spec.port_id in seen:
            parser.error(f"port {spec.port_id} is given twice: one device feeds one port")
        seen.add(spec.port_id)
    return specs


async def _run_until_signal(args: argparse.Namespace, specs: list[DeviceSpec]) -> Summary:
    """Run the devices; SIGINT and SIGTERM stop them cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows: there Ctrl-C arrives as KeyboardInterrupt, handled in main.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return await run_devices(
        args.url,
        specs,
        args.interval,
        args.count,
        seed=args.seed,
        mains_v=args.mains,
        speed=args.speed,
        quiet=args.quiet,
        stop=stop,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `phantom-sim` and `python -m simulator`; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # emoji on a console that cannot show them
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["mqtt"]:
        from simulator.mqtt_plug import main as mqtt_main

        return mqtt_main(argv[1:])
    if argv[:1] == ["serial"]:
        from simulator.serial_meter import main as serial_main

        return serial_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        endpoint = reading_endpoint(args.url)
    except ValueError as exc:
        parser.error(f"--url: {exc}")
    specs = devices_from_args(parser, args)
    if not args.quiet:
        until = f"{args.count} readings each" if args.count else "until Ctrl-C"
        print(
            f"Simulating {len(specs)} port(s) → {endpoint}, every {args.interval:g} s, {until}",
            flush=True,
        )
    try:
        summary = asyncio.run(_run_until_signal(args, specs))
    except KeyboardInterrupt:
        return 0
    return 1 if summary.all_stopped else 0
