"""Tariff, time zone and retention in the settings file: read, checked, and refused when wrong."""

from __future__ import annotations

import json

import pytest

from phantom_desktop.config import AppPaths, ConfigError, load_settings, update_settings_file


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    return AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")


def test_a_tariff_with_time_of_use_is_read_from_the_file(paths):
    update_settings_file(paths, price_per_kwh=0.32, currency="CHF",
                         tariff_periods="Mon-Fri 22-6 0.18", timezone="Europe/Zurich",
                         retention_days=90)  # fmt: skip
    settings = load_settings(paths)
    tariff = settings.tariff()
    assert (tariff.price_per_kwh, tariff.currency, len(tariff.periods)) == (0.32, "CHF", 1)
    assert str(settings.zone()) == "Europe/Zurich"
    assert settings.retention_days == 90


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"tariff_periods": "weekdays 22-6 0.18"}, "not a day"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"retention_days": -1}, "retention_days"),
        ({"price_per_kwh": "cheap"}, "price_per_kwh"),
        ({"currency": " "}, "currency"),
    ],
)
def test_wrong_energy_settings_are_refused_and_nothing_is_written(paths, changes, says):
    with pytest.raises(ConfigError, match=says):
        update_settings_file(paths, **changes)
    assert not paths.settings_file.exists() or json.loads(paths.settings_file.read_text()) == {}
