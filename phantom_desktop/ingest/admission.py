"""Which submissions of a batch the writer looks at, before any reading is judged.

Tokens are checked before ports: a submission with an unknown token costs no port lookup, and a
batch never looks up more than `MAX_UNKNOWN_PORTS` port ids that are not cached, so a flood of
made-up ids cannot make one transaction query millions of rows (the excess is answered 429).
Spooled submissions being replayed drop the readings already stored (exactly once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection

from phantom_desktop.ingest.messages import CREATED, Outcome, StoredReading, Submission
from phantom_desktop.store import ingest_queries as sql
from phantom_desktop.store.lookups import CachedPort, Credential, device_key

MAX_UNKNOWN_PORTS = 2000
CROWDED_OUT = "Too many unknown ports in the readings waiting to be stored: retry"
ALREADY_STORED = "Sensor reading already stored (a retry of an earlier request)"


def key_of(submission: Submission) -> str:
    """The credentials key of a submission (its token hash, or its serial device)."""
    return submission.token_hash or device_key(submission.device_id or "")


def ports_to_read(
    submissions: list[Submission],
    credentials: dict[str, Credential],
    is_cached: Callable[[str], bool],
    cap: int | None = None,
) -> tuple[set[str], set[int]]:
    """Port ids of the authenticated submissions, and the ids (`id()`) of those left out
    because their uncached ports would take the batch beyond `cap` (MAX_UNKNOWN_PORTS)."""
    cap = MAX_UNKNOWN_PORTS if cap is None else cap
    wanted: set[str] = set()
    unknown = 0
    crowded_out: set[int] = set()
    for submission in submissions:
        if key_of(submission) not in credentials:
            continue
        ids = {values.port_id for values in submission.readings} - wanted
        new = sum(1 for port_id in ids if not is_cached(port_id))
        if unknown + new > cap:
            crowded_out.add(id(submission))
            continue
        unknown += new
        wanted |= ids
    return wanted, crowded_out


def skip_stored(conn: Connection, submissions: list[Submission]) -> None:
    """Set aside readings already stored (into `submission.already`, with their ids): a replay
    after the writer stopped between its commit and the spool's release, or a client's retry
    of a request committed by an earlier run of the server."""
    if submissions:
        keys = [(v.port_id, v.timestamp) for s in submissions for v in s.readings]
        stored = sql.stored_reading_ids(conn, keys)
        if not stored:
            return
        for submission in submissions:
            kept = []
            for values in submission.readings:
                reading_id = stored.get((values.port_id, values.timestamp))
                if reading_id is None:
                    kept.append(values)
                else:
                    submission.already.append((values, reading_id))
            submission.readings = kept


def already_stored(submission: Submission, ports: Mapping[str, CachedPort]) -> Outcome:
    """The 201 of a retry whose readings were all stored before: their ids, nothing new."""
    stored = tuple(
        StoredReading(
            reading_id,
            v.port_id,
            v.timestamp,
            v.voltage,
            v.current,
            v.power,
            False,
            ports[v.port_id].status,
        )
        for v, reading_id in submission.already
    )
    return Outcome(CREATED, ALREADY_STORED, stored)
