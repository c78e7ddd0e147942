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
    prefix = f"hromada:test:{uuid.uuid4().hex}:"
    first, second = create_app(settings), create_app(settings)
    with TestClient(first) as a, TestClient(second) as b:
        for app in (first, second):
            app.state["auth"].counter.PREFIX = prefix
        statuses = [(a if n % 2 else b).get("/api/v1/districts").status_code for n in range(8)]
        assert statuses == [200] * 6 + [429] * 2
        assert a.get("/api/v1/districts").headers["ratelimit-remaining"] == "0"
