"""The plot's legend and port picker: natural order, hiding, filtering, the plot's size kept."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from phantom_desktop.ui.monitor.port_picker import PICKER_WIDTH, PortPicker


def ports(*names: str):
    return [(f"id-{name}", name, QColor("#1f77b4")) for name in names]


def test_ports_are_listed_in_natural_order(qtbot) -> None:
    picker = PortPicker()
    qtbot.addWidget(picker)
    order = picker.set_ports(ports("w-10", "w-2", "w-1", "Fridge"))
    assert picker.names() == ["Fridge", "w-1", "w-2", "w-10"]
    assert order == ["id-Fridge", "id-w-1", "id-w-2", "id-w-10"]


def test_unchecking_hides_a_port_and_the_choice_survives_a_reload(qtbot) -> None:
    picker = PortPicker()
    qtbot.addWidget(picker)
    picker.set_ports(ports("w-1", "w-2"))
    with qtbot.waitSignal(picker.hidden_changed) as signal:
        picker.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert signal.args == [{"id-w-2"}]
    picker.set_ports(ports("w-1", "w-2", "w-3"))
    states = [picker.list.item(row).checkState() for row in range(3)]
    assert states == [Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.Checked]
    picker.set_ports(ports("w-1", "w-3"))  # a deleted port is forgotten
    assert picker.hidden() == set()


def test_the_filter_narrows_the_list_and_none_hides_only_what_is_listed(qtbot) -> None:
    picker = PortPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.set_ports(ports(*[f"w-{i}" for i in range(1, 51)], "Fridge"))
    assert picker.filter.isVisible()
    assert picker.width() == PICKER_WIDTH
    picker.filter.setText("fri")
    with qtbot.waitSignal(picker.hidden_changed) as signal:
        picker.none_button.click()
    assert signal.args == [{"id-Fridge"}]
    picker.filter.setText("")
    with qtbot.waitSignal(picker.hidden_changed) as signal:
        picker.all_button.click()
    assert signal.args == [set()]


def test_a_few_ports_need_no_filter(qtbot) -> None:
    picker = PortPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.set_ports(ports("TV", "Lamp"))
    assert not picker.filter.isVisible()
