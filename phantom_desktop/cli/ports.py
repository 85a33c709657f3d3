"""`port` commands: add, list, edit, delete, on, off, suggest."""

from __future__ import annotations

import argparse

from phantom_desktop.cli.support import CommandContext, action, confirm, group, iso
from phantom_desktop.core.enums import PortStatus
from phantom_desktop.core.rhythm import RhythmOverride
from phantom_desktop.store import port_rhythm, repository, summaries
from phantom_desktop.store.models import Port


def port_dict(port: Port) -> dict:
    return {
        "id": port.id,
        "name": port.name,
        "deviceId": port.device_id,
        "thresholdW": port.threshold_w,
        "minDurationS": port.min_duration_s,
        "autoCut": port.auto_cut,
        "status": port.status,
        "rhythmOverride": port.rhythm_override,
        "rhythmSeen": port.rhythm_seen,
        "rhythmSince": iso(port.rhythm_since),
    }


def port_summary_dict(row: summaries.PortSummary) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "deviceId": row.device_id,
        "deviceName": row.device_name,
        "thresholdW": row.threshold_w,
        "minDurationS": row.min_duration_s,
        "autoCut": row.auto_cut,
        "status": row.status,
        "latestPowerW": row.latest_power_w,
        "lastReadingAt": iso(row.last_reading_at),
        "rhythmOverride": row.rhythm_override,
        "rhythmSeen": row.rhythm_seen,
        "rhythmSince": iso(row.rhythm_since),
    }


def port_add(ctx: CommandContext) -> dict:
    a = ctx.args
    port = repository.create_port(
        ctx.session, ctx.user, a.name, a.device_id, a.threshold, a.min_duration, a.auto_cut
    )
    return port_dict(port)


def port_list(ctx: CommandContext) -> list[dict]:
    return [port_summary_dict(p) for p in summaries.port_summaries(ctx.session, ctx.user)]


def port_edit(ctx: CommandContext) -> dict:
    """Change the options given; the others keep their values."""
    a = ctx.args
    port = repository.get_port(ctx.session, ctx.user, a.port_id)
    device_id = port.device_id
    if a.no_device:
        device_id = None
    elif a.device_id is not None:
        device_id = a.device_id
    port = repository.update_port(
        ctx.session,
        ctx.user,
        port.id,
        port.name if a.name is None else a.name,
        device_id,
        port.threshold_w if a.threshold is None else a.threshold,
        port.min_duration_s if a.min_duration is None else a.min_duration,
        port.auto_cut if a.auto_cut is None else a.auto_cut,
    )
    if a.rhythm is not None:
        port = port_rhythm.set_rhythm_override(ctx.session, ctx.user, port.id, a.rhythm)
    return port_dict(port)


def port_delete(ctx: CommandContext) -> dict:
    a = ctx.args
    impact = repository.port_delete_impact(ctx.session, ctx.user, a.port_id)
    confirm(impact.describe(), a.yes)
    repository.delete_port(ctx.session, ctx.user, a.port_id)
    return {
        "id": impact.port_id,
        "name": impact.port_name,
        "deleted": True,
        "readingsDeleted": impact.readings,
        "eventsDeleted": impact.events,
        "alertsDeleted": impact.alerts,
    }


def port_on(ctx: CommandContext) -> dict:
    return port_dict(
        repository.set_port_status(ctx.session, ctx.user, ctx.args.port_id, PortStatus.ACTIVE)
    )


def port_off(ctx: CommandContext) -> dict:
    return port_dict(
        repository.set_port_status(ctx.session, ctx.user, ctx.args.port_id, PortStatus.OFF)
    )


def port_suggest(ctx: CommandContext) -> dict:
    a = ctx.args
    suggestion = summaries.suggest_port_threshold(ctx.session, ctx.user, a.port_id, a.hours)
    return {
        "portId": a.port_id,
        "suggestedThresholdW": suggestion.threshold_w,
        "standbyW": suggestion.standby_w,
        "activeW": suggestion.active_w,
        "readings": suggestion.samples,
        "explanation": suggestion.explanation,
    }


def _rules_options(parser: argparse.ArgumentParser, editing: bool) -> None:
    parser.add_argument(
        "--threshold",
        type=float,
        required=not editing,
        default=None,
        metavar="W",
        help="standby threshold in watts: power between 0 and this is standby",
    )
    parser.add_argument(
        "--min-duration",
        type=float,
        default=None if editing else 30.0,
        metavar="S",
        help="seconds of standby before an alert (0 = first reading)"
        + ("" if editing else "; default 30"),
    )


def register(sub, common: argparse.ArgumentParser) -> None:
    """Add the `port` command group."""
    ports = group(sub, "port", "manage ports")
    add = action(ports, "add", common, "add a port", port_add)
    add.add_argument("name")
    add.add_argument("--device", dest="device_id", help="id of the device that feeds this port")
    _rules_options(add, editing=False)
    add.add_argument(
        "--no-auto-cut",
        dest="auto_cut",
        action="store_false",
        help="only report phantom power, never turn this port off",
    )
    action(ports, "list", common, "list ports with their latest power", port_list)

    edit = action(ports, "edit", common, "change a port; options not given are kept", port_edit)
    edit.add_argument("port_id", metavar="ID")
    edit.add_argument("--name", help="new name")
    device = edit.add_mutually_exclusive_group()
    device.add_argument("--device", dest="device_id", help="id of the device that feeds it")
    device.add_argument("--no-device", action="store_true", help="detach it from its device")
    _rules_options(edit, editing=True)
    edit.add_argument(
        "--auto-cut",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="turn the port off on phantom power (--no-auto-cut: only report it)",
    )
    edit.add_argument(
        "--rhythm",
        choices=list(RhythmOverride),
        help="its low phases: auto (recognise fridge cycles and programmes), rests (never"
        " standby, never cut), standby (plain threshold and min duration)",
    )

    delete = action(
        ports, "delete", common, "delete a port with its readings, events and alerts", port_delete
    )
    delete.add_argument("port_id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for name, help_text, handler in (
        ("on", "turn a port back on (the device learns it from its next response)", port_on),
        ("off", "turn a port off (the device opens its relay on its next response)", port_off),
    ):
        action(ports, name, common, help_text, handler).add_argument("port_id", metavar="ID")
    suggest = action(
        ports,
        "suggest",
        common,
        "suggest a threshold from the port's recent readings",
        port_suggest,
    )
    suggest.add_argument("port_id", metavar="ID")
    suggest.add_argument(
        "--hours", type=float, default=48.0, metavar="H", help="period to judge (default 48)"
    )
