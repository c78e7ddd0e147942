"""A database or Redis that cannot answer: 503 with Retry-After, never the driver's words."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from hromada import db, errors
from hromada.app import create_app
from hromada.config import Settings

LEAKS = ("Errno", "refused", "sqlite", "asyncpg", "Traceback", "unable to open", "127.0.0.1")
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def outage(clean_db: Settings, engine_name: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app started, then its database gone: PostgreSQL on a port where nothing listens;
    SQLite whose folder vanished after start-up."""
    # No background workers: their polls would bring back the SQLite file removed below.
    settings = clean_db.replace(search_indexer="off", jobs_worker="off", data_dir=tmp_path / "data")
    session_engine = db.current_engine()
    try:
        if engine_name == "postgres":
            settings = settings.replace(database_url="postgresql://postgres@127.0.0.1:9/gone")
            with TestClient(create_app(settings)) as client:
                yield client
            return
        folder = tmp_path / "db"
        folder.mkdir()
        settings = settings.replace(database_url=f"sqlite:///{folder}/hromada.sqlite3")
        with TestClient(create_app(settings)) as client:
            shutil.rmtree(folder)
            yield client
    finally:
        db.bind(session_engine)  # before clean_db empties the test database


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text)


@pytest.mark.parametrize("path", ["/api/v1/districts", "/api/v1/streets", "/api/v1/datasets"])
def test_rest_answers_503_problem(outage: TestClient, path: str) -> None:
    response = outage.get(path)
    _assert_unavailable(response)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["detail"] == errors.UNAVAILABLE_DETAIL
    assert body["request_id"] == response.headers["x-request-id"]


def test_ckan_answers_503_in_its_own_shape(outage: TestClient) -> None:
    response = outage.get("/api/3/action/package_list")
    _assert_unavailable(response)
    assert response.json()["success"] is False


def test_graphql_answers_503_with_a_masked_error(outage: TestClient) -> None:
    response = outage.post("/graphql", json={"query": "{ districts { code } }"})
    _assert_unavailable(response)
    error = response.json()["errors"][0]
    assert error["message"] == errors.UNAVAILABLE_DETAIL
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["extensions"]["request_id"] == response.headers["x-request-id"]


def test_ready_names_the_database(outage: TestClient) -> None:
    response = outage.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] != "ok"


def test_graphql_client_errors_keep_their_message(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ noSuchField }"})
    assert "noSuchField" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (TimeoutError(), True),
        (OSError(28, "No space left on device"), True),
        (__import__("sqlite3").OperationalError("database is locked"), True),
        (__import__("sqlite3").OperationalError("no such table: district"), False),
        (RuntimeError("wrapped"), False),
        (FileNotFoundError(2, "No such file"), False),
        (errors.Unavailable("search is down"), True),
    ],
)
def test_what_counts_as_an_outage(exc: BaseException, expected: bool) -> None:
    assert errors.is_outage(exc) is expected
    try:
        raise RuntimeError("while reading") from exc
    except RuntimeError as chained:
        assert errors.is_outage(chained) is expected


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_ready_checks_redis_when_configured(clean_db: Settings) -> None:
    down = clean_db.replace(redis_url="redis://127.0.0.1:9/0", search_indexer="off")
    with TestClient(create_app(down)) as client:
        response = client.get("/ready")
        counted = client.get("/api/v1/districts")  # its rate limit lives in Redis
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("unreachable")
    _assert_unavailable(counted)
    assert counted.headers["content-type"] == "application/problem+json"
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    with TestClient(create_app(clean_db.replace(redis_url=REDIS_URL))) as client:
        response = client.get("/ready")
    assert response.json()["checks"]["redis"] == "ok"


def test_without_redis_ready_does_not_check_it(client: TestClient) -> None:
    assert "redis" not in client.get("/ready").json()["checks"]


def test_an_internal_graphql_error_is_masked(search_client: TestClient) -> None:
    class Broken:
        async def search(self, query: object) -> object:
            raise RuntimeError('relation "secret_table" does not exist at 10.1.2.3')

    app = search_client.app
    real = app.state["search"]
    app.state["search"] = Broken()
    try:
        response = search_client.post(
            "/graphql", json={"query": '{ search(q: "x", first: 1) { estimatedTotal } }'}
        )
    finally:
        app.state["search"] = real
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert "secret_table" not in response.text and "10.1.2.3" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["request_id"] == response.headers["x-request-id"]
