"""Management commands (devices, tokens, ports) for the command line, as JSON-able data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from phantom_desktop.store import repository
from phantom_desktop.store.models import Device, Port


def device_dict(device: Device) -> dict:
    return {"id": device.id, "name": device.name, "createdAt": device.created_at.isoformat()}


def port_dict(port: Port) -> dict:
    return {
        "id": port.id,
        "name": port.name,
        "deviceId": port.device_id,
        "thresholdW": port.threshold_w,
        "minDurationS": port.min_duration_s,
        "autoCut": port.auto_cut,
        "status": port.status,
    }


def device_add(session: Session, user_id: str, name: str) -> dict:
    return device_dict(repository.create_device(session, user_id, name))


def device_list(session: Session, user_id: str) -> list[dict]:
    return [device_dict(d) for d in repository.list_devices(session, user_id)]


def token_create(session: Session, user_id: str, device_id: str) -> dict:
    token, row = repository.create_token(session, user_id, device_id)
    return {"token": token, "deviceId": row.device_id, "prefix": row.prefix}


def port_add(
    session: Session,
    user_id: str,
    name: str,
    device_id: str | None,
    threshold_w: float,
    min_duration_s: float,
    auto_cut: bool,
) -> dict:
    port = repository.create_port(
        session, user_id, name, device_id, threshold_w, min_duration_s, auto_cut
    )
    return port_dict(port)


def port_list(session: Session, user_id: str) -> list[dict]:
    return [port_dict(p) for p in repository.list_ports(session, user_id)]
