"""The ring buffer behind the live plot: recent windows are contiguous views, oldest first."""

from __future__ import annotations

import numpy as np
import pytest

from phantom_desktop.ui.monitor.ring_buffer import RingBuffer


def test_latest_values_in_order_across_wrap_around():
    buffer = RingBuffer(4)
    buffer.extend(np.arange(3.0), np.arange(3.0) * 10)
    buffer.extend(np.arange(3.0, 6.0), np.arange(3.0, 6.0) * 10)

    times, values = buffer.latest()

    assert list(times) == [2.0, 3.0, 4.0, 5.0]
    assert list(values) == [20.0, 30.0, 40.0, 50.0]
    assert len(buffer) == 4
    assert list(buffer.latest(2)[0]) == [4.0, 5.0]


def test_windows_are_views_not_copies():
    buffer = RingBuffer(8)
    for start in range(0, 30, 3):
        buffer.extend(np.arange(start, start + 3.0), np.zeros(3))
        times, _values = buffer.latest()
        assert times.base is not None  # a slice of the storage
        assert list(times) == list(np.arange(max(0, start + 3 - 8), start + 3.0))


def test_more_than_capacity_at_once_keeps_the_newest():
    buffer = RingBuffer(3)
    buffer.extend(np.arange(10.0), np.arange(10.0))
    assert list(buffer.latest()[1]) == [7.0, 8.0, 9.0]


def test_since_selects_a_trailing_time_window():
    buffer = RingBuffer(16)
    buffer.extend(np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0, 40.0]))
    times, values = buffer.since(2.5)
    assert list(times) == [3.0, 4.0]
    assert list(values) == [30.0, 40.0]


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        RingBuffer(4).extend(np.zeros(2), np.zeros(3))
