"""Messages received back to back, handed to the writer as one submission per device.

The source adds each message's readings as it arrives and takes the burst when no further
message has been received yet (or the burst is full): the writer then costs one submission per
plug's device and burst instead of one per message, and nothing waits for a timer. Each message
keeps its place in the acknowledgement order (`AckEntry`); all of a submission's messages are
acknowledged once it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phantom_desktop.core.readings import ReadingValues
from phantom_desktop.ingest.messages import ReplySink, Submission
from phantom_desktop.ingest.mqtt.acks import AckEntry

MAX_MESSAGES = 250  # a burst longer than this is handed over anyway

MessageKey = tuple[str, bytes]  # (topic, payload): how a redelivered message is recognised


@dataclass(frozen=True, slots=True)
class Part:
    """One message's readings and its place in the acknowledgement order."""

    entry: AckEntry
    key: MessageKey
    readings: list[ReadingValues]


@dataclass(slots=True)
class Bundle:
    """The tag of a submission: the messages whose readings it carries."""

    parts: list[Part]
    submission: Submission | None = None


@dataclass(slots=True)
class Burst:
    """Parts waiting to be handed to the writer, by device. Used by one thread (paho's)."""

    sink: ReplySink
    by_device: dict[str, list[Part]] = field(default_factory=dict)
    messages: int = 0
    plugs: set[str] = field(default_factory=set)  # plugs heard with samples

    def add(self, plug: str, device_id: str, part: Part) -> None:
        self.by_device.setdefault(device_id, []).append(part)
        self.plugs.add(plug)
        self.messages += 1

    @property
    def full(self) -> bool:
        return self.messages >= MAX_MESSAGES

    def take(self) -> list[Submission]:
        """One submission per device (its messages in arrival order); the burst is emptied."""
        submissions = [
            submission(self.sink, device_id, parts) for device_id, parts in self.by_device.items()
        ]
        self.by_device.clear()
        self.messages = 0
        self.plugs.clear()
        return submissions


def submission(sink: ReplySink, device_id: str, parts: list[Part]) -> Submission:
    """A submission of these messages' readings, tagged with a `Bundle` of them."""
    bundle = Bundle(parts)
    readings = parts[0].readings if len(parts) == 1 else [r for p in parts for r in p.readings]
    bundle.submission = Submission(
        readings, sink=sink, tag=bundle, device_id=device_id, source="mqtt"
    )
    return bundle.submission
