from __future__ import annotations

from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

INTROSPECTION = """
query IntrospectionQuery {
  __schema {
    queryType { name }
    types { name kind fields { name type { name kind ofType { name kind } } } }
  }
}
"""


def _gql(client: TestClient, query: str) -> dict:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    return response.json()


def test_introspection(client: TestClient) -> None:
    body = _gql(client, INTROSPECTION)
    assert "errors" not in body, body
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "District" in names


def test_depth_limit(clean_db: Settings) -> None:
    # The schema has no deep types yet: a limit of 0 shows the limiter is on.
    with TestClient(create_app(clean_db.replace(graphql_max_depth=0))) as client:
        body = _gql(client, "{ districts { code } }")
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_alias_limit(client: TestClient) -> None:
    many = "{ " + " ".join(f"a{i}: apiVersion" for i in range(50)) + " }"
    body = _gql(client, many)
    assert "aliases" in body["errors"][0]["message"].lower()


def test_token_limit(client: TestClient) -> None:
    huge = "{ " + " ".join("apiVersion" for _ in range(5000)) + " }"
    body = _gql(client, huge)
    assert "token" in body["errors"][0]["message"].lower()


def test_graphiql_in_development(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
