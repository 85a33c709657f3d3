"""One writer transaction's working state, and how its outcomes reach the sources.

Outcomes are grouped by sink, so a source (the HTTP server's loop, a serial source) is woken
once per batch however many of its submissions the batch held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from phantom_desktop.core.enums import PortStatus
from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import (
    CREATED,
    UNAVAILABLE,
    CommittedBatch,
    Outcome,
    PortCommand,
    ReplySink,
    StoredReading,
    Submission,
)

log = logging.getLogger(__name__)

CREATED_MESSAGE = "Sensor reading created successfully"
UNAVAILABLE_MESSAGE = "Store unavailable: the reading was not stored, retry later"


class Batch:
    """What one transaction accepted, refused and changed, until it is delivered."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []  # power_readings rows to insert
        self.pending: list[tuple[Submission, list[tuple[ReadingValues, bool, PortStatus]]]] = []
        self.errors: list[tuple[Submission, Outcome]] = []
        self.commands: list[tuple[PortCommand, PortStatus]] = []
        self.live = CommittedBatch()
        self.touched_ports: set[str] = set()

    def collect_stored(self, ids: list[int]) -> None:
        """The inserted rows' ids, in insertion order: the committed readings for live views."""
        position = 0
        out = self.live.readings
        for _submission, entries in self.pending:
            for values, phantom, status in entries:
                out.append(
                    StoredReading(
                        ids[position],
                        values.port_id,
                        values.timestamp,
                        values.voltage,
                        values.current,
                        values.power,
                        phantom,
                        status,
                    )
                )
                position += 1

    def deliver(self) -> None:
        """After the commit: answer every submission and resolve every port command."""
        results = _BySink()
        for submission, outcome in self.errors:
            results.add(submission, outcome)
        for submission, stored in self._stored_outcomes():
            results.add(submission, Outcome(CREATED, CREATED_MESSAGE, stored))
        results.deliver()
        for command, status in self.commands:
            if not command.done.done():
                command.done.set_result(status)

    def _stored_outcomes(self) -> Iterator[tuple[Submission, tuple[StoredReading, ...]]]:
        position = 0
        readings = self.live.readings
        for submission, entries in self.pending:
            yield submission, tuple(readings[position : position + len(entries)])
            position += len(entries)


def fail(items: Iterable[object], exc: Exception) -> None:
    """The transaction failed: every submission gets 503, every command the exception."""
    outcome = Outcome(UNAVAILABLE, UNAVAILABLE_MESSAGE)
    results = _BySink()
    for item in items:
        if isinstance(item, PortCommand):
            if not item.done.done():
                item.done.set_exception(exc)
        elif isinstance(item, Submission):
            results.add(item, outcome)
    results.deliver()


def answer(results: Iterable[tuple[Submission, Outcome]]) -> None:
    """Deliver these outcomes, one call per sink."""
    by_sink = _BySink()
    for submission, outcome in results:
        by_sink.add(submission, outcome)
    by_sink.deliver()


class _BySink:
    def __init__(self) -> None:
        self._by_sink: dict[int, tuple[ReplySink, list[tuple[object, Outcome]]]] = {}

    def add(self, submission: Submission, outcome: Outcome) -> None:
        sink = submission.sink
        self._by_sink.setdefault(id(sink), (sink, []))[1].append((submission.tag, outcome))

    def deliver(self) -> None:
        for sink, results in self._by_sink.values():
            try:
                sink.deliver(results)
            except Exception:
                log.exception("delivering outcomes failed")
