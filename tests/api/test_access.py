"""Rate limits on every response, 429s, and counters shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"
DAY = 86400
HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


@pytest.fixture
def tight(clean_db: Settings) -> Iterator[TestClient]:
    # A day-long window: counts cannot roll over into a new window in the middle of a test.
    app = create_app(clean_db.replace(rate_limit_anonymous=5, rate_limit_window=DAY))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/districts"),
        ("GET", "/api/v1/nothing-here"),
        ("GET", "/api/v1/districts/atlantis"),
        ("DELETE", "/api/v1/districts"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/me/api-keys"),
        ("GET", "/auth/providers"),
        ("GET", "/nowhere"),
        ("POST", "/graphql"),
    ],
)
def test_every_response_carries_rate_limit_headers(tight: TestClient, method, path) -> None:
    response = tight.request(method, path, json={} if method == "POST" else None)
    for header in HEADERS:
        assert header in response.headers, (path, response.status_code)
    assert response.headers["ratelimit-limit"] == "5"
    assert 1 <= int(response.headers["ratelimit-reset"]) <= DAY


def test_health_probes_are_not_counted(tight: TestClient) -> None:
    for _ in range(10):
        assert tight.get("/health").status_code == 200
    assert tight.get("/api/v1/districts").headers["ratelimit-remaining"] == "4"


def test_over_the_limit_is_429_problem_with_retry_after(tight: TestClient) -> None:
    remaining = [
        int(tight.get("/api/v1/districts").headers["ratelimit-remaining"]) for _ in range(5)
    ]
    assert remaining == [4, 3, 2, 1, 0]
    refused = tight.get("/api/v1/districts")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert refused.headers["x-request-id"]
    assert 1 <= int(refused.headers["retry-after"]) <= DAY
    assert refused.headers["ratelimit-remaining"] == "0"
    assert tight.get("/api/v1/unknown").status_code == 429  # 404s are counted too


def test_a_malformed_api_key_is_401_with_headers(tight: TestClient) -> None:
    for value in ("nope", "hrm_zzzzzzzz_" + "a" * 43, "x" * 5000, "hrm_0000"):
        response = tight.get("/api/v1/districts", headers={"X-API-Key": value})
        assert response.status_code in (401, 429)
        assert response.headers["content-type"] == "application/problem+json"
        assert "ratelimit-limit" in response.headers


def test_the_admin_token_is_an_admin_api_key(clean_db: Settings) -> None:
    app = create_app(clean_db.replace(admin_token="t" * 40))
    with TestClient(app) as client:
        ok = client.get("/api/v1/districts", headers={"Authorization": "Bearer " + "t" * 40})
        assert ok.status_code == 200
        assert int(ok.headers["ratelimit-limit"]) == 10000
        wrong = client.get("/api/v1/districts", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_limits_hold_across_processes_with_redis(clean_db: Settings) -> None:
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings = clean_db.replace(
        redis_url=REDIS_URL, rate_limit_anonymous=6, search_indexer="off", rate_limit_window=DAY
    )
    namespace = f"test:{uuid.uuid4().hex}"
    first, second = create_app(settings), create_app(settings)
    with TestClient(first) as a, TestClient(second) as b:
        for app in (first, second):
            app.state["auth"].limiter.namespace = namespace
        statuses = [(a if n % 2 else b).get("/api/v1/districts").status_code for n in range(8)]
        assert statuses == [200] * 6 + [429] * 2
        assert a.get("/api/v1/districts").headers["ratelimit-remaining"] == "0"


# ---------------------------------------------------------------------------
# Who is counted: X-Forwarded-For only from trusted proxies, bounded keys,
# and no double burst at a window boundary.


@pytest.fixture
def app(clean_db: Settings, request: pytest.FixtureRequest):
    """The app the shared ``live_server`` fixture serves, with this test's settings."""
    return create_app(clean_db.replace(rate_limit_window=DAY, **getattr(request, "param", {})))


@pytest.mark.parametrize("app", [{"rate_limit_anonymous": 5}], indirect=True)
def test_rotating_x_forwarded_for_does_not_escape_the_limit(live_server) -> None:
    import httpx

    with httpx.Client(base_url=live_server.url) as http:
        statuses = [
            http.get(
                "/api/v1/districts", headers={"X-Forwarded-For": f"198.51.100.{n}"}
            ).status_code
            for n in range(8)
        ]
    assert statuses == [200] * 5 + [429] * 3


