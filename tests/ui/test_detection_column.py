"""The ports model's Detection column: what was recognised, since when, and why not standby."""

from __future__ import annotations

from datetime import UTC, datetime

from phantom_desktop.ingest.messages import CommittedBatch, PortNote, PortRhythm
from phantom_desktop.store.window_queries import WindowPort
from phantom_desktop.ui.common import formatting
from phantom_desktop.ui.ports.port_model import PortColumn, PortModel

SINCE = datetime(2026, 3, 1, 14, 10, tzinfo=UTC)


def detection(model: PortModel, tooltip: bool = False) -> str:
    index = model.index(0, PortColumn.DETECTION)
    return index.data(3 if tooltip else 0)  # ToolTipRole : DisplayRole


def test_a_recognised_rhythm_and_a_held_rest_reach_the_column_live(qtbot):
    model = PortModel()
    model.set_rows([WindowPort("p1", "Fridge", None, None, 5.0)])
    assert detection(model) == "No rhythm"

    model.apply_batch(
        CommittedBatch(
            rhythms=[PortRhythm("p1", "cycling, ~40 min rhythm", SINCE)],
            notes=[PortNote("p1", SINCE, "low for 60 s, but this port has cycled … → not standby")],
        )
    )

    assert detection(model) == (f"Cycling, ~40 min rhythm · since {formatting.local_time(SINCE)}")
    assert detection(model, tooltip=True).startswith("low for 60 s, but this port has cycled")
    model.set_rows(
        [
            WindowPort(
                "p1",
                "Fridge",
                None,
                None,
                5.0,
                rhythm_seen="cycling, ~40 min rhythm",
                rhythm_since=SINCE,
            )
        ]
    )
    assert detection(model, tooltip=True).startswith("low for 60 s")  # a reload keeps the note


def test_the_owners_setting_wins_over_what_was_recognised(qtbot):
    model = PortModel()
    model.set_rows(
        [WindowPort("p1", "TV", None, None, 5.0, rhythm_override="standby", rhythm_seen="x")]
    )
    assert detection(model) == "Plain standby (your setting)"


def test_the_always_on_floor_sits_beside_the_threshold(qtbot):
    model = PortModel()
    model.set_rows(
        [
            WindowPort("p1", "Fridge", None, None, 5.0, always_on_w=1.4),
            WindowPort("p2", "New plug", None, None, 5.0),
        ]
    )
    assert model.index(0, PortColumn.ALWAYS_ON).data() == "1.4 W"
    assert model.index(1, PortColumn.ALWAYS_ON).data() == "—"
