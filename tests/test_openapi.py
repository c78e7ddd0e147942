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


def test_every_operation_documents_the_problems_it_sends(client: TestClient) -> None:
    import jsonschema

    document = client.get("/schema/openapi.json").json()
    problem = document["components"]["schemas"]["Problem"]
    checked = 0
    for path, item in document["paths"].items():
        if path.startswith(("/api/3", "/api/action", "/open311/", "/datastore")):
            continue  # their own standards' error shapes
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation["responses"]
            assert "400" not in responses, (method, path)
            wanted = {"422", "429", "503"} | ({"404"} if "{" in path else set())
            assert wanted <= set(responses), (method, path, sorted(responses))
            for status in wanted:
                schema = responses[status]["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}
            checked += 1
    assert checked > 20
    # What the server really answers matches what the document says.
    for response in (
        client.get("/api/v1/districts/no-such-district"),
        client.get("/api/v1/buildings", params={"limit": 0}),
        client.get("/api/v1/datasets/no-such-dataset"),
    ):
        assert response.status_code in (404, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        jsonschema.validate(response.json(), problem)
