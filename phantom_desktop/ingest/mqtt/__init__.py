"""Smart plugs over MQTT: Tasmota, Shelly Gen2+ and zigbee2mqtt, one client thread per broker.

`families` turns each plug family's topics and payloads into samples, relay states and
availability, and builds its switch commands; `source.MqttSource` feeds the writer and
acknowledges each message to the broker only after its readings are committed.
"""
