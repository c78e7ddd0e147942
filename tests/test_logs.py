from __future__ import annotations

import json
import logging

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.logs import JsonFormatter


def test_every_log_line_of_a_request_carries_its_id(
    clean_db: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(clean_db)) as client, caplog.at_level(logging.INFO):
        response = client.get("/api/v1/districts", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 200
    access = [r for r in caplog.records if r.name == "hromada.access"]
    assert access, "no access log line"
    assert all(r.request_id == "trace-me-1" for r in access)  # type: ignore[attr-defined]


def test_unexpected_errors_are_logged_with_the_request_id(
    clean_db: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from litestar import get

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    app = create_app(clean_db)
    app.register(boom)
    with TestClient(app) as client, caplog.at_level(logging.INFO):
        response = client.get("/boom", headers={"X-Request-ID": "trace-me-2"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "kaboom" not in response.text  # no internals leak to the client
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].request_id == "trace-me-2"  # type: ignore[attr-defined]


def test_json_format_is_one_object_per_line() -> None:
    logging.setLogRecordFactory(logging.getLogRecordFactory())
    record = logging.LogRecord(
        "hromada.test", logging.INFO, __file__, 1, "hello %s", ("мир",), None
    )
    record.request_id = "abc"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "hello мир"
    assert entry["request_id"] == "abc"
    assert entry["level"] == "info"
    assert "\n" not in line


def test_production_logs_json_and_hides_graphiql(clean_db: Settings) -> None:
    production = clean_db.replace(environment="production", identity_secret="s" * 32)
    assert production.effective_log_format == "json"
    with TestClient(create_app(production)) as client:
        response = client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in response.text.lower()
