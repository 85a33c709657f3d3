"""The collector settings a long-running process takes once started."""

import gc

from phantom_desktop.gc_tuning import YOUNG_THRESHOLD, settle_after_startup


def test_startup_objects_are_frozen_and_young_collections_are_rarer():
    threshold = gc.get_threshold()
    try:
        settle_after_startup()

        assert gc.get_freeze_count() > 10_000  # modules, classes, caches: never scanned again
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
