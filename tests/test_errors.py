"""Every error leaves as RFC 9457 problem+json, never HTML or a traceback."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

PROBLEM = "application/problem+json"


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nothing-here", "/api/v1/districts/atlantis"])
def test_unknown_path_is_404(client: TestClient, path: str) -> None:
    body = _assert_problem(client.get(path), 404)
    assert body["instance"] == path


def test_wrong_method_is_405(client: TestClient) -> None:
    body = _assert_problem(client.delete("/health"), 405)
    assert "DELETE" in body["detail"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=abc", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=" + "A" * 5000, "cursor"),
    ],
)
def test_malformed_query_is_422_naming_the_parameter(
    client: TestClient, query: str, name: str
) -> None:
    body = _assert_problem(client.get(f"/api/v1/streets?{query}"), 422)
    assert any(e["name"] == name for e in body["errors"]), body


def test_malformed_graphql_body_is_a_clear_error(client: TestClient) -> None:
    response = client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text


def test_problem_carries_request_id(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.json()["request_id"] == response.headers["x-request-id"]
