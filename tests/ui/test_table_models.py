"""The table models alone: status rules, targeted updates, alert ordering and unread count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from phantom_desktop.ingest.messages import (
    CommittedBatch,
    PhantomAlert,
    PortStatusChange,
    StoredReading,
)
from phantom_desktop.store.window_queries import AlertInfo, WindowPort
from phantom_desktop.ui.alerts.alerts_model import AlertsModel
from phantom_desktop.ui.ports.port_model import PortColumn as Column
from phantom_desktop.ui.ports.port_model import PortModel

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def reading(port_id: str, power: float, phantom=False, status="active", seconds=0, id_=1):
    ts = NOW + timedelta(seconds=seconds)
    return StoredReading(id_, port_id, ts, 230.0, power / 230.0, power, phantom, status)


def alert(port_id: str, cut: bool, notification_id: int = 1) -> PhantomAlert:
    return PhantomAlert(1, notification_id, "u", port_id, "TV", NOW, 1.5, 5.0, cut, "standby")


def port(port_id: str, name: str, device: str | None, threshold_w: float, status="active"):
    return WindowPort(port_id, name, device and f"d-{port_id}", device, threshold_w, status=status)


@pytest.fixture
def model(qtbot) -> PortModel:
    model = PortModel()
    model.set_rows([port("a", "Alpha", "Plug A", 5.0), port("b", "Beta", None, 3.0)])
    return model


def port_ids(model: PortModel) -> list[str]:
    return [row.id for row in model.rows()]


def shown(model: PortModel, port_id: str, column: Column) -> str:
    row = port_ids(model).index(port_id)
    return model.index(row, column).data()


def test_only_changed_rows_are_announced(model):
    changes = []
    model.dataChanged.connect(lambda first, last: changes.append((first.row(), last.row())))

    unknown = model.apply_batch(CommittedBatch(readings=[reading("b", 42.0)]))

    assert unknown == set()
    assert changes == [(1, 1)]
    assert shown(model, "b", Column.POWER) == "42.0 W"
    assert shown(model, "a", Column.POWER) == "—"


def test_live_watts_repaint_at_most_once_a_second_but_a_status_change_at_once(model, qtbot):
    changes = []
    model.dataChanged.connect(lambda first, last: changes.append((first.row(), last.row())))

    model.apply_batch(CommittedBatch(readings=[reading("a", 40.0)]))
    model.apply_batch(CommittedBatch(readings=[reading("a", 41.0, seconds=1)]))
    model.apply_batch(CommittedBatch(readings=[reading("b", 42.0, seconds=1)]))
    assert changes == [(0, 0)]  # the first at once, the next two wait for the repaint
    assert shown(model, "a", Column.POWER) == "41.0 W"  # though the model already holds them

    qtbot.waitUntil(lambda: len(changes) == 2, timeout=3000)
    assert changes[1] == (0, 1)  # both waiting rows in one announcement

    model.apply_batch(CommittedBatch(readings=[reading("b", 0.0, status="off", seconds=2)]))
    assert changes[2:] == [(1, 1)]  # a port turned off shows at once
    assert shown(model, "b", Column.STATUS) == "Off"


def test_phantom_until_a_reading_says_otherwise(model):
    model.apply_batch(
        CommittedBatch(readings=[reading("a", 1.5, phantom=True)], alerts=[alert("a", cut=False)])
    )
    assert shown(model, "a", Column.STATUS) == "Phantom"

    model.apply_batch(CommittedBatch(readings=[reading("a", 1.4, phantom=True, seconds=1)]))
    assert shown(model, "a", Column.STATUS) == "Phantom"

    model.apply_batch(CommittedBatch(readings=[reading("a", 80.0, seconds=2)]))
    assert shown(model, "a", Column.STATUS) == "Active"


def test_cut_and_turned_back_on(model):
    model.apply_batch(
        CommittedBatch(
            readings=[reading("a", 1.5, phantom=True, status="off")],
            alerts=[alert("a", cut=True)],
            status_changes=[PortStatusChange("a", "off", "auto_cut")],
        )
    )
    assert shown(model, "a", Column.STATUS) == "Off"

    model.apply_batch(CommittedBatch(status_changes=[PortStatusChange("a", "active", "manual")]))
    assert shown(model, "a", Column.STATUS) == "Active"


def test_unknown_ports_are_reported_not_added(model):
    unknown = model.apply_batch(CommittedBatch(readings=[reading("new", 9.0)]))
    assert unknown == {"new"}
    assert model.rowCount() == 2


def test_an_older_buffered_reading_does_not_replace_the_latest(model):
    model.apply_batch(CommittedBatch(readings=[reading("a", 50.0, seconds=10)]))
    model.apply_batch(CommittedBatch(readings=[reading("a", 20.0, seconds=5)]))
    assert shown(model, "a", Column.POWER) == "50.0 W"


def test_numbers_are_right_aligned_with_units(model):
    model.apply_batch(CommittedBatch(readings=[reading("a", 1234.5)]))
    assert shown(model, "a", Column.POWER) == "1,234.5 W"
    assert shown(model, "a", Column.VOLTAGE) == "230.0 V"
    assert shown(model, "a", Column.CURRENT) == "5.367 A"
    assert shown(model, "a", Column.THRESHOLD) == "5 W"
    alignment = model.index(0, Column.POWER).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight


def test_reload_keeps_live_values_and_drops_gone_ports(model):
    model.apply_batch(CommittedBatch(readings=[reading("a", 60.0)]))
    model.set_rows([port("a", "Alpha TV", "Plug A", 4.0), port("c", "Gamma", None, 1.0, "off")])
    assert port_ids(model) == ["a", "c"]
    assert shown(model, "a", Column.NAME) == "Alpha TV"
    assert shown(model, "a", Column.POWER) == "60.0 W"
    assert shown(model, "c", Column.STATUS) == "Off"


def info(notification_id: int, read: bool = False, minutes: int = 0) -> AlertInfo:
    time = NOW + timedelta(minutes=minutes)
    return AlertInfo(notification_id, "a", "TV", time, f"alert {notification_id}", read)


def ids(alerts: AlertsModel) -> list[int]:
    return [alerts.alert_at(row).notification_id for row in range(alerts.rowCount())]


def test_alerts_newest_first_without_duplicates(qtbot):
    alerts = AlertsModel()
    counts: list[int] = []
    alerts.unread_count_changed.connect(counts.append)

    alerts.add([info(1, read=True), info(2)])
    alerts.add([info(2), info(3)])

    assert ids(alerts) == [3, 2, 1]
    assert alerts.unread_count == 2
    assert counts == [1, 2]

    alerts.mark_read(2)
    assert alerts.unread_count == 1
    alerts.mark_read(3)
    assert counts == [1, 2, 1, 0]


def test_alerts_are_ordered_by_time_even_when_replayed(qtbot):
    alerts = AlertsModel()
    alerts.add([info(1, minutes=10), info(2, minutes=20)])

    alerts.add([info(3, minutes=15), info(4, minutes=30)])  # 3: from readings a device buffered

    assert ids(alerts) == [4, 2, 3, 1]
    assert alerts.newest_id() == 4


def test_alerts_of_a_deleted_port_do_not_come_back(qtbot):
    alerts = AlertsModel()
    alerts.add([info(1)])

    alerts.remove_port("a")
    alerts.add([info(1), info(2)])  # the live feed replays a batch drained after the delete

    assert alerts.rowCount() == 0
    assert alerts.unread_count == 0
