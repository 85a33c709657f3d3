"""One port model behind the Monitor's ports panel and the Ports tab: what one shows, the other
shows too, each with its own columns; on/off in flight disables both views' actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from phantom_desktop.ui.ports.port_dialog import PortDialog
from phantom_desktop.ui.ports.port_model import PortColumn
from tests.ui.manage_support import TIMEOUT_MS, click, select_row, type_into, wait_dialog


def cell(view: QTableView, port_id: str, column: PortColumn) -> str:
    """What a table shows for a port in a column (through its sorting proxy)."""
    proxy = view.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, PortColumn.ID).data() == port_id:
            return proxy.index(row, column).data()
    raise AssertionError(f"port {port_id} is not in {view.objectName()}")


def shown_headers(view: QTableView) -> list[str]:
    """The column titles a user sees, left to right."""
    header = view.horizontalHeader()
    model = view.model()
    columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    columns.sort(key=header.visualIndex)
    return [model.headerData(c, header.orientation()) for c in columns]


def test_both_views_show_one_model_with_their_own_columns(qtbot, open_window, make_plug):
    tv = make_plug("TV", threshold_w=5)
    tv.send(88.0)
    window = open_window()
    panel, tab = window.ports_panel.view, window.workspace.ports_tab.view

    assert panel.model().sourceModel() is tab.model().sourceModel() is window.ports_model
    assert shown_headers(panel) == [
        "Port", "Device", "Voltage", "Current", "Power", "Status", "Threshold", "Last reading",
    ]  # fmt: skip
    assert shown_headers(tab) == [
        "Port", "Device", "ID", "Threshold", "Always on", "Min. duration", "Auto-cut", "Status",
        "Power", "Detection",
    ]  # fmt: skip
    assert cell(panel, tv.port_id, PortColumn.POWER) == cell(tab, tv.port_id, PortColumn.POWER)
    assert cell(tab, tv.port_id, PortColumn.POWER) == "88.0 W"

    tv.send(42.5)  # a live reading reaches both through the one model

    qtbot.waitUntil(lambda: cell(panel, tv.port_id, PortColumn.POWER) == "42.5 W")
    assert cell(tab, tv.port_id, PortColumn.POWER) == "42.5 W"


def test_a_port_added_in_the_ports_tab_shows_on_the_monitor(qtbot, open_window):
    window = open_window()
    assert window.monitor_stack.currentWidget() is window.welcome
    tab = window.workspace.ports_tab
    window.workspace.setCurrentWidget(tab)

    click(qtbot, tab.add_button)
    dialog = wait_dialog(qtbot, tab, PortDialog)
    type_into(qtbot, dialog.name_edit, "Heater")
    click(qtbot, dialog.save_button)

    qtbot.waitUntil(lambda: window.ports_model.rowCount() == 1, timeout=TIMEOUT_MS)
    port_id = window.ports_model.rows()[0].id
    assert cell(window.ports_panel.view, port_id, PortColumn.NAME) == "Heater"
    assert cell(window.ports_panel.view, port_id, PortColumn.DEVICE) == "(no device)"
    assert window.monitor_stack.currentWidget() is window.plot_box
    assert window.plot.port_name(port_id) == "Heater"


def test_a_port_turned_off_in_the_tab_can_be_turned_on_from_the_monitor(
    qtbot, open_window, make_plug
):
    lamp = make_plug("Lamp", threshold_w=2)
    window = open_window()
    tab = window.workspace.ports_tab
    window.workspace.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=TIMEOUT_MS)
    select_row(qtbot, tab.view, lamp.port_id)

    click(qtbot, tab.power_button)
    assert not tab.power_button.isEnabled()  # in flight: one record, both views follow it
    assert window.port_control.is_pending(lamp.port_id)

    window.workspace.setCurrentWidget(window.workspace.monitor)
    panel = window.ports_panel
    qtbot.waitUntil(
        lambda: cell(panel.view, lamp.port_id, PortColumn.STATUS) == "Off", timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: not window.port_control.is_pending(lamp.port_id), timeout=TIMEOUT_MS)
    panel.select_port(lamp.port_id)
    assert panel.turn_on_button.isEnabled()

    click(qtbot, panel.turn_on_button)
    assert not panel.turn_on_button.isEnabled()
    assert not tab.power_button.isEnabled()

    qtbot.waitUntil(
        lambda: cell(tab.view, lamp.port_id, PortColumn.STATUS) == "Active", timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: tab.power_button.isEnabled() and tab.power_button.text() == "Turn off")
    assert not panel.turn_on_button.isEnabled()  # on again: nothing to turn on


def test_both_ports_tables_list_ports_in_natural_order(qtbot, open_window, make_plug):
    for name in ("w-10", "w-2", "W-1", "Fridge"):
        make_plug(name)
    window = open_window()
    natural = ["Fridge", "W-1", "w-2", "w-10"]
    for view in (window.workspace.ports_tab.view, window.ports_panel.view):
        proxy = view.model()
        qtbot.waitUntil(lambda proxy=proxy: proxy.rowCount() == 4)
        assert [proxy.index(row, 0).data() for row in range(4)] == natural
        view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        assert [proxy.index(row, 0).data() for row in range(4)] == natural[::-1]
