"""Find plugs: a Tasmota, a Shelly and a zigbee2mqtt plug emulated on the broker are heard and
listed with their channels, ready to be assigned to ports."""

from __future__ import annotations

import uuid

import pytest

from phantom_desktop.ingest.mqtt.config import BrokerConfig
from phantom_desktop.ingest.mqtt.discovery import DiscoveryError, discover
from phantom_desktop.ingest.mqtt.events import FoundPlug

pytestmark = pytest.mark.mqtt


def test_plugs_of_every_family_are_found(prefix, broker_url, plug):
    plug("tasmota", f"{prefix}_strip", profiles=["tv", "lamp"], name="Power strip")
    plug("shelly", f"{prefix}-shellyplusplugs-desk", profiles=["charger"])
    plug("z2m", f"{prefix}/fridge plug", profiles=["fridge"])

    found = discover(BrokerConfig(broker_url, f"test-{uuid.uuid4().hex[:8]}"), seconds=1.5)
    mine = {(p.kind, p.topic): p for p in found if prefix in p.topic}

    assert mine[("tasmota", f"{prefix}_strip")] == FoundPlug(
        "tasmota", f"{prefix}_strip", "Power strip", (1, 2), "Phantom emulated plug", True
    )
    shelly = mine[("shelly", f"{prefix}-shellyplusplugs-desk")]
    assert shelly.channels == (0,) and shelly.online is True and shelly.model
    assert shelly.name == f"{prefix}-shellyplusplugs-desk"  # announced without a name
    z2m = mine[("z2m", f"{prefix}/fridge plug")]
    assert z2m.name == "fridge plug" and z2m.channels == (1,)
    assert len(mine) == 3


def test_an_unreachable_broker_is_a_clear_error():
    broker = BrokerConfig("mqtt://127.0.0.1:9", "test-unreachable")
    with pytest.raises(DiscoveryError, match=r"cannot reach the broker at 127\.0\.0\.1:9"):
        discover(broker, seconds=0.5)
