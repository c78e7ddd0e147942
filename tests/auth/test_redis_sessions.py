"""With HROMADA_REDIS_URL, two app processes share sessions: a login on one works on the other,
a logout on one ends it on both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_live(city: Settings, request) -> Iterator:
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    make_live = request.getfixturevalue("live_factory")
    yield from make_live(city.replace(redis_url=REDIS_URL))


def test_sessions_are_shared_through_redis(redis_live) -> None:
    live = redis_live
    namespace = f"test:{uuid.uuid4().hex}"
    live.app.state["auth"].limiter.namespace = namespace
    other = create_app(live.settings)  # a second process, same Redis
    with live.client() as browser, TestClient(other) as second:
        other.state["auth"].limiter.namespace = namespace
        live.login(browser, "dev-city", "c-taras-1002")
        cookie = browser.cookies["hromada_session"]
        token = live.csrf(browser)
        second.cookies.set("hromada_session", cookie)
        me = second.get("/api/v1/me")
        assert me.status_code == 200, me.text
        assert me.json()["display_name"] == "Бондаренко Тарас"
        out = second.post("/auth/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 204
        assert browser.get("/api/v1/me").status_code == 401
