"""A durable local spool: readings kept on disk while the database cannot take them.

When the database is unreachable the writer appends the submissions it would have stored to this
journal and acknowledges them only after `append` returns (the data is fsync'd). When the
database is back, it replays them in arrival order, oldest first, before anything newer.

Exactly once: each entry has a sequence number in a journal with a random id. The writer stores
the (journal id, last sequence) it replayed in the same transaction as the readings
and replays only entries after it, so a crash between the commit and `release` replays nothing
twice (on start, the writer releases up to the stored cursor). Sequence numbers count entries
from the journal's start; once every entry is released the journal starts afresh, with a new id.

Format: a header line `phantom-spool 1 <journal id>\\n`, then one record per entry:
4-byte big-endian length, 4-byte CRC-32, JSON payload. A torn record at the end (a crash during
an append that was therefore never acknowledged) is cut off on open.

Where and how big: `<user data dir>/spool/journal` (next to the embedded database), at most
`DEFAULT_MAX_BYTES` (256 MiB, about 1.5 million readings); beyond that `append` raises
`SpoolFull` and the writer answers 503 as it did without a spool.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from phantom_desktop.core.readings import ReadingValues

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
JOURNAL_NAME = "journal"
_MAGIC = "phantom-spool 1 "
_RECORD = struct.Struct(">II")


class SpoolFull(OSError):
    """The spool reached its size cap: nothing more can be accepted until it drains."""


@dataclass(frozen=True, slots=True)
class SpoolEntry:
    """One submission as it was accepted: who sent it and its validated readings."""

    readings: tuple[ReadingValues, ...]
    source: str
    token_hash: str | None = None
    device_id: str | None = None

    def to_json(self) -> bytes:
        rows = [
            [r.port_id, r.timestamp.isoformat(), r.voltage, r.current, r.power]
            for r in self.readings
        ]
        payload = {"s": self.source, "t": self.token_hash, "d": self.device_id, "r": rows}
        return json.dumps(payload, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> SpoolEntry:
        payload: dict[str, Any] = json.loads(data)
        readings = tuple(
            ReadingValues(port, float(v), float(c), float(p), datetime.fromisoformat(ts))
            for port, ts, v, c, p in payload["r"]
        )
        return cls(readings, payload["s"], payload["t"], payload["d"])


class Spool:
    """The journal in `directory`. Thread-safe; `append` returns once the entries are on disk."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._directory = directory
        self._path = directory / JOURNAL_NAME
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: list[tuple[int, int]] = []  # (sequence, offset) of unreleased entries
        self._readings: dict[int, int] = {}  # sequence -> number of readings
        self._next_seq = 1
        self.journal_id = ""
        self._lock_handle = _lock(directory)
        self._file = self._open()

    # -- what the writer and the window ask --------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    @property
    def pending_readings(self) -> int:
        """Readings accepted but not yet released (waiting for the database)."""
        with self._lock:
            return sum(self._readings.values())

    @property
    def size_bytes(self) -> int:
        return self._file.tell()

    def __bool__(self) -> bool:
        return bool(self._entries)

    # -- writing -----------------------------------------------------------------------------
    def append(self, entries: list[SpoolEntry]) -> list[int]:
        """Write entries and fsync; their sequence numbers. SpoolFull or OSError: none kept."""
        records = [entry.to_json() for entry in entries]
        blob = b"".join(_RECORD.pack(len(r), zlib.crc32(r)) + r for r in records)
        with self._lock:
            start = self._file.tell()
            if start + len(blob) > self._max_bytes:
                raise SpoolFull(
                    f"the spool {self._path} holds {start:,} bytes, its cap is {self._max_bytes:,}"
                )
            try:
                self._file.write(blob)
                self._file.flush()
                os.fsync(self._file.fileno())
            except OSError:
                self._file.seek(start)
                self._file.truncate()
                raise
            sequences = []
            offset = start
            for entry, record in zip(entries, records, strict=True):
                seq = self._next_seq
                self._next_seq += 1
                self._entries.append((seq, offset))
                self._readings[seq] = len(entry.readings)
                offset += _RECORD.size + len(record)
                sequences.append(seq)
            return sequences

    # -- replaying ---------------------------------------------------------------------------
    def entries(self, after: int = 0, limit: int | None = None) -> list[tuple[int, SpoolEntry]]:
        """Unreleased entries with a sequence above `after`, oldest first (at most `limit`)."""
        with self._lock:
            wanted = [(seq, off) for seq, off in self._entries if seq > after][:limit]
            out = []
            with open(self._path, "rb") as reader:
                for seq, offset in wanted:
                    reader.seek(offset)
                    length, _crc = _RECORD.unpack(reader.read(_RECORD.size))
                    out.append((seq, SpoolEntry.from_json(reader.read(length))))
            return out

    def release(self, upto: int) -> None:
        """Entries up to `upto` are in the database; when none is left, start a new journal."""
        with self._lock:
            self._entries = [(seq, off) for seq, off in self._entries if seq > upto]
            for seq in [s for s in self._readings if s <= upto]:
                del self._readings[seq]
            if not self._entries:
                self._file.close()
                self._path.unlink(missing_ok=True)
                self._file = self._open()

    def close(self) -> None:
        with self._lock:
            self._file.close()
            self._lock_handle.close()  # releases the lock

    # -- the file ----------------------------------------------------------------------------
    def _open(self) -> BinaryIO:
        """Open (or create) the journal, index its entries and cut a torn tail."""
        self._directory.mkdir(parents=True, exist_ok=True)
        self._entries, self._readings, self._next_seq = [], {}, 1
        if not self._path.exists() or self._path.stat().st_size == 0:
            self.journal_id = uuid.uuid4().hex
            file = open(self._path, "w+b")  # noqa: SIM115 - kept open for appends
            file.write(f"{_MAGIC}{self.journal_id}\n".encode())
            file.flush()
            os.fsync(file.fileno())
            _fsync_directory(self._directory)
            return file
        file = open(self._path, "r+b")  # noqa: SIM115
        header = file.readline().decode("ascii", "replace")
        if not header.startswith(_MAGIC) or not header.endswith("\n"):
            file.close()
            raise OSError(f"{self._path} is not a phantom-desktop spool: move it away")
        self.journal_id = header[len(_MAGIC) :].strip()
        good_end = file.tell()
        while True:
            head = file.read(_RECORD.size)
            if len(head) < _RECORD.size:
                break
            length, crc = _RECORD.unpack(head)
            record = file.read(length)
            if len(record) < length or zlib.crc32(record) != crc:
                break
            seq = self._next_seq
            self._next_seq += 1
            self._entries.append((seq, good_end))
            self._readings[seq] = len(json.loads(record)["r"])
            good_end = file.tell()
        file.seek(good_end)
        file.truncate()
        return file


def _lock(directory: Path) -> BinaryIO:
    """Hold `directory/lock` for this process: two processes must not share a journal."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = open(directory / "lock", "a+b")  # noqa: SIM115 - held until close()
    try:
        import fcntl
    except ImportError:  # Windows: the file is opened exclusively enough for one user's apps
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise OSError(f"the spool {directory} is in use by another Phantom Desktop") from None
    return handle


def _fsync_directory(directory: Path) -> None:
    """Make a new file's name durable too (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
