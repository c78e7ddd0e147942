"""Fixed-window request counters: in memory per process, or in Redis for all processes.

A bucket names who is counted (an IP address, an API key, a resident); the
window is aligned to the clock, so every process agrees when it resets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Decision:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    allowed: bool


def _window(window: int, now: float) -> tuple[int, int]:
    index = int(now // window)
    reset = max(1, int((index + 1) * window - now + 0.999))
    return index, reset


@runtime_checkable
class Counter(Protocol):
    async def hit(self, bucket: str, window: int) -> tuple[int, int]:
        """Count one request in ``bucket``; return (count in this window, seconds to reset)."""

    async def peek(self, bucket: str, window: int) -> int:
        """The count in this window, without counting."""

    async def close(self) -> None: ...


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._index: dict[int, int] = {}  # window length -> current window index

    async def hit(self, bucket: str, window: int) -> tuple[int, int]:
        index, reset = _window(window, time.time())
        if self._index.get(window) != index:
            # A new window: forget the old one's counts of this length.
            suffix = f"@{window}"
            self._counts = {k: v for k, v in self._counts.items() if not k.endswith(suffix)}
            self._index[window] = index
        key = f"{bucket}@{window}"
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count, reset

    async def peek(self, bucket: str, window: int) -> int:
        index, _ = _window(window, time.time())
        if self._index.get(window) != index:
            return 0
        return self._counts.get(f"{bucket}@{window}", 0)

    async def close(self) -> None:
        return None


_INCR = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisCounter:
    PREFIX = "hromada:rl:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self.client.register_script(_INCR)

    async def hit(self, bucket: str, window: int) -> tuple[int, int]:
        index, reset = _window(window, time.time())
        key = f"{self.PREFIX}{bucket}:{window}:{index}"
        count = await self._script(keys=[key], args=[window + 1])
        return int(count), reset

    async def peek(self, bucket: str, window: int) -> int:
        index, _ = _window(window, time.time())
        raw = await self.client.get(f"{self.PREFIX}{bucket}:{window}:{index}")
        return int(raw or 0)

    async def close(self) -> None:
        await self.client.aclose()


async def check(counter: Counter, bucket: str, limit: int, window: int) -> Decision:
    count, reset = await counter.hit(bucket, window)
    return Decision(
        limit=limit, remaining=max(0, limit - count), reset=reset, allowed=count <= limit
    )
