"""JSON-lines protocol: one reading object per line, as the HTTP contract's reading body.

`{"portId": "...", "voltage": 230.1, "current": 0.05, "power": 1.4}` with an optional
`"timestamp"` (ISO 8601 or epoch seconds) for readings the device buffered.
"""

from __future__ import annotations

import json
from datetime import datetime

from phantom_desktop.core.readings import ReadingError, ReadingValues, parse_reading
from phantom_desktop.ingest.serial.lines import BadLine


def parse_jsonl_line(line: bytes, now: datetime) -> ReadingValues:
    """Decode and validate one line; BadLine says what is wrong with it."""
    try:
        body = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadLine("not UTF-8 text") from None
    except (ValueError, RecursionError):
        raise BadLine("not a JSON object") from None
    try:
        return parse_reading(body, now)
    except ReadingError as exc:
        raise BadLine(str(exc)) from None


def status_line(port_id: str, status: str) -> bytes:
    """The line written back to a relay board when a port is turned off or on."""
    return json.dumps({"portId": port_id, "status": status}).encode("utf-8") + b"\n"
