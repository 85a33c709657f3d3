"""One display timer per page: it runs only while the page shows, slower callbacks throttled."""

from PySide6.QtWidgets import QTabWidget, QWidget

from phantom_desktop.ui.monitor.display_clock import DisplayClock
from phantom_desktop.ui.monitor.frame_pacer import FramePacer


def test_the_clock_stops_while_its_tab_is_hidden_and_catches_up_when_shown(qtbot) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    monitor, other = QWidget(), QWidget()
    tabs.addTab(monitor, "Monitor")
    tabs.addTab(other, "Other")
    tabs.show()
    qtbot.waitExposed(tabs)
    clock = DisplayClock(monitor, FramePacer(min_interval_s=0.02))
    frames, slow = [], []
    clock.add(lambda: frames.append(1))
    clock.add(lambda: slow.append(1), every_s=10.0)
    clock.start()
    qtbot.waitUntil(lambda: len(frames) >= 3)
    assert len(slow) == 1  # throttled to once per 10 s

    tabs.setCurrentWidget(other)
    seen = len(frames)
    qtbot.wait(200)
    assert len(frames) == seen
    assert not clock.active

    tabs.setCurrentWidget(monitor)
    qtbot.waitUntil(lambda: len(frames) > seen)
    assert len(slow) == 2  # shown again: everything is brought up to date at once
    clock.stop()
    stopped = len(frames)
    qtbot.wait(100)
    assert len(frames) == stopped


def test_a_stopped_clock_does_not_start_when_its_page_shows(qtbot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    clock = DisplayClock(page)
    clock.add(lambda: None)
    page.show()
    qtbot.waitExposed(page)
    assert not clock.active
