"""The real path: readings posted over HTTP reach the window's plot, table and alerts."""

from __future__ import annotations

import pytest

from phantom_desktop.app import start_http
from phantom_desktop.ui.alerts.alerts_panel import alerts_title
from phantom_desktop.ui.ports.port_model import OFF
from tests.ui.manage_support import TIMEOUT_MS, post_reading


@pytest.fixture
def window(services, open_window):
    start_http(services, host="127.0.0.1", port=0)
    return open_window()


def test_posted_readings_are_plotted_and_a_phantom_alert_is_raised(
    qtbot, services, window, make_plug
):
    tv = make_plug("TV", threshold_w=5.0, min_duration_s=0.0)
    status, answer = post_reading(services.listen_url, tv.token, tv.port_id, power=103.7)
    assert (status, answer["data"]["portStatus"]) == (201, "active")
    status, answer = post_reading(services.listen_url, tv.token, tv.port_id, power=2.3)
    assert status == 201
    assert (answer["data"]["phantomDetected"], answer["data"]["portStatus"]) == (True, "off")

    qtbot.waitUntil(lambda: len(window.plot.series(tv.port_id)[1]) == 2, timeout=TIMEOUT_MS)
    assert list(window.plot.series(tv.port_id)[1]) == [103.7, 2.3]
    qtbot.waitUntil(lambda: window.alerts_model.rowCount() == 1, timeout=TIMEOUT_MS)
    alert = window.alerts_model.alert_at(0)
    assert (alert.port_id, alert.is_read) == (tv.port_id, False)
    assert "TV" in alert.message and "2.3 W" in alert.message
    assert window.alerts_panel.title.text() == alerts_title(1)
    qtbot.waitUntil(  # the port was added after the window opened: its row is loaded then
        lambda: getattr(window.ports_model.row(tv.port_id), "status", None) == OFF,
        timeout=TIMEOUT_MS,
    )
