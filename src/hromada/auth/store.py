"""Short-lived server-side state: login sessions and pending logins.

Two implementations behind one interface, chosen by configuration: the
database (default) and Redis (``HROMADA_REDIS_URL``), so several app
processes share sessions. Keys are hashes of the random values the browser
holds; the browser's value itself is never stored.

Why not ``litestar.stores`` (checked with litestar 2.25): its ``Store`` has
``set``/``get``/``delete`` but no get-and-delete, and a login's state must be
single-use. Emulating ``pop`` with ``get`` then ``delete`` on its RedisStore
let up to 20 of 20 concurrent pops of one key succeed in 49 of 50 trials (its
MemoryStore: 50 of 50); ``GETDEL`` and ``DELETE … RETURNING`` here let exactly
one through (``tests/auth/test_store.py``). It also has no database-backed
store: MemoryStore is per process (every worker of ``serve`` would have its own
sessions, all lost on restart) and FileStore is per host, while the default
here shares sessions through the database every process already uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from typing import Any, Protocol, runtime_checkable

from hromada import db
from hromada.auth.tables import AuthEntry


def hashed(kind: str, secret_value: str) -> str:
    """Store key for a value the browser holds (a session id, a login state)."""
    return f"{kind}:{hashlib.sha256(secret_value.encode()).hexdigest()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@runtime_checkable
class Store(Protocol):
    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None: ...

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def pop(self, key: str) -> dict[str, Any] | None:
        """Get and delete at once: a value popped by one request is gone for every other."""

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class DatabaseStore:
    """Entries in the ``auth_entry`` table; expired ones are swept now and then."""

    SWEEP_ONE_IN = 50

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        expires = _now() + dt.timedelta(seconds=ttl)
        payload = json.dumps(value, separators=(",", ":"))
        async with db.write_transaction():
            await AuthEntry.delete().where(AuthEntry.key == key)
            await AuthEntry.insert(AuthEntry(key=key, value=payload, expires_at=expires))
        if random.randrange(self.SWEEP_ONE_IN) == 0:
            await self.sweep()

    async def get(self, key: str) -> dict[str, Any] | None:
        row = (
            await AuthEntry.select(AuthEntry.value, AuthEntry.expires_at)
            .where(AuthEntry.key == key)
            .first()
        )
        if row is None or _aware(row["expires_at"]) <= _now():
            return None
        value: dict[str, Any] = json.loads(row["value"])
        return value

    async def pop(self, key: str) -> dict[str, Any] | None:
        rows = await AuthEntry.raw(
            "DELETE FROM auth_entry WHERE key = {} RETURNING value, expires_at", key
        )
        if not rows or _aware(_as_datetime(rows[0]["expires_at"])) <= _now():
            return None
        value: dict[str, Any] = json.loads(rows[0]["value"])
        return value

    async def delete(self, key: str) -> None:
        await AuthEntry.delete().where(AuthEntry.key == key)

    async def sweep(self) -> None:
        await AuthEntry.delete().where(AuthEntry.expires_at < _now())

    async def close(self) -> None:
        return None


def _as_datetime(value: Any) -> dt.datetime:
    instant: dt.datetime = db.instant(value)
    return instant


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class RedisStore:
    """Entries as Redis strings with a TTL; GETDEL makes ``pop`` atomic."""

    PREFIX = "hromada:auth:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    async def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        await self.client.set(self.PREFIX + key, json.dumps(value), ex=max(1, ttl))

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.client.get(self.PREFIX + key)
        return None if raw is None else json.loads(raw)

    async def pop(self, key: str) -> dict[str, Any] | None:
        raw = await self.client.getdel(self.PREFIX + key)
        return None if raw is None else json.loads(raw)

    async def delete(self, key: str) -> None:
        await self.client.delete(self.PREFIX + key)

    async def close(self) -> None:
        await self.client.aclose()
