"""How the Monitor words an MQTT broker's card: its state, its plugs and its counters."""

from __future__ import annotations

from phantom_desktop.ingest.mqtt.status import MqttStatus, PlugState
from phantom_desktop.ui.settings.find_plugs_dialog import KIND_NAMES
from phantom_desktop.ui.settings.serial_labels import plural


def where_text(status: MqttStatus) -> str:
    """How many plugs, of which kinds: "3 smart plugs · Shelly, Tasmota"."""
    if not status.plugs:
        return "No smart plug running"
    kinds = sorted({KIND_NAMES.get(plug.kind, plug.kind) for plug in status.plugs.values()})
    return " · ".join([plural(len(status.plugs), "smart plug"), *kinds])


def counters_text(status: MqttStatus, readings_per_s: float) -> str:
    """Readings per second and how many plugs are online, the line a user watches."""
    plugs = status.plugs.values()
    online = sum(1 for plug in plugs if plug.online)
    offline = sum(1 for plug in plugs if plug.online is False)
    text = f"{readings_per_s:.1f} readings/s · {online} of {len(plugs)} online"
    return f"{text} · {offline} offline" if offline else text


def counters_tooltip(status: MqttStatus) -> str:
    """Every plug and counter, for the curious."""
    counts = status.counts
    lines = [
        f"{plug.name} ({KIND_NAMES.get(plug.kind, plug.kind)} {plug.topic}): {_presence(plug)}"
        for plug in status.plugs.values()
    ]
    lines += [
        f"Stored readings: {counts.get('readings', 0):,}",
        f"Messages from the plugs: {counts.get('messages', 0):,}",
        f"Refused by the database: {counts.get('rejected', 0):,}",
        f"Resent after the database was busy or away: {counts.get('retried', 0):,}",
        f"Redelivered, already stored: {counts.get('duplicates', 0):,}",
        f"Ignored (retained or unmapped): {counts.get('ignored', 0):,}",
        f"Connections lost: {counts.get('reconnects', 0):,}",
        f"Switch commands sent: {counts.get('commands', 0):,}",
    ]
    return "\n".join(lines)


def _presence(plug: PlugState) -> str:
    if plug.online is None:
        return "not heard yet"
    return "online" if plug.online else "offline"
