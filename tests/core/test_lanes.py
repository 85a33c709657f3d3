"""Episode and cut lanes of the History view from events and the loaded series."""

from __future__ import annotations

import numpy as np

from phantom_desktop.core.lanes import lanes_for


def test_a_cut_lasts_until_power_comes_back_and_an_open_episode_until_now():
    t = np.arange(0.0, 400.0, 60.0)  # 0, 60, ... 360
    max_w = np.array([50.0, 2.0, 0.0, 0.0, 0.0, 40.0, 0.0])  # back at 300, cut again at 360
    events = [(30.0, 100.0, True), (200.0, 250.0, False), (330.0, 340.0, True), (380.0, None, True)]
    episodes, cuts = lanes_for(events, t, max_w, now=500.0)
    assert episodes == [(30.0, 100.0), (200.0, 250.0), (330.0, 340.0), (380.0, 500.0)]
    assert cuts == [(100.0, 300.0), (340.0, 500.0)]  # the last cut never saw power again


def test_no_events_or_no_power_at_all():
    assert lanes_for([], np.empty(0), np.empty(0), now=10.0) == ([], [])
    assert lanes_for([(1.0, 2.0, True)], np.empty(0), np.empty(0), now=10.0) == (
        [(1.0, 2.0)],
        [(2.0, 10.0)],
    )
