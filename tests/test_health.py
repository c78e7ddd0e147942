from __future__ import annotations

from litestar.testing import TestClient

from hromada import db
from hromada.app import create_app
from hromada.config import Settings


def test_health_answers(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_ready_when_database_is_migrated(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["migrations"] == "ok"


def test_ready_names_what_is_missing_on_an_unmigrated_database(
    base_settings: Settings, tmp_path
) -> None:
    # A second, empty SQLite file: nothing migrated there.
    empty = base_settings.replace(data_dir=tmp_path, database_url="")
    try:
        with TestClient(create_app(empty)) as client:
            response = client.get("/ready")
    finally:
        db.use_database(base_settings)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert "migration" in body["detail"]
    assert "hromada migrate" in body["checks"]["migrations"]


def test_request_id_is_echoed_when_safe(client: TestClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "lb-42"}).headers["x-request-id"] == (
        "lb-42"
    )
    hostile = client.get("/health", headers={"X-Request-ID": "a\u0000b<script>"})
    assert hostile.headers["x-request-id"] != "a\u0000b<script>"
    assert len(hostile.headers["x-request-id"]) == 32


def test_gzip_when_asked(client: TestClient) -> None:
    response = client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == "gzip"


def test_cors_allows_reading_from_any_origin(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://example.org")
