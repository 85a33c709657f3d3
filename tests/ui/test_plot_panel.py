"""The Monitor's plot with its port picker: natural order, hiding ports, remembered choices."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_the_legend_lists_ports_naturally_and_the_plot_draws_only_the_checked(
    qtbot, open_window, make_plug
):
    plugs = {name: make_plug(name) for name in ("w-10", "w-2", "w-1")}
    window = open_window()
    picker, plot = window.plot_panel.picker, window.plot

    assert picker.names() == ["w-1", "w-2", "w-10"]
    assert plot.shown() == [plugs[n].port_id for n in ("w-1", "w-2", "w-10")]
    picker.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert plot.shown() == [plugs[n].port_id for n in ("w-1", "w-10")]


def test_hidden_ports_and_the_log_scale_are_remembered(qtbot, open_window, make_plug):
    kept, hidden = make_plug("Fridge"), make_plug("TV")
    window = open_window()
    window.plot_panel.picker.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    window.plot_panel.log_box.setChecked(True)
    window.close()

    again = open_window()
    assert again.plot.shown() == [kept.port_id]
    assert again.plot.log
    assert again.plot_panel.picker.hidden() == {hidden.port_id}


def test_the_plot_area_keeps_its_size_with_fifty_ports(qtbot, open_window, make_plug):
    make_plug("w-0")
    window = open_window()
    box = window.plot.getPlotItem().getViewBox()
    size = (box.width(), box.height())
    for index in range(1, 50):
        make_plug(f"w-{index}")
    window.workspace.ports_tab.reload()
    qtbot.waitUntil(lambda: len(window.plot_panel.picker.names()) == 50)
    qtbot.wait(50)
    assert box.height() == size[1]  # the old legend, inside the plot, took half of it
    assert box.width() >= size[0] - 1  # (the axes may take a few pixels less)
