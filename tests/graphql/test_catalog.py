from __future__ import annotations

from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings

QUERY = """
query($first: Int, $after: String) {
  datasets(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      slug titleUk publisherEdrpou licence formats katottg updateFrequency
      latestVersion { number rowCount resources { format sha256 bytes url } }
      versions(first: 5) { edges { node { number rowsAdded } } pageInfo { hasNextPage } }
    } }
  }
}
"""


def test_datasets_and_dataset(published: Settings) -> None:
    with TestClient(create_app(published)) as client:
        first = client.post("/graphql", json={"query": QUERY, "variables": {"first": 6}}).json()
        assert "errors" not in first, first
        page = first["data"]["datasets"]
        assert page["totalCount"] == len(client.get("/api/v1/datasets?limit=100").json()["items"])
        assert [e["node"]["slug"] for e in page["edges"]] == [
            "appeal-stats-monthly",
            "appeals",
            "budget-expenses",
            "budget-incomes",
            "building-passports",
            "buildings",
        ]
        assert page["pageInfo"]["hasNextPage"]
        # Nothing imported here: no appeals, no budget, an empty registry.
        for edge in page["edges"][:5]:
            assert edge["node"]["latestVersion"] is None, edge["node"]["slug"]
        node = page["edges"][5]["node"]
        assert node["latestVersion"]["rowCount"] == 80
        assert {r["format"] for r in node["latestVersion"]["resources"]} == set(node["formats"])
        assert node["versions"]["edges"][0]["node"] == {"number": 1, "rowsAdded": 80}
        rest = client.post(
            "/graphql",
            json={
                "query": QUERY,
                "variables": {"first": 2, "after": page["pageInfo"]["endCursor"]},
            },
        ).json()["data"]["datasets"]
        assert [e["node"]["slug"] for e in rest["edges"]] == ["city-index", "districts"]

        one = client.post(
            "/graphql", json={"query": '{ dataset(slug: "streets") { slug formats } }'}
        ).json()
        assert one["data"]["dataset"] == {
            "slug": "streets",
            "formats": ["csv", "json", "jsonl", "xlsx", "parquet"],
        }
        none = client.post("/graphql", json={"query": '{ dataset(slug: "nope") { slug } }'})
        assert none.json()["data"]["dataset"] is None
        too_many = client.post(
            "/graphql", json={"query": "{ datasets(first: 100000) { totalCount } }"}
        ).json()
        assert too_many["errors"]
