from __future__ import annotations

from litestar.testing import TestClient
from openapi_spec_validator import validate


def test_openapi_document_is_valid_3_1(client: TestClient) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert "/health" in document["paths"]
    assert "/graphql" not in document["paths"]


def test_interactive_pages(client: TestClient) -> None:
    for path in ("/schema", "/schema/swagger"):
        response = client.get(path)
        assert response.status_code == 200
        assert "text/html" in response.headers["content-type"]
