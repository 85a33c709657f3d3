"""`phantom-sim serial`: emulate a serial meter on a virtual port until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading

from simulator.serial_meter.loads import KINDS
from simulator.serial_meter.meter import ALIASES, BAUDRATES, PROTOCOLS, start_meter


def build_parser(prog: str = "phantom-sim serial") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Create a virtual serial port (pty) and behave as a meter on it, so that "
        "Phantom Desktop can read it without hardware. Prints the port to open.",
    )
    parser.add_argument(
        "--protocol", required=True, choices=[*PROTOCOLS, *ALIASES], help="meter to emulate"
    )
    parser.add_argument(
        "--address",
        type=int,
        action="append",
        dest="addresses",
        help="Modbus address of a meter on the bus (repeat for several; default 1)",
    )
    parser.add_argument(
        "--channels", type=int, default=3, help="emonTx: number of CT channels (default 3)"
    )
    parser.add_argument(
        "--port-id",
        action="append",
        dest="port_ids",
        default=[],
        help="jsonl: a port id the lines carry (repeat for several)",
    )
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between lines or register updates"
    )
    parser.add_argument(
        "--load",
        action="append",
        dest="loads",
        choices=sorted(KINDS),
        help="appliance on each channel in turn (default: a mix)",
    )
    parser.add_argument(
        "--active", type=float, default=20.0, help="seconds an appliance is on before standby"
    )
    parser.add_argument("--link", help="also make this symlink to the port (a stable name)")
    parser.add_argument("--garbage-every", type=int, default=0, help="line noise every N lines")
    parser.add_argument("--corrupt-every", type=int, default=0, help="bad CRC every N replies")
    parser.add_argument("--current", action="store_true", help="emonTx: print I1.. currents")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the loads")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        handle = start_meter(
            args.protocol,
            addresses=args.addresses or (1,),
            channels=args.channels,
            port_ids=args.port_ids,
            interval_s=args.interval,
            loads=args.loads,
            active_s=args.active,
            link=args.link,
            garbage_every=args.garbage_every,
            corrupt_every=args.corrupt_every,
            with_current=args.current,
            seed=args.seed,
        )
    except (ValueError, OSError) as exc:
        print(f"phantom-sim serial: {exc}")
        return 2
    protocol = ALIASES.get(args.protocol, args.protocol)
    where = f"{handle.path} (also {args.link})" if args.link else handle.path
    print(
        f"{protocol} meter on {where} — open it at {BAUDRATES[protocol]} baud; Ctrl-C to stop",
        flush=True,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.close()
    return 0
