"""Plot scales: nice limits that do not twitch, time spans that grow in steps."""

import numpy as np
import pytest

from phantom_desktop.core.plot_scale import (
    LOG_FLOOR_W,
    nice_ceiling,
    power_limit,
    time_span,
    to_axis,
)


@pytest.mark.parametrize(
    ("value", "nice"),
    [
        (0.0, 1.0),
        (0.7, 1.0),
        (1.0, 1.0),
        (1.3, 2.0),
        (2.2, 2.5),
        (4.1, 5.0),
        (151, 200),
        (2600, 5000),
    ],
)
def test_nice_ceiling(value: float, nice: float) -> None:
    assert nice_ceiling(value) == pytest.approx(nice)


def test_the_power_limit_holds_until_the_data_outgrows_or_shrinks_far_below_it() -> None:
    top = power_limit(None, 150.0)
    assert top == 200.0
    assert power_limit(top, 120.0) == 200.0  # noise: no change, no full redraw
    assert power_limit(top, 199.0) == 200.0
    assert power_limit(top, 230.0) == 250.0
    assert power_limit(top, 30.0) == 50.0


def test_the_time_span_grows_in_steps_up_to_the_window() -> None:
    assert time_span(5.0, 600.0) == 60.0
    assert time_span(61.0, 600.0) == 120.0
    assert time_span(250.0, 600.0) == 300.0
    assert time_span(599.0, 600.0) == 600.0
    assert time_span(5000.0, 600.0) == 600.0


def test_log_axis_floors_off_ports() -> None:
    values = np.array([0.0, 1.0, 1000.0])
    assert list(to_axis(values, log=True)) == [np.log10(LOG_FLOOR_W), 0.0, 3.0]
    assert to_axis(values, log=False) is values
