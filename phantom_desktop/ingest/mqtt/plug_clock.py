"""When a reading may carry its plug's own time instead of its time of arrival.

Tasmota stamps SENSOR with `Time`: the plug's local time, to the second, without a zone unless
SetOption52 is on; a plug without NTP counts from 1970 or a stale date, and a wrong `Timezone`
shifts it by hours. Used blindly it is worse than the arrival time. The arrival time is wrong
only for the messages the broker kept for us while we were away (the app closed, or our
connection lost): after we connect they arrive back to back, and minutes of readings would land
within milliseconds. (Tasmota itself publishes nothing while its own link is down.)

So a plug's time is used only for that catch-up, and only if the plug's clock was seen right: a
message arriving within `TOLERANCE_S` of its own time verifies the clock (and is stamped on
arrival, finer than Tasmota's seconds). After a reconnection, a verified plug's older messages
are stamped with their own time plus the offset seen at verification, as long as each is newer
than the one before (a plug that rebooted to 1970, or whose clock went back, is not believed)
and not after its arrival; the first message that fails ends the catch-up. Everything else,
and every message after the app starts (nothing verified yet), is stamped on arrival.
"""

from __future__ import annotations

from datetime import datetime, timedelta

TOLERANCE_S = 5.0
_TOLERANCE = timedelta(seconds=TOLERANCE_S)


class PlugClocks:
    """Per plug: its last trusted time and clock offset. Used by one thread (paho's)."""

    def __init__(self) -> None:
        self._trusted: dict[str, tuple[datetime, timedelta]] = {}
        self._catching_up: set[str] = set()

    def reconnected(self) -> None:
        """We are connected again: what the broker kept for us comes first."""
        self._catching_up = set(self._trusted)

    def stamp(self, plug: str, plug_time: datetime | None, arrival: datetime) -> datetime:
        """The timestamp of a reading of `plug` made, it says, at `plug_time` (aware)."""
        if plug_time is None:
            return arrival
        if abs(arrival - plug_time) <= _TOLERANCE:
            self._trusted[plug] = (plug_time, arrival - plug_time)
            self._catching_up.discard(plug)
            return arrival
        if plug in self._catching_up:
            last, offset = self._trusted[plug]
            stamp = plug_time + offset
            if last < plug_time and stamp < arrival:
                self._trusted[plug] = (plug_time, offset)
                return stamp
            self._catching_up.discard(plug)
        return arrival
