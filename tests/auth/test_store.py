"""The session store on both backends: the database (default) and Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from hromada.auth import service
from hromada.auth.runtime import AuthRuntime
from hromada.auth.store import DatabaseStore, RedisStore, Store, hashed
from hromada.auth.tables import Resident
from hromada.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
async def store(request, clean_db: Settings) -> AsyncIterator[Store]:
    if request.param == "database":
        yield DatabaseStore()
        return
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    redis_store = RedisStore(REDIS_URL)
    redis_store.PREFIX = f"hromada:test:{uuid.uuid4().hex}:"  # type: ignore[misc]
    try:
        yield redis_store
    finally:
        keys = await redis_store.client.keys(redis_store.PREFIX + "*")
        if keys:
            await redis_store.client.delete(*keys)
        await redis_store.close()


async def test_put_get_delete(store: Store) -> None:
    key = hashed("session", "abc")
    assert key.startswith("session:") and "abc" not in key
    await store.put(key, {"resident": 1}, 60)
    assert await store.get(key) == {"resident": 1}
    await store.put(key, {"resident": 2}, 60)  # replaced, not duplicated
    assert await store.get(key) == {"resident": 2}
    await store.delete(key)
    assert await store.get(key) is None
    assert await store.get("session:nothing") is None


async def test_pop_is_single_use_under_concurrency(store: Store) -> None:
    await store.put("login:x", {"nonce": "n"}, 60)
    results = await asyncio.gather(*[store.pop("login:x") for _ in range(20)])
    assert [r for r in results if r is not None] == [{"nonce": "n"}]
    assert await store.pop("login:x") is None


async def test_entries_expire(store: Store) -> None:
    await store.put("login:short", {"a": 1}, 1)
    await asyncio.sleep(1.2)
    assert await store.get("login:short") is None
    assert await store.pop("login:short") is None


@pytest.fixture
async def runtime(store: Store, clean_db: Settings) -> AuthRuntime:
    rt = AuthRuntime(clean_db.replace(session_idle_timeout=600, session_max_age=3600))
    rt.store = store
    return rt


async def _resident() -> int:
    from hromada.auth.service import _now

    rows = await Resident.insert(
        Resident(person_key="k" * 64, display_name="X", created_at=_now(), last_login_at=_now())
    ).returning(Resident.id)
    return int(rows[0]["id"])


async def test_a_session_lives_and_ends(runtime: AuthRuntime) -> None:
    session_id = await service.create_session(runtime, await _resident(), ["admin", "bogus"], "p")
    data = await service.resolve_session(runtime, session_id)
    assert data is not None and data["roles"] == ["admin"]
    await service.end_session(runtime, session_id)
    assert await service.resolve_session(runtime, session_id) is None


@pytest.mark.parametrize(
    ("created_ago", "seen_ago"),
    [(10, 601), (3601, 5)],
    ids=["idle", "absolute"],
)
async def test_idle_and_absolute_expiry(runtime: AuthRuntime, created_ago, seen_ago) -> None:
    session_id = await service.create_session(runtime, await _resident(), [], "p")
    key = hashed("session", session_id)
    data = await runtime.store.get(key)
    assert data is not None
    now = time.time()
    data.update(created=now - created_ago, seen=now - seen_ago)
    await runtime.store.put(key, data, 60)
    assert await service.resolve_session(runtime, session_id) is None
    assert await runtime.store.get(key) is None  # and it is gone


async def test_activity_restarts_the_idle_timer(runtime: AuthRuntime) -> None:
    session_id = await service.create_session(runtime, await _resident(), [], "p")
    key = hashed("session", session_id)
    data = await runtime.store.get(key)
    assert data is not None
    data["seen"] = time.time() - 300
    await runtime.store.put(key, data, 60)
    assert await service.resolve_session(runtime, session_id) is not None
    refreshed = await runtime.store.get(key)
    assert refreshed is not None and refreshed["seen"] > time.time() - 5


@pytest.mark.parametrize("value", ["", "x" * 500, "../../etc", "' OR 1=1 --"])
async def test_hostile_session_ids_are_just_unknown(runtime: AuthRuntime, value: str) -> None:
    assert await service.resolve_session(runtime, value) is None
