"""Min/max decimation: bounded output, the data's envelope kept, stable while scrolling."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from phantom_desktop.core.decimate import column_width, min_max


def envelope(x: np.ndarray, y: np.ndarray, width: float) -> dict[int, tuple[float, float]]:
    """The (min, max) of y in every column of `width`, computed the slow, obvious way."""
    columns: dict[int, list[float]] = {}
    for xi, yi in zip(x, y, strict=True):
        columns.setdefault(int(np.floor(xi / width)), []).append(float(yi))
    return {column: (min(v), max(v)) for column, v in columns.items()}


def test_a_million_points_become_two_per_column_with_the_same_envelope() -> None:
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(0.0, 600.0, 1_000_000))
    y = rng.normal(100.0, 20.0, len(x))
    width = column_width(600.0, 800)
    dx, dy = min_max(x, y, 0.0, 600.0, width)
    assert len(dx) <= 2 * 800 + 2
    assert dy.min() == y.min() and dy.max() == y.max()
    drawn = envelope(dx, dy, width)
    assert drawn == envelope(x, y, width)


def test_sparse_data_comes_back_unchanged() -> None:
    x = np.arange(0.0, 100.0, 1.0)
    y = np.sin(x)
    dx, dy = min_max(x, y, 0.0, 100.0, column_width(100.0, 800))
    assert np.array_equal(dx, x) and np.array_equal(dy, y)


def test_points_outside_the_window_are_dropped_but_one_leads_in() -> None:
    x = np.arange(0.0, 1000.0, 0.01)
    y = x.copy()
    width = column_width(100.0, 50)
    dx, dy = min_max(x, y, 500.0, 600.0, width)
    assert dx[0] < 500.0 <= dx[2]
    assert dx[-1] <= 600.0 + width  # the centre of the column that holds the end
    assert dy.max() == 600.0


def test_a_column_keeps_its_values_when_the_window_scrolls_by_a_fraction() -> None:
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0.0, 700.0, 200_000))
    y = rng.normal(0.0, 1.0, len(x))
    width = column_width(600.0, 600)
    a = envelope(*min_max(x, y, 10.0, 610.0, width), width)
    b = envelope(*min_max(x, y, 10.37, 610.37, width), width)
    inner = set(a) & set(b)
    assert len(inner) >= 590
    assert all(a[c] == b[c] for c in inner if 12 <= c <= 608)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 5000),
    columns=st.integers(1, 400),
    seed=st.integers(0, 2**32 - 1),
)
def test_output_is_bounded_and_covers_the_data(n: int, columns: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 100.0, n))
    y = rng.normal(0.0, 1.0, n)
    width = column_width(100.0, columns)
    dx, dy = min_max(x, y, 0.0, 100.0, width)
    assert len(dx) == len(dy) <= max(2 * columns + 2, 2)
    if n:
        assert dy.min() == y.min() and dy.max() == y.max()
        assert envelope(dx, dy, width) == envelope(x, y, width)


def test_neighbouring_columns_join_at_the_same_end() -> None:
    """Max to max and min to min: the pen does not cross the whole band twice per column."""
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0.0, 100.0, 50_000))
    y = rng.uniform(0.0, 1.0, len(x))
    width = column_width(100.0, 200)
    _dx, dy = min_max(x, y, 0.0, 100.0, width)
    pairs = dy.reshape(-1, 2)
    lows, highs = pairs.min(axis=1), pairs.max(axis=1)
    ends, starts = pairs[:-1, 1], pairs[1:, 0]
    at_max = (ends == highs[:-1]) & (starts == highs[1:])
    at_min = (ends == lows[:-1]) & (starts == lows[1:])
    assert len(pairs) == 200 and (at_max | at_min).all()
    assert np.abs(np.diff(dy)).sum() < 0.6 * 2 * (highs - lows).sum()
