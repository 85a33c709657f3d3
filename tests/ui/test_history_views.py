"""The History and Energy views on a database with a known trace, as a user would check them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QColor
from sqlalchemy import insert

from phantom_desktop.core.enums import EventAction
from phantom_desktop.core.tariff import Tariff
from phantom_desktop.store import repository
from phantom_desktop.store.history_queries import Resolution
from phantom_desktop.store.models import PhantomEvent
from phantom_desktop.store.rollups import insert_readings_with_rollups
from phantom_desktop.ui.energy.energy_model import EnergyColumn
from phantom_desktop.ui.energy.energy_tab import EnergyTab
from phantom_desktop.ui.history.export_job import ExportJob
from phantom_desktop.ui.history.history_loader import Loaded
from phantom_desktop.ui.history.history_tab import HistoryTab
from phantom_desktop.ui.tasks import DbWorker

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
T0 = NOW - timedelta(hours=4)  # 100 W for 1 h, 2 W for 30 min, cut for 2 h, 100 W since


@pytest.fixture
def home(services):
    with services.sessions.begin() as s:
        user = repository.ensure_local_user(s)
        tv = repository.create_port(s, user.id, "TV", None, 5.0, 0.0).id
        router = repository.create_port(s, user.id, "Router", None, 20.0, 0.0, False).id
        powers = [100.0] * 60 + [2.0] * 30 + [0.0] * 120 + [100.0] * 31
        rows = [
            {"port_id": port, "timestamp": T0 + timedelta(minutes=i), "voltage": 230.0,
             "current": p / 230.0, "power": p, "source": "http"}
            for port, trace in ((tv, powers), (router, [8.0] * 241))
            for i, p in enumerate(trace)
        ]  # fmt: skip
        insert_readings_with_rollups(s.connection(), rows)
        s.execute(
            insert(PhantomEvent).values(
                port_id=tv, started_at=T0 + timedelta(minutes=60),
                detected_at=T0 + timedelta(minutes=90), ended_at=T0 + timedelta(minutes=90),
                power_w=2.0, wasted_wh=1.0, action=EventAction.AUTO_CUT,
            )
        )  # fmt: skip
        return user.id, tv, router


@pytest.fixture
def worker(services):
    worker = DbWorker(services.sessions)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def tab(qtbot, worker, home):
    tab = HistoryTab(worker, home[0], lambda _p: QColor("#1f77b4"))
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    with qtbot.waitSignal(tab._loader.loaded, timeout=10000):
        tab.refresh_ports()  # opens on the last day
    return tab


def test_the_day_shows_both_ports_from_minute_rollups_with_episode_and_cut(tab, home):
    _user, tv, router = home
    assert tab.status.text().count("1-minute rollups") == 1
    series = tab.plot._series
    assert set(series) == {tv, router}
    assert series[router].mean.max() == pytest.approx(8.0)
    text = tab.plot.readout_at((T0 + timedelta(minutes=30)).timestamp(), 50)
    assert "TV: 100 W" in text and "Router: 8.00 W" in text
    bars = (tab.plot._episode_bars, tab.plot._cut_bars)
    assert [b.opts["x0"].size for b in bars] == [1, 1]  # the TV's lane: its episode and its cut


def test_zooming_in_switches_to_raw_readings_and_hiding_a_port_hides_its_curve(qtbot, tab, home):
    _user, tv, _router = home
    with qtbot.waitSignal(tab._loader.loaded, timeout=10000) as blocker:
        tab.plot.plot.setXRange(T0.timestamp(), (T0 + timedelta(minutes=20)).timestamp(),
                                padding=0)  # fmt: skip
    assert blocker.args[0].resolution is Resolution.RAW
    assert tab.plot.plot.viewRange()[1][1] > 100  # the power axis shows the TV's 100 W
    tab.port_list.item(0).setCheckState(tab.port_list.item(0).checkState().Unchecked)  # Router
    assert tab.plot.shown_ports() == [tv]
    tab.port_list.item(1).setCheckState(tab.port_list.item(1).checkState().Unchecked)  # TV
    tab.port_list.item(0).setCheckState(tab.port_list.item(0).checkState().Checked)
    assert 8 < tab.plot.plot.viewRange()[1][1] < 10  # fitted to the Router's 8 W alone
    tab.log_axis.setChecked(True)
    assert tab.plot.plot.getAxis("left").logMode


def test_the_port_list_is_in_natural_order(qtbot, services, tab, home):
    with services.sessions.begin() as s:
        for name in ("w-10", "w-2"):
            repository.create_port(s, home[0], name, None, 5.0, 0.0)
    with qtbot.waitSignal(tab._loader.loaded, timeout=10000):
        tab.refresh_ports()
    names = [tab.port_list.item(row).text() for row in range(tab.port_list.count())]
    assert names == ["Router", "TV", "w-2", "w-10"]


def test_only_the_newest_of_quick_loads_is_shown(qtbot, tab, home):
    shown: list[Loaded] = []
    tab._loader.loaded.connect(shown.append)
    now = time.time()
    for minutes in (600, 300, 60):
        tab._loader.load([home[1]], now - minutes * 60, now, Resolution.AUTO)
    qtbot.waitUntil(lambda: not tab._loader.busy, timeout=10000)
    assert [round(now - s.start) for s in shown] == [3600]


def test_export_runs_on_its_own_thread_and_cancel_leaves_no_file(qtbot, services, home, tmp_path):
    out = tmp_path / "tv.csv"
    engine = services.sessions.kw["bind"]
    job = ExportJob(engine, [(home[1], "TV")], T0.timestamp(), NOW.timestamp() + 60,
                    Resolution.RAW, out)  # fmt: skip
    with qtbot.waitSignal(job.finished_rows, timeout=10000) as blocker:
        job.start()
    job.wait()
    assert blocker.args == [241]
    assert out.read_text().count("\n") == 242
    cancelled = ExportJob(engine, [(home[1], "TV")], T0.timestamp(), NOW.timestamp(),
                          Resolution.RAW, tmp_path / "no.csv")  # fmt: skip
    cancelled.cancel()
    with qtbot.waitSignal(cancelled.cancelled, timeout=10000):
        cancelled.start()
    cancelled.wait()
    assert not list(tmp_path.glob("no.csv*"))


def test_energy_view_ranks_the_always_on_router_first_and_counts_the_cut(qtbot, worker, home):
    from zoneinfo import ZoneInfo

    tab = EnergyTab(worker, home[0], lambda: (Tariff(0.40, "EUR"), ZoneInfo("UTC")))
    qtbot.addWidget(tab)
    tab.range_choice.setCurrentText("Last 7 days")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=10000)
    first = tab.model.row(0)
    assert first.port_name == "Router"
    assert tab.model.display(first, EnergyColumn.ALWAYS_ON) == "8.0 W"
    assert tab.model.display(first, EnergyColumn.YEARLY) == "28.03 EUR"  # 8 W x 8760 h x 0.40
    tv = tab.model.row(1)
    assert tv.saved_wh == pytest.approx(4.0)
    assert "a year" in tab.headline.text() and "EUR" in tab.headline.text()
    assert "saved by cuts 0.004 kWh" in tab.summary.text()


def test_tariff_settings_say_what_is_wrong_and_only_changes_are_saved(qtbot):
    from phantom_desktop.config import Settings
    from phantom_desktop.ui.energy.tariff_box import TariffBox

    box = TariffBox(Settings())
    qtbot.addWidget(box)
    box.periods.setPlainText("Mon-Fri 22-6")
    assert "Time-of-use periods: line 1" in (box.error() or "")
    box.periods.setPlainText("Mon-Fri 22-6 0.18")
    box.retention.setValue(30)
    assert box.error() is None
    assert box.changes(Settings()) == {"tariff_periods": "Mon-Fri 22-6 0.18", "retention_days": 30}


def test_the_window_has_history_and_energy_tabs_that_load_when_shown(qtbot, open_window, home):
    window = open_window()
    views = window.history
    with qtbot.waitSignal(views.history_tab._loader.loaded, timeout=10000):
        window.workspace.setCurrentWidget(views.history_tab)
    assert set(views.history_tab.plot._series) == {home[1], home[2]}
    window.workspace.setCurrentWidget(views.energy_tab)
    qtbot.waitUntil(lambda: views.energy_tab.model.rowCount() == 2, timeout=10000)
    assert views.energy_tab.model.row(0).port_name == "Router"


def test_a_saved_tariff_reaches_the_alerts_and_the_energy_view(qtbot, open_window, services):
    window = open_window()
    dialog = window.serial.open_settings()
    dialog.tariff_box.price.setValue(0.5)
    dialog.tariff_box.currency.setText("CHF")
    dialog.tariff_box.retention.setValue(400)
    with qtbot.waitSignal(window.serial.energy_settings_saved, timeout=5000):
        dialog.accept()
    tariff = services.writer.episodes.tariff
    assert tariff is not None and (tariff.price_per_kwh, tariff.currency) == (0.5, "CHF")
    assert services.maintenance is not None and services.maintenance.retention_days == 400
    dialog = window.serial.open_settings()
    dialog.tariff_box.periods.setPlainText("Someday 1-2 0.1")
    dialog.accept()
    assert dialog.isVisible() and "Time-of-use periods" in dialog.error_label.text()
    dialog.reject()


def test_the_log_axis_keeps_the_time_range(qtbot, tab):
    before = tab.plot.view_range()
    tab.log_axis.setChecked(True)
    assert tab.plot.view_range() == pytest.approx(before)
    assert tab.start_edit.dateTime().toSecsSinceEpoch() == pytest.approx(before[0], abs=1)
