"""Emulated MQTT smart plugs (Tasmota, Shelly Gen2+, zigbee2mqtt) for demos, tests and benches.

`EmulatedPlug(PlugSpec(...))` publishes an appliance's readings and obeys switch commands;
`main(argv)` is `phantom-sim mqtt`. Like the rest of the simulator, it never imports
`phantom_desktop`.
"""

from simulator.mqtt_plug.cli import main
from simulator.mqtt_plug.plug import EmulatedPlug, PlugSpec

__all__ = ["EmulatedPlug", "PlugSpec", "main"]
