"""Frame pacing: drawing time stays within its share of a core, between set frame rates."""

import pytest

from phantom_desktop.ui.monitor.frame_pacer import FramePacer


def test_cheap_frames_run_at_the_top_rate() -> None:
    pacer = FramePacer(share=0.2, min_interval_s=0.1, max_interval_s=1.0)
    pacer.spent(0.002)
    assert pacer.next_interval() == 0.1


def test_costly_frames_are_spaced_so_drawing_takes_the_set_share() -> None:
    pacer = FramePacer(share=0.2, min_interval_s=0.1, max_interval_s=1.0)
    busy = elapsed = 0.0
    for _ in range(200):
        pacer.spent(0.05)  # the data hand-over
        pacer.spent(0.03)  # and its paint
        busy += 0.08
        elapsed += pacer.next_interval()
    assert busy / elapsed == pytest.approx(0.2, rel=0.05)


def test_however_costly_the_plot_still_moves_once_a_second() -> None:
    pacer = FramePacer(share=0.2, min_interval_s=0.1, max_interval_s=1.0)
    pacer.spent(2.0)
    assert pacer.next_interval() == 1.0
