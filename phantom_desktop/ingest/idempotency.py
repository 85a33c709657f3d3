"""Optional idempotency keys: a client retrying a request it gave up on gets the first answer.

A device that times out waiting for its 201 cannot know whether the readings were stored. When
it sends an `Idempotency-Key` header, the server remembers the answer to (token, key) for
`ttl_s`: a retry with the same key and the same body waits for the first request's outcome and
gets the same answer instead of storing the readings twice; the same key with another body is a
client error (422). An answer that stored nothing (4xx/5xx) is forgotten, so a retry is tried
again. Keys live in memory: they cover retries within one run of the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
TTL_S = 24 * 3600.0
MAX_KEYS = 100_000
_VALID_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_LENGTH}}}")

T = TypeVar("T")


class KeyReused(ValueError):
    """The same key came with a different body."""


def valid_key(key: str) -> bool:
    """A key is 1 to 255 visible ASCII characters (a UUID is the usual choice)."""
    return _VALID_KEY.fullmatch(key) is not None


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(slots=True)
class _Entry(Generic[T]):
    body_hash: str
    task: asyncio.Task[T]
    expires: float


class IdempotencyCache(Generic[T]):
    """Answers by (scope, key); use on one event loop."""

    def __init__(
        self,
        ttl_s: float = TTL_S,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_keys = max_keys
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry[T]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def run(
        self,
        scope: str,
        key: str,
        body: bytes,
        work: Callable[[], Awaitable[T]],
        keep: Callable[[T], bool],
    ) -> T:
        """The answer of `work()` for this key: computed once, shared by retries.

        The work runs in a task of its own, so a client that disconnects does not cancel it:
        its answer is waiting for the retry. `keep(answer)` says whether to remember it.
        """
        now = self._clock()
        self._expire(now)
        body_hash = fingerprint(body)
        entry = self._entries.get((scope, key))
        if entry is not None:
            if entry.body_hash != body_hash:
                raise KeyReused(f"the {HEADER} was already used for a different request")
            return await asyncio.shield(entry.task)
        task = asyncio.ensure_future(work())
        self._entries[(scope, key)] = _Entry(body_hash, task, now + self._ttl_s)
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)
        task.add_done_callback(lambda done: self._settled(scope, key, done, keep))
        return await asyncio.shield(task)

    def _settled(
        self, scope: str, key: str, task: asyncio.Task[T], keep: Callable[[T], bool]
    ) -> None:
        entry = self._entries.get((scope, key))
        if entry is None or entry.task is not task:
            return
        if task.cancelled() or task.exception() is not None or not keep(task.result()):
            del self._entries[(scope, key)]

    def _expire(self, now: float) -> None:
        while self._entries:
            first = next(iter(self._entries.values()))
            if first.expires > now:
                break
            self._entries.popitem(last=False)
