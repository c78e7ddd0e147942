"""GraphQL ``search`` answers the same hits as ``GET /api/v1/search``."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from hromada.errors import Unavailable

QUERY = """
query Find($q: String!, $filters: [SearchFilter!], $first: Int!, $after: String) {
  search(q: $q, types: ["street", "building"], filters: $filters,
         facets: ["type", "district"], first: $first, after: $after) {
    estimatedTotal
    pageInfo { hasNextPage endCursor }
    facets { field values { value count } }
    hits {
      type
      highlights { field html }
      document {
        __typename
        ... on StreetDocument { id title district streetKind }
        ... on BuildingDocument { id title district floors yearBuilt }
      }
    }
  }
}
"""


def gql(client: TestClient[Litestar], variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": QUERY, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_graphql_search_returns_the_rest_hits(search_client: TestClient[Litestar]) -> None:
    street = search_client.get("/api/v1/streets", params={"limit": 1}).json()["items"][0]
    word = street["name"].split()[0]
    typo = word[:2] + word[3:]
    rest = search_client.get(
        "/api/v1/search",
        params={
            "q": typo,
            "type": "street,building",
            "district": street["district"],
            "facets": "type,district",
            "limit": 5,
        },
    ).json()
    body = gql(
        search_client,
        {"q": typo, "filters": [{"field": "district", "values": [street["district"]]}], "first": 5},
    )
    assert "errors" not in body, body
    found = body["data"]["search"]
    assert [(h["type"], h["document"]["id"]) for h in found["hits"]] == [
        (h["type"], h["id"]) for h in rest["items"]
    ]
    assert found["estimatedTotal"] == rest["total"]
    assert {
        f["field"]: {v["value"]: v["count"] for v in f["values"]} for f in found["facets"]
    } == rest["facets"]
    first = found["hits"][0]
    assert first["document"]["__typename"] in ("StreetDocument", "BuildingDocument")
    assert any("<em>" in h["html"] for h in first["highlights"])
    assert found["pageInfo"]["endCursor"] == rest["next_cursor"]


def test_graphql_search_refuses_bad_input(search_client: TestClient[Litestar]) -> None:
    body = gql(
        search_client, {"q": "x", "filters": [{"field": "title", "values": ["a"]}], "first": 5}
    )
    assert body["data"] is None
    assert "not a search filter" in body["errors"][0]["message"]
    body = gql(search_client, {"q": "x", "first": 0})
    assert "limit must be between" in body["errors"][0]["message"]
    body = gql(search_client, {"q": "x", "first": 1000})  # refused by its price first
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"


def test_graphql_search_says_when_the_engine_is_down(
    search_client: TestClient[Litestar],
) -> None:
    class Down:
        async def search(self, query: object) -> object:
            raise Unavailable("the search engine does not answer")

    app = search_client.app
    real = app.state["search"]
    app.state["search"] = Down()
    try:
        body = gql(search_client, {"q": "x", "first": 5})
    finally:
        app.state["search"] = real
    assert "does not answer" in body["errors"][0]["message"]
