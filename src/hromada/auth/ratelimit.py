"""Request limits through the ``limits`` library: in memory per process, or in Redis for all.

A bucket names who is counted (an IP address or network, an API key, a
resident). The strategy is ``limits``' sliding window counter: the previous
window's count is weighed by how much of it still overlaps the sliding
window, so a client cannot spend a full limit at the end of one window and
another at the start of the next (the 2x burst of fixed windows). It keeps
two counters per bucket (a moving window would keep a timestamp per request:
10,000 entries for a partner key), and the Redis storage updates them in one
script, so every process shares one count.

Client addresses come from the socket peer; ``X-Forwarded-For`` is read only
when that peer is one of ``HROMADA_TRUSTED_PROXIES`` (:func:`client_address`),
so a client cannot pick its own bucket by sending the header.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A bucket name longer than this is hashed: whatever a request carries, a key stays small.
MAX_BUCKET = 96
# Hops of X-Forwarded-For looked at, from the right; more cannot come from a sane proxy chain.
MAX_HOPS = 16


@dataclass(frozen=True)
class Decision:
    limit: int
    remaining: int
    reset: int  # seconds until one more request is allowed (at least 1)
    allowed: bool


def bounded(bucket: str) -> str:
    """The bucket name, or a digest of it when it is long: keys never grow with input."""
    if len(bucket) <= MAX_BUCKET:
        return bucket
    return "h:" + hashlib.sha256(bucket.encode("utf-8", "surrogateescape")).hexdigest()


class Limiter:
    """Sliding-window limits over one ``limits`` storage."""

    def __init__(self, storage: Storage, namespace: str = "hromada") -> None:
        self.storage = storage
        self.strategy = SlidingWindowCounterRateLimiter(storage)
        # Part of every key: tests give each run a namespace of its own in a shared Redis.
        self.namespace = namespace
        self._pool: object | None = None

    @classmethod
    def memory(cls) -> Limiter:
        return cls(MemoryStorage())

    @classmethod
    def redis(cls, url: str) -> Limiter:
        import redis.asyncio as redis

        # Our own pool (redis-py, already a dependency) with short timeouts, so an
        # unreachable Redis answers 503 in seconds and ``close`` can release it.
        pool = redis.ConnectionPool.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        storage = RedisStorage(
            "async+" + url,
            implementation="redispy",
            key_prefix="hromada:rl",
            wrap_exceptions=True,
            connection_pool=pool,  # type: ignore[arg-type]
        )
        limiter = cls(storage)
        limiter._pool = pool
        return limiter

    async def hit(self, bucket: str, limit: int, window: int, cost: int = 1) -> Decision:
        """Count ``cost`` (one request, or a batch's readings) in ``bucket`` unless that would
        pass ``limit`` per ``window`` seconds; a refused cost counts nothing."""
        item = RateLimitItemPerSecond(limit, window)
        key = bounded(bucket)
        allowed = await self.strategy.hit(item, self.namespace, key, cost=cost)
        return await self._decision(item, key, allowed)

    async def peek(self, bucket: str, limit: int, window: int) -> Decision:
        """Where ``bucket`` stands, without counting a request."""
        item = RateLimitItemPerSecond(limit, window)
        key = bounded(bucket)
        allowed = await self.strategy.test(item, self.namespace, key)
        return await self._decision(item, key, allowed)

    async def _decision(self, item: RateLimitItemPerSecond, key: str, allowed: bool) -> Decision:
        stats = await self.strategy.get_window_stats(item, self.namespace, key)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset=min(reset, item.get_expiry()),
            allowed=allowed,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()  # type: ignore[attr-defined]


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``HROMADA_TRUSTED_PROXIES`` entries (addresses or CIDR networks); ValueError if bad."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51000
        value = value.partition(":")[0]
    if len(value) > 45:  # longer than any textual IPv6 address
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[IPNetwork]
) -> bool:
    return any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[IPNetwork]) -> str:
    """The address a request is counted under.

    The socket peer, unless it is a trusted proxy: then the rightmost
    ``X-Forwarded-For`` hop that is not itself a trusted proxy (hops left of
    it were written by the client and prove nothing). An IPv6 client counts
    as its /64, which one subscriber usually holds whole.
    """
    address = _address(peer)
    if address is None:
        return bounded(peer or "unknown")
    if proxies and _trusted(address, proxies):
        hops = [hop for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops[-MAX_HOPS:]):
            candidate = _address(hop)
            if candidate is None:
                break  # a trusted proxy never writes this: keep the last good hop
            address = candidate
            if not _trusted(candidate, proxies):
                break
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