@pytest.mark.parametrize(
    "app", [{"rate_limit_anonymous": 3, "trusted_proxies": ("127.0.0.0/8",)}], indirect=True
)
def test_a_trusted_proxy_names_the_client(live_server) -> None:
    import httpx

    with httpx.Client(base_url=live_server.url) as http:

        def get(forwarded: str) -> httpx.Response:
            return http.get("/api/v1/districts", headers={"X-Forwarded-For": forwarded})

        assert [get("203.0.113.9").status_code for _ in range(3)] == [200] * 3
        # A hop the client wrote itself, left of what the proxy saw, changes nothing.
        refused = get("10.9.9.9, 203.0.113.9")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= DAY
        # Another client behind the same proxy has a bucket of its own.
        assert get("203.0.113.10").headers["ratelimit-remaining"] == "2"
        # A 10 kB header is no bucket of its own and no error.
        huge = get("x" * 10_000)
        assert huge.status_code in (200, 429)
        assert huge.headers["ratelimit-limit"] == "3"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("192.0.2.1", ["203.0.113.5"], (), "192.0.2.1"),
        ("10.0.0.2", ["203.0.113.5"], ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", ["198.51.100.1, 203.0.113.5"], ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", ["203.0.113.5, 10.0.0.7"], ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", ["203.0.113.5", "10.0.0.7"], ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", ["not-an-ip"], ("10.0.0.0/8",), "10.0.0.2"),
        ("10.0.0.2", ["203.0.113.5:5123"], ("10.0.0.0/8",), "203.0.113.5"),
        ("10.0.0.2", [], ("10.0.0.0/8",), "10.0.0.2"),
        ("192.0.2.1", ["203.0.113.5"], ("10.0.0.0/8",), "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", [], (), "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", [], (), "192.0.2.7"),
        ("10.0.0.2", ["[2001:db8::9]:443"], ("10.0.0.0/8",), "2001:db8::/64"),
    ],
)
def test_client_address(peer, forwarded, trusted, expected) -> None:
    from hromada.auth.ratelimit import client_address, parse_networks

    assert client_address(peer, forwarded, parse_networks(trusted)) == expected


def test_bucket_keys_are_bounded() -> None:
    from hromada.auth.ratelimit import MAX_BUCKET, bounded, client_address

    assert bounded("ip:192.0.2.1") == "ip:192.0.2.1"
    long_a, long_b = bounded("k" * 10_000), bounded("k" * 9_999 + "j")
    assert len(long_a) <= MAX_BUCKET and len(long_b) <= MAX_BUCKET and long_a != long_b
    assert len(client_address("z" * 10_000, ["1.2.3.4"] * 5000, ())) <= MAX_BUCKET


def test_a_bad_trusted_proxy_stops_start_up(clean_db: Settings) -> None:
    from hromada.config import SettingsError

    with pytest.raises(SettingsError, match="HROMADA_TRUSTED_PROXIES"):
        Settings.from_env({"HROMADA_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"}, env_file=None)


@pytest.fixture(params=["memory", "redis"])
async def limiter(request):
    from hromada.auth.ratelimit import Limiter

    if request.param == "memory":
        made = Limiter.memory()
    else:
        if not _redis_up():
            pytest.skip(f"no Redis at {REDIS_URL}")
        made = Limiter.redis(REDIS_URL)
    made.namespace = f"test:{uuid.uuid4().hex}"
    try:
        yield made
    finally:
        await made.close()


async def test_no_double_burst_at_a_window_boundary(limiter) -> None:
    """A fixed 2 s window lets 10 requests through at 1.8 s and 10 more at 2.0 s; a sliding
    window weighs the previous window and lets at most a few through right after the turn."""
    import asyncio
    import time

    window, limit = 2, 10

    async def until(low: float, high: float) -> None:
        for _ in range(3):
            if low <= time.time() % window < high:
                return
            await asyncio.sleep((low - time.time() % window) % window + 0.01)
        raise AssertionError("the clock did not reach the moment in time")

    await until(1.5, 1.7)
    first = [(await limiter.hit("burst", limit, window)).allowed for _ in range(limit)]
    assert all(first)
    assert not (await limiter.hit("burst", limit, window)).allowed
    await until(0.0, 0.2)  # the next fixed window has just begun
    second = [(await limiter.hit("burst", limit, window)).allowed for _ in range(limit)]
    assert sum(second) <= 3, second
    refused = await limiter.peek("burst", limit, window)
    assert not refused.allowed and refused.remaining == 0 and 1 <= refused.reset <= window


async def test_peek_does_not_count(limiter) -> None:
    for _ in range(3):
        standing = await limiter.peek("quiet", 2, DAY)
        assert standing.allowed and standing.remaining == 2
    assert (await limiter.hit("quiet", 2, DAY)).remaining == 1
