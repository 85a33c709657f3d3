"""The plug families by name, as settings and the command line spell them."""

from __future__ import annotations

from phantom_desktop.ingest.mqtt.family import Family
from phantom_desktop.ingest.mqtt.shelly import Shelly
from phantom_desktop.ingest.mqtt.tasmota import Tasmota
from phantom_desktop.ingest.mqtt.z2m import Zigbee2Mqtt

FAMILIES: dict[str, Family] = {f.kind: f for f in (Tasmota(), Shelly(), Zigbee2Mqtt())}
KINDS = tuple(FAMILIES)
