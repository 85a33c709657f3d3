"""Helpers of the MQTT tests: waiting for a condition, reading what the database stored."""

from __future__ import annotations

import json
import uuid

import paho.mqtt.client as mqtt
from sqlalchemy import text

from phantom_desktop.app import Services


def stored(services: Services, port_id: str | None = None) -> list[tuple[str, float, str]]:
    """(port id, power, status of the port now) of every stored reading, oldest first."""
    query = "SELECT r.port_id, r.power, r.source FROM power_readings r"
    with services.engine.connect() as conn:
        rows = conn.execute(text(f"{query} ORDER BY r.id")).all()
    return [(p, w, s) for p, w, s in rows if port_id is None or p == port_id]


def port_status(services: Services, port_id: str) -> str:
    with services.engine.connect() as conn:
        return conn.execute(text("SELECT status FROM ports WHERE id = :p"), {"p": port_id}).scalar()


class Publisher:
    """A Tasmota plug that numbers its readings: reading i reports i W."""

    def __init__(
        self, url: str, topic: str, tls_ca: str = "", auth: tuple[str, str] | None = None
    ) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.topic = topic
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"pub-{uuid.uuid4().hex[:8]}",
            clean_session=False,
        )
        if tls_ca:
            self.client.tls_set(ca_certs=tls_ca)
        if auth:
            self.client.username_pw_set(*auth)
        self.client.max_inflight_messages_set(200)
        self.client.reconnect_delay_set(0.1, 0.5)
        self.client.connect(host, int(port))
        self.client.loop_start()

    def publish(self, numbers: range) -> None:
        infos = []
        for i in numbers:
            payload = json.dumps({"ENERGY": {"Power": float(i), "Voltage": 230, "Current": 0.1}})
            infos.append(self.client.publish(f"tele/{self.topic}/SENSOR", payload, qos=1))
        for info in infos:
            info.wait_for_publish(30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def plug_config(kind: str, topic: str, device_id: str, ports: list[str]) -> dict:
    """A plug's settings feeding these ports from its first channel."""
    first = 0 if kind == "shelly" else 1
    channels = {str(first + i): port for i, port in enumerate(ports)}
    return {
        "name": f"{kind} plug",
        "kind": kind,
        "topic": topic,
        "device_id": device_id,
        "channels": channels,
    }
