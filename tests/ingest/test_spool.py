"""The durable spool: what was appended survives a crash, comes back in order, once."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.spool import Spool, SpoolEntry, SpoolFull

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def entry(n: int, count: int = 1) -> SpoolEntry:
    readings = tuple(
        ReadingValues(
            f"port-{n}", 230.0, 0.1 * i, float(n), T0 + timedelta(seconds=n, microseconds=i)
        )
        for i in range(count)
    )
    return SpoolEntry(readings, "http", token_hash=f"hash-{n}")


def test_entries_come_back_in_arrival_order_with_their_values(tmp_path):
    spool = Spool(tmp_path)
    assert spool.append([entry(1), entry(2, count=3)]) == [1, 2]
    assert spool.append([entry(3)]) == [3]
    assert spool.pending_readings == 5
    replayed = spool.entries()
    assert [seq for seq, _ in replayed] == [1, 2, 3]
    assert replayed[1][1] == entry(2, count=3)
    assert [seq for seq, _ in spool.entries(after=1, limit=1)] == [2]


def test_a_reopened_spool_has_everything_appended_before(tmp_path):
    spool = Spool(tmp_path)
    spool.append([entry(1), entry(2)])
    journal = spool.journal_id
    del spool  # as after kill -9: nothing closed or flushed beyond what append did
    again = Spool(tmp_path)
    assert again.journal_id == journal
    assert [e for _, e in again.entries()] == [entry(1), entry(2)]


def test_a_torn_last_record_is_cut_off_and_appending_continues(tmp_path):
    spool = Spool(tmp_path)
    spool.append([entry(1), entry(2)])
    spool.close()
    size = spool.path.stat().st_size
    with open(spool.path, "r+b") as file:
        file.truncate(size - 5)  # the crash hit the middle of the second record
    again = Spool(tmp_path)
    assert [e for _, e in again.entries()] == [entry(1)]
    assert again.append([entry(3)]) == [2]
    again.close()
    assert [e for _, e in Spool(tmp_path).entries()] == [entry(1), entry(3)]


def test_release_skips_replayed_entries_and_an_empty_spool_starts_a_new_journal(tmp_path):
    spool = Spool(tmp_path)
    spool.append([entry(1), entry(2), entry(3)])
    first_journal = spool.journal_id
    spool.release(2)
    assert [seq for seq, _ in spool.entries()] == [3]
    assert spool.pending_readings == 1
    spool.release(3)
    assert not spool and spool.pending_readings == 0
    assert spool.journal_id != first_journal
    assert spool.append([entry(4)]) == [1]


def test_the_size_cap_refuses_and_keeps_nothing(tmp_path):
    spool = Spool(tmp_path, max_bytes=600)
    spool.append([entry(1)])
    with pytest.raises(SpoolFull):
        spool.append([entry(n, count=5) for n in range(2, 10)])
    assert [seq for seq, _ in spool.entries()] == [1]


def test_append_returns_only_after_fsync(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    spool = Spool(tmp_path)
    synced.clear()
    spool.append([entry(1)])
    assert len(synced) == 1


def test_a_file_that_is_not_a_spool_is_not_overwritten(tmp_path):
    (tmp_path / "journal").write_bytes(b"something else\n")
    with pytest.raises(OSError, match="not a phantom-desktop spool"):
        Spool(tmp_path)
    assert (tmp_path / "journal").read_bytes() == b"something else\n"


def test_one_process_at_a_time(tmp_path):
    first = Spool(tmp_path)
    with pytest.raises(OSError, match="in use"):
        Spool(tmp_path)
    first.close()
    Spool(tmp_path).close()  # free again
